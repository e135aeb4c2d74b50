"""Benchmark of the `hours` import kind: ``python -m benchmarks.imports_hours [--lignes 100000]``.

Builds a throwaway database (SQLite, then PostgreSQL when a server answers) holding one territory,
one contract with 10 lots and one person per 24 lines, each hired on one lot for 2025 (people and
contracts inserted in bulk), then times what the imports page does with a file of monthly hours
(12 months × work and training per person): the preview (`run(write=False)`), the commit
(`run(write=True)` + commit; from 2 000 entries the running totals get the import's sums at
once), and the same file again (every line unchanged). Prints the figures in French (wall clock,
and the process's CPU time: the database server's share is outside it); nothing is timed in the
test suite.
"""
import argparse
import time
from datetime import date

import click
import sqlalchemy as sa

from benchmarks import common


def _world(db, people: int) -> dict:
    from clausematch import models as m
    from clausematch.accounts.models import BuyerKind, CompanyKind, PrescriberKind, Role
    from clausematch.vocabulary import ContractType, EducationLevel, Gender, Mode, Sector

    territory = m.Territory(name="Banc d'essai des imports")
    team = m.FacilitatorTeam(territory=territory, name="Équipe du banc d'essai")
    user = m.User(email="banc-imports@exemple.fr", full_name="Banc d'essai", role=Role.FACILITATOR)
    prescriber = m.Prescriber(territory=territory, name="Prescripteur", prescriber_kind=PrescriberKind.FRANCE_TRAVAIL)
    company = m.Company(territory=territory, name="Titulaire", company_kind=CompanyKind.TITULAIRE,
                        siret="73282932000074")
    buyer = m.Buyer(territory=territory, name="Ville", buyer_kind=BuyerKind.CITY)
    db.session.add_all([territory, team, user, prescriber, company, buyer, m.Membership(user=user, organisation=team)])
    db.session.flush()
    contract = m.Contract(territory_id=territory.id, buyer_id=buyer.id, reference="BANC-2025", object="Banc",
                          sector=Sector.CONSTRUCTION, amount_ht=1_000_000, notified_on=date(2025, 1, 1),
                          start_date=date(2025, 1, 1))
    db.session.add(contract)
    db.session.flush()
    lots = [m.Lot(contract_id=contract.id, number=n, title=f"Lot {n}", company_id=company.id, amount_ht=100_000,
                  start_date=date(2025, 1, 1)) for n in range(1, 11)]
    db.session.add_all(lots)
    db.session.flush()
    if not people:  # the people benchmark (imports_people.py) imports its own
        db.session.commit()
        return {"territory": territory, "user": user}
    ids = db.session.scalars(sa.insert(m.Candidate).returning(m.Candidate.id, sort_by_parameter_order=True), [
        {"territory_id": territory.id, "prescriber_id": prescriber.id, "first_name": "Léa", "last_name": f"Nom{i}",
         "name_key": f"lea nom{i}", "birth_date": date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
         "gender": Gender.FEMALE, "education_level": EducationLevel.BAC} for i in range(people)]).all()
    db.session.execute(sa.insert(m.EmploymentContract), [
        {"candidate_id": candidate_id, "lot_id": lots[i % 10].id, "company_id": company.id,
         "employer_id": company.id, "contract_type": ContractType.CDI, "mode": Mode.DIRECT,
         "start_date": date(2025, 1, 1), "weekly_hours": 35} for i, candidate_id in enumerate(ids)])
    db.session.commit()
    return {"territory": territory, "user": user}


def _rows(people: int, lines: int):
    from clausematch.imports.base import Row

    rows = []
    for i in range(people):
        born = date(1960 + i % 40, 1 + i % 12, 1 + i % 28).strftime("%d/%m/%Y")
        for month in range(1, 13):
            for kind in ("travail", "formation"):
                rows.append(Row(len(rows) + 2, {"last_name": f"Nom{i}", "first_name": "Léa", "birth_date": born,
                                                "contract_reference": "BANC-2025", "lot_number": str(i % 10 + 1),
                                                "month": f"2025-{month:02d}", "hours": "151,67" if kind == "travail"
                                                else "7", "kind": kind}))
    return rows[:lines]


def time_runs(kind, world: dict, rows: list) -> None:
    """The preview (`run(write=False)`), the commit and the same file again through `kind.run`,
    each timed (wall clock and the process's CPU) and summarised in French, with a few refused
    lines if any."""
    from clausematch.extensions import db
    from clausematch.imports.base import Outcome

    for label, write in (("aperçu", False), ("enregistrement", True), ("même fichier, de nouveau", True)):
        started, cpu = time.perf_counter(), time.process_time()
        results = kind.run(world["territory"], world["user"], rows, write=write)
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        outcomes: dict[str, int] = {}
        for result in results:
            outcomes[result.outcome.label] = outcomes.get(result.outcome.label, 0) + 1
        summary = ", ".join(f"{common.count(n)} {label.lower()}s" for label, n in sorted(outcomes.items()))
        click.echo(f"  {label} : {elapsed:.1f} s, CPU du processus {cpu:.1f} s ({summary})".replace(".", ","))
        refused = [(r.line, r.message) for r in results if r.outcome is Outcome.REFUSED][:3]
        if refused:
            click.echo(f"  refusées, par exemple : {refused}")


def run(url: str, lines: int) -> None:
    from clausematch import create_app
    from clausematch.extensions import db
    from clausematch.imports.hours import KIND
    from clausematch.pathways import hours_totals

    people = -(-lines // 24)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        world = _world(db, people)
        rows = _rows(people, lines)
        time_runs(KIND, world, rows)
        click.echo(f"  totaux courants justes : {'oui' if hours_totals.mismatches() == [] else 'NON'}")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mesure l'import des heures mensuelles.")
    parser.add_argument("--lignes", type=int, default=100_000, help="lignes du fichier (100 000)")
    args = parser.parse_args(argv)
    click.echo(f"Import d'heures : {common.count(args.lignes)} lignes, {common.count(-(-args.lignes // 24))} personnes")
    common.on_each_database(run, args.lignes)


if __name__ == "__main__":
    main()
