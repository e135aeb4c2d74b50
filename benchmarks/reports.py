"""Benchmark of the reports: ``python -m benchmarks.reports``.

Builds a throwaway database (a SQLite file in a temporary folder, and a PostgreSQL database when a
server answers at TEST_POSTGRES_URL or 127.0.0.1:5432) holding one territory with 10 buyers,
100 contracts, 300 lots, 40 000 people oriented (about 20 000 hired, exits and follow-ups), and 1 000 000 monthly hours
entries (bulk inserts), then times every report query — for the whole territory, one buyer, one
contract and one programme — and the report pages, printing the median (p50) of a few runs in
French. Nothing is timed in the test suite: figures depend on the machine.
"""
import argparse
import random
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa

from benchmarks import common
from clausematch.bulk import write_dicts

BUYERS, CONTRACTS_PER_BUYER, LOTS_PER_CONTRACT = 10, 10, 3
FIRST_MONTH = date(2021, 1, 1)
RUNS = 5


def _months(n: int) -> list[date]:
    return [date(FIRST_MONTH.year + (FIRST_MONTH.month - 1 + i) // 12, (FIRST_MONTH.month - 1 + i) % 12 + 1, 1)
            for i in range(n)]


def _insert(db, model, rows: Iterator[dict]) -> int:
    """Bulk insert (COPY on PostgreSQL, batches on SQLite: the seed's writer); returns the number of rows."""
    return write_dicts(model, rows)


def _organisations(db) -> dict:
    """Territory, its facilitator (a user to open the pages), buyers, titulaires, contracts, lots
    and clauses, a prescriber and a programme."""
    from clausematch import models as m
    from clausematch.accounts.models import BuyerKind, CompanyKind, PrescriberKind, Role
    from clausematch.contracts.models import ClauseKind, ObjectiveMethod
    from clausematch.vocabulary import Sector

    territory = m.Territory(name="Banc d'essai des rapports")
    team = m.FacilitatorTeam(territory=territory, name="Équipe du banc d'essai")
    user = m.User(email="banc@exemple.fr", full_name="Banc d'essai", role=Role.FACILITATOR)
    prescriber = m.Prescriber(territory=territory, name="Prescripteur", prescriber_kind=PrescriberKind.FRANCE_TRAVAIL)
    companies = [m.Company(territory=territory, name=f"Titulaire {i}", company_kind=CompanyKind.TITULAIRE)
                 for i in range(50)]
    db.session.add_all([territory, team, user, prescriber, *companies, m.Membership(user=user, organisation=team)])
    db.session.flush()
    lots = []
    for b in range(BUYERS):
        buyer = m.Buyer(territory=territory, name=f"Acheteur {b}", buyer_kind=BuyerKind.CITY)
        db.session.add(buyer)
        for c in range(CONTRACTS_PER_BUYER):
            notified = date(2020 + c % 5, 1 + c, 15)
            contract = m.Contract(territory_id=territory.id, buyer=buyer, reference=f"B{b}-{c}", object="Travaux",
                                  sector=Sector.CONSTRUCTION, amount_ht=Decimal("3000000"), notified_on=notified,
                                  start_date=date(2021, 1, 1), end_date=date(2027, 12, 31),
                                  clause_kind=ClauseKind.EXECUTION_CONDITION if c % 3 else None)
            db.session.add(contract)
            for n in range(1, LOTS_PER_CONTRACT + 1):
                lot = m.Lot(contract=contract, number=n, title=f"Lot {n}", company=companies[(b * 7 + c + n) % 50],
                            amount_ht=Decimal("1000000"), start_date=date(2021, 1, 1), end_date=date(2027, 12, 31))
                lot.clause = m.Clause(hours_objective=Decimal(20_000 + 500 * n), objective_method=ObjectiveMethod.FIXED,
                                      eligible_criteria=[], allowed_modes=[])
                db.session.add(lot)
                lots.append(lot)
    programme = m.Programme(territory_id=territory.id, name="Parcours du banc d'essai")
    db.session.add(programme)
    db.session.commit()
    return {"territory": territory.id, "prescriber": prescriber.id, "programme": programme.id, "login": user.get_id(),
            "lots": [(lot.id, lot.company_id, lot.contract_id, lot.contract.buyer_id) for lot in lots]}


def _people(db, ids: dict, people: int, rng: random.Random) -> list[tuple]:
    """Candidates, one offer per lot, one application each (with its events), a hire for most,
    exits and follow-ups. Returns the hires: (contract id, candidate id, lot, company, mode)."""
    from clausematch import models as m
    from clausematch.applications.models import ApplicationStatus as S
    from clausematch.vocabulary import EXIT_CATEGORY, ContractType, EducationLevel, ExitDetail, Gender, Mode, Sector

    lots = ids["lots"]
    _insert(db, m.Offer, ({
        "id": i + 1, "territory_id": ids["territory"], "lot_id": lot_id, "company_id": company_id,
        "programme_id": ids["programme"] if i < 30 else None, "title": "Maçon", "sector": Sector.CONSTRUCTION,
        "commune_insee": "93066", "latitude": 48.93, "longitude": 2.35, "contract_type": ContractType.CDD,
        "weekly_hours": 35, "status": "filled"} for i, (lot_id, company_id, _, _) in enumerate(lots)))
    _insert(db, m.Candidate, ({
        "id": i, "territory_id": ids["territory"], "prescriber_id": ids["prescriber"], "first_name": f"P{i}",
        "last_name": f"N{i}", "name_key": f"n{i} p{i}", "birth_date": date(1960 + i % 45, 1 + i % 12, 1 + i % 28),
        "gender": Gender.FEMALE if i % 6 == 0 else Gender.MALE, "education_level": EducationLevel.CAP_BEP,
        "commune_insee": "93066" if i % 2 else None} for i in range(1, people + 1)))
    _insert(db, m.EligibilityCriterion, ({  # residence in a QPV is this validated criterion
        "candidate_id": i, "criterion": "qpv", "evidence": "Justificatif de domicile", "status": "validated",
        "declared_at": datetime(2021, 1, 1), "validated_at": datetime(2021, 1, 2), "valid_until": date(2021, 7, 2)}
        for i in range(1, people + 1) if i % 3 != 0))
    path = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
    stages = [rng.choice((1, 2, 4, 6, 6, 6)) for _ in range(people)]
    _insert(db, m.Application, ({
        "id": i, "candidate_id": i, "offer_id": 1 + i % len(lots), "prescriber_id": ids["prescriber"],
        "status": path[stages[i - 1] - 1], "created_at": datetime(2021, 1, 1) + timedelta(hours=i)}
        for i in range(1, people + 1)))
    _insert(db, m.ApplicationEvent, ({
        "application_id": i, "to_status": path[step], "from_status": path[step - 1] if step else None,
        "occurred_at": datetime(2021, 1, 1) + timedelta(hours=i, minutes=step)}
        for i in range(1, people + 1) for step in range(stages[i - 1])))
    hires, modes = [], list(Mode)
    for i in range(1, people + 1):
        if stages[i - 1] == 6:
            lot_id, company_id, _, _ = lots[i % len(lots)]
            hires.append((len(hires) + 1, i, lot_id, company_id, modes[i % len(modes)]))
    _insert(db, m.EmploymentContract, ({
        "id": cid, "candidate_id": person, "application_id": person, "lot_id": lot_id, "company_id": company,
        "employer_id": company, "contract_type": ContractType.CDD, "mode": mode, "start_date": FIRST_MONTH,
        "planned_end_date": date(2025, 2, 28), "end_date": date(2025, 2, 28) if cid % 2 else None,
        "weekly_hours": 35} for cid, person, lot_id, company, mode in hires))
    details = list(ExitDetail)
    _insert(db, m.Exit, ({"id": cid, "contract_id": cid, "exit_date": date(2025, 2, 28),
                          "detail": details[cid % len(details)], "category": EXIT_CATEGORY[details[cid % len(details)]]}
                         for cid, *_ in hires if cid % 2))
    _insert(db, m.FollowUp, ({"exit_id": cid, "due_on": date(2025, 8, 28), "done_on": date(2025, 9, 1),
                              "in_work": cid % 3 != 0} for cid, *_ in hires if cid % 2))
    db.session.commit()
    return hires


def _hours(db, hires: list[tuple], total: int) -> int:
    """`total` validated hours entries: every hire, month after month from January 2021."""
    from clausematch import models as m
    from clausematch.pathways.models import HoursKind, HoursStatus

    months = _months(-(-total // max(len(hires), 1)))

    def rows():
        produced = 0
        for month in months:
            for cid, person, lot_id, company, mode in hires:
                if produced == total:
                    return
                produced += 1
                yield {"contract_id": cid, "candidate_id": person, "lot_id": lot_id, "company_id": company,
                       "mode": mode, "month": month, "kind": HoursKind.WORK, "status": HoursStatus.VALIDATED,
                       "hours": Decimal(100 + (cid * 7 + month.month) % 60)}

    count = _insert(db, m.HoursEntry, rows())
    db.session.commit()
    return count


def _p50(func: Callable[[], object]) -> float:
    func()  # the first run warms caches and compiles statements
    durations = []
    for _ in range(RUNS):
        started = time.perf_counter()
        func()
        durations.append(time.perf_counter() - started)
    return statistics.median(durations)


def _queries(territory, scopes: dict) -> list[tuple[str, Callable]]:
    from clausematch.reporting.queries.clause_share import clause_share
    from clausematch.reporting.queries.funnel import funnel
    from clausematch.reporting.queries.hours import hours_report
    from clausematch.reporting.queries.outcomes import outcomes_report
    from clausematch.reporting.queries.publics import publics_report
    from clausematch.reporting.queries.warnings import lagging_lots

    timed = []
    for name, scope in scopes.items():
        timed += [
            (f"entonnoir ({name})", lambda s=scope: funnel(s)),
            (f"heures par lot, page 1 ({name})", lambda s=scope: hours_report(s, territory, "lot", page=1)),
            (f"heures par marché, tout ({name})", lambda s=scope: hours_report(s, territory, "marche")),
            (f"heures par année ({name})", lambda s=scope: hours_report(s, territory, "annee")),
            (f"heures par mode ({name})", lambda s=scope: hours_report(s, territory, "mode")),
            (f"publics ({name})", lambda s=scope: publics_report(s, territory)),
            (f"sorties ({name})", lambda s=scope: outcomes_report(s)),
            (f"alertes, page 1 ({name})", lambda s=scope: lagging_lots(s, territory, page=1)),
            (f"part des marchés avec clause ({name})", lambda s=scope: clause_share(s)),
        ]
    return timed


def run(url: str, people: int, hours: int, seed: int = 2024) -> None:
    """Fill the database at `url`, then time the report queries and pages; prints the figures."""
    from flask_login.utils import _create_identifier

    from clausematch import create_app
    from clausematch.accounts.models import Territory
    from clausematch.extensions import db
    from clausematch.referential.loading import load_reference_data
    from clausematch.reporting.filters import Scope

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        db.create_all()
        load_reference_data()
        ids = _organisations(db)
        hires = _people(db, ids, people, random.Random(seed))
        count = _hours(db, hires, hours)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        click.echo(f"  Préparation : {common.count(count)} relevés d'heures, "
                   f"{common.count(people)} personnes, "
                   f"{common.count(len(hires))} embauches en {time.perf_counter() - started:.0f} s")
        territory = db.session.get(Territory, ids["territory"])
        _lot_id, _company, contract_id, buyer_id = ids["lots"][0]
        scopes = {"territoire": Scope(territory_id=territory.id), "un acheteur": Scope(territory.id, buyer_id=buyer_id),
                  "un marché": Scope(territory.id, contract_id=contract_id),
                  "un programme": Scope(territory.id, programme_id=ids["programme"])}
        for label, func in _queries(territory, scopes):
            click.echo(f"  {label} : p50 {common.ms(_p50(func))}")
            db.session.remove()
        client = app.test_client()
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session.update({"_user_id": ids["login"], "_fresh": True, "_id": identifier})
        for path in ("/rapports/entonnoir", "/rapports/heures", "/rapports/heures?par=annee", "/rapports/publics",
                     "/rapports/sorties", "/rapports/alertes", "/facilitateur"):
            click.echo(f"  page {path} : p50 {common.ms(_p50(lambda p=path: _get(client, p)))}")
        db.session.remove()
        db.engine.dispose()


def _get(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise click.ClickException(f"{path} a répondu {response.status_code}.")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mesure les requêtes et les pages des rapports.")
    parser.add_argument("--heures", type=int, default=1_000_000, help="relevés d'heures créés (1 000 000)")
    parser.add_argument("--personnes", type=int, default=40_000, help="personnes orientées (40 000)")
    args = parser.parse_args(argv)
    click.echo(f"Rapports : {common.count(args.heures)} relevés d'heures, "
               f"{common.count(args.personnes)} personnes orientées ; "
               f"médiane de {RUNS} mesures après un premier passage")
    common.on_each_database(run, args.personnes, args.heures)

if __name__ == "__main__":
    main()
