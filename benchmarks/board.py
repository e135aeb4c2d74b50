"""Benchmark of the public job board's search: ``python -m benchmarks.board``.

Builds a throwaway database (a SQLite file in a temporary folder, and a PostgreSQL database when a
server answers at TEST_POSTGRES_URL or 127.0.0.1:5432), loads the reference data, inserts 50 000
offers spread over France (communes drawn by population, clause-typical jobs of building and
services, every status), then runs 50 searches — radius around a commune, keyword, both combined —
and the labelled queries of board_queries.csv (typed as people type them, each with the ROME codes
it must find), and prints in French the median and 95th-percentile latency, for the search service
alone (SQL) and for the whole page, and the recall@10 of the labelled queries.
Nothing is timed in the test suite: figures depend on the machine (tests/offers checks the recall).

recall@10 of a query: the share of its expected ROME codes found among the codes of its first 10
results (keyword alone, the board's order); the figure is the mean over the queries.
"""
import argparse
import csv
import random
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import click
import sqlalchemy as sa

from benchmarks import common
from clausematch.bulk import write_dicts

QUERIES_CSV = Path(__file__).resolve().parent / "board_queries.csv"
# Jobs clauses usually carry (docs/domain.md) and those the labelled queries look for, services
# (cleaning, care, catering, logistics, security, administration) as well as building trades.
CLAUSE_ROME_CODES = ("F1701", "F1702", "F1703", "F1704", "F1705", "F1601", "F1602", "F1603", "F1604",
                     "F1606", "F1607", "F1608", "F1610", "F1611", "F1613", "F1301", "F1302", "K2204", "K2303",
                     "A1203", "G1602", "M1602", "K1204", "N1103", "N4105", "I1203", "K1302", "K1303", "K1304",
                     "J1301", "J1501", "G1603", "G1605", "G1803", "N1101", "N1105", "N4101", "K2501", "K2503",
                     "M1601", "M1607")
RECALL_AT = 10


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    codes: frozenset[str]
    nature: str


def read_queries(path: Path = QUERIES_CSV) -> list[LabelledQuery]:
    """The labelled queries: what people type, the ROME codes each must find, what it tests."""
    with path.open(encoding="utf-8", newline="") as file:
        return [LabelledQuery(row["requete"], frozenset(row["codes_rome"].split()), row["nature"])
                for row in csv.DictReader(file)]


def recall(queries: list[LabelledQuery]) -> tuple[float, list[tuple[LabelledQuery, float]], list[float]]:
    """Mean recall@10 of the queries on the current database, each query's recall, and the time
    each search took (the service: COUNT and page rows; in an app context)."""
    import sqlalchemy as sa

    from clausematch.extensions import db
    from clausematch.offers.models import Offer
    from clausematch.offers.search import BoardFilters, search_offers

    each, durations = [], []
    for query in queries:
        started = time.perf_counter()
        page = search_offers(BoardFilters(q=query.text), per_page=RECALL_AT)
        durations.append(time.perf_counter() - started)
        ids = [offer.id for offer in page.items]
        codes = set(db.session.scalars(sa.select(Offer.rome_code).where(Offer.id.in_(ids)))) if ids else set()
        each.append((query, len(query.codes & codes) / len(query.codes)))
        db.session.remove()
    return sum(r for _, r in each) / len(each), each, durations
KEYWORDS = ("macon", "agent d entretien", "electricien", "peintre", "cuisine", "espaces verts", "coffreur",
            "plombier", "nettoyage", "chauffeur livreur", "manoeuvre", "carreleur", "secretaire", "menuisier")
RADII = (5, 10, 20, 30, 50, 100)


def _offer_rows(n: int, rng: random.Random, refs: dict, ids: dict) -> Iterator[dict]:
    """Rows for a bulk INSERT of `n` offers: communes drawn by population, about half of them not
    public (another status, or their publication over); their search documents built as the
    offers service does (search_index.DocumentBuilder)."""
    from clausematch.database import utcnow
    from clausematch.offers.models import OfferStatus
    from clausematch.text import normalise
    from clausematch.vocabulary import ContractType, Sector

    statuses = [OfferStatus.PUBLISHED] * 7 + [OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.FILLED,
                                              OfferStatus.CLOSED]
    now = utcnow()
    today = now.date()
    communes = rng.choices(refs["communes"], weights=refs["weights"], k=n)
    for insee, lat, lon in communes:
        code, label, rome_label = rng.choice(refs["jobs"])
        status = rng.choice(statuses)
        title = label.split(" / ")[0] if rng.random() < 0.7 else f"{label.split(' / ')[0]} H/F"
        yield {
            "territory_id": ids["territory"], "lot_id": ids["lot"], "company_id": ids["company"],
            "title": title, "appellation_code": code, "rome_code": refs["rome_of"][code],
            "sector": Sector.CONSTRUCTION if refs["rome_of"][code].startswith("F") else Sector.SERVICES,
            "description": "", "skills": "", "search_text": normalise(f"{title} {label} {rome_label}"),
            **refs["documents"].columns(title, code),
            "commune_insee": insee, "latitude": lat, "longitude": lon,
            "contract_type": rng.choice(list(ContractType)), "weekly_hours": rng.choice((20, 24, 35, 39)),
            "positions": 1, "start_date": today + timedelta(days=rng.randint(0, 90)),
            "publication_end": rng.choice((None, today - timedelta(days=rng.randint(1, 60)),
                                           today + timedelta(days=rng.randint(0, 90)))),
            "eligible_criteria": [], "status": status,
            "published_at": now - timedelta(minutes=rng.randint(0, 60 * 24 * 90))
            if status == OfferStatus.PUBLISHED else None,
        }


def _reference(db) -> dict:
    """Communes (with their population as weight) and clause-typical appellations."""
    from clausematch.offers.search_index import DocumentBuilder
    from clausematch.referential.models import Commune, RomeAppellation, RomeCode

    communes = db.session.scalars(sa.select(Commune).where(Commune.population > 0)).all()
    jobs = db.session.execute(sa.select(RomeAppellation.code, RomeAppellation.label, RomeCode.label)
                              .join(RomeCode, RomeCode.code == RomeAppellation.rome_code)
                              .where(RomeAppellation.rome_code.in_(CLAUSE_ROME_CODES))).all()
    rome_of = dict(db.session.execute(sa.select(RomeAppellation.code, RomeAppellation.rome_code)).all())
    return {"communes": [(c.insee_code, c.latitude, c.longitude) for c in communes],
            "labels": {c.insee_code: c.label for c in communes},  # "Lille (59000)": what people type or pick
            "weights": [c.population for c in communes], "jobs": [tuple(j) for j in jobs], "rome_of": rome_of,
            "documents": DocumentBuilder(db.session)}


def _owners(db) -> dict:
    """The territory, buyer, company, contract and lot every benchmark offer hangs on."""
    from clausematch.accounts.models import Buyer, BuyerKind, Company, CompanyKind, Territory
    from clausematch.contracts.models import Contract, Lot
    from clausematch.vocabulary import Sector

    territory = Territory(name="Banc d'essai")
    buyer = Buyer(territory=territory, name="Acheteur du banc d'essai", buyer_kind=BuyerKind.CITY)
    company = Company(territory=territory, name="Entreprise du banc d'essai", company_kind=CompanyKind.TITULAIRE,
                      siret="73282932000074")
    db.session.add_all([territory, buyer, company])
    db.session.flush()
    contract = Contract(territory_id=territory.id, buyer=buyer, reference="BANC-1", object="Banc d'essai",
                        sector=Sector.CONSTRUCTION, amount_ht=Decimal("1000000"), notified_on=date(2025, 1, 1),
                        start_date=date(2025, 1, 1))
    lot = Lot(contract=contract, number=1, title="Lot unique", company=company, amount_ht=Decimal("1000000"),
              start_date=date(2025, 1, 1))
    db.session.add_all([contract, lot])
    db.session.commit()
    return {"territory": territory.id, "company": company.id, "lot": lot.id}


def _searches(n: int, rng: random.Random, refs: dict) -> list[tuple[str, dict[str, str]]]:
    """(kind, query-string arguments) of `n` searches: a third each radius, keyword, combined."""
    from clausematch.vocabulary import ContractType

    searches = []
    for i in range(n):
        insee = rng.choices(refs["communes"], weights=refs["weights"])[0][0]
        # The label, as the autocomplete writes it: a bare INSEE code may also be another commune's postcode.
        place = {"commune": refs["labels"][insee], "rayon": str(rng.choice(RADII))}
        keyword = {"q": rng.choice(KEYWORDS)}
        kind = ("rayon", "mot-clé", "combinée")[i % 3]
        args = {"rayon": place, "mot-clé": keyword,
                "combinée": {**place, **keyword, "type": rng.choice(list(ContractType)).value}}[kind]
        searches.append((kind, args))
    return searches


def _percentiles(durations: list[float]) -> str:
    if len(durations) < 2:
        return "—"
    cuts = statistics.quantiles(durations, n=20)
    return f"p50 {common.ms(statistics.median(durations))}, p95 {common.ms(cuts[18])}"






def _timed(func: Callable[[], object]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def fill(db, offers: int, rng: random.Random) -> dict:
    """Schema, reference data and `offers` offers; returns the reference data drawn from."""
    from clausematch.offers.models import Offer
    from clausematch.referential.loading import load_reference_data

    db.create_all()
    load_reference_data()
    refs, ids = _reference(db), _owners(db)
    write_dicts(Offer, _offer_rows(offers, rng, refs, ids))
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))  # planner statistics, as a live database has them
    db.session.commit()
    return refs


def _report(service: dict[str, list[float]], page: dict[str, list[float]]) -> None:
    for kind in service:
        whole = f" ; page complète {_percentiles(page[kind])}" if kind in page else ""
        click.echo(f"  Recherche {kind} ({len(service[kind])}) : service {_percentiles(service[kind])}{whole}")
    every = [d for durations in service.values() for d in durations]
    pages = [d for durations in page.values() for d in durations]
    click.echo(f"  Toutes ({len(every)}) : service {_percentiles(every)} ; page complète {_percentiles(pages)}")


def run(url: str, offers: int, searches: int, seed: int = 2024) -> None:
    """Fill the database at `url` and time the searches; prints the figures."""
    from clausematch import create_app
    from clausematch.extensions import db
    from clausematch.offers.search import search_offers, text_query
    from clausematch.web.offers.board import read_filters

    rng = random.Random(seed)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        started = time.perf_counter()
        refs = fill(db, offers, rng)
        text_query("maçon")  # the referential index and the vocabulary: built once per process, not per search
        click.echo(f"  Préparation : {common.count(offers)} offres en {time.perf_counter() - started:.0f} s")
        client = app.test_client()
        client.get("/offres")  # templates compiled once, as in a running server
        service: dict[str, list[float]] = {}
        page: dict[str, list[float]] = {}
        for kind, args in _searches(searches, rng, refs):
            service.setdefault(kind, []).append(_timed(lambda args=args: search_offers(read_filters(args)[0])))
            db.session.remove()
            page.setdefault(kind, []).append(_timed(lambda args=args: client.get("/offres", query_string=args)))
        mean, each, durations = recall(read_queries())
        service["requête étiquetée"] = durations
        _report(service, page)
        figure = f"{mean:.2f}".replace(".", ",")
        click.echo(f"  Rappel@{RECALL_AT} des {len(each)} requêtes étiquetées (board_queries.csv) : {figure}")
        missed = [f"« {q.text} » {r:.2f}".replace(".", ",") for q, r in each if r < 1]
        if missed:
            click.echo(f"  Codes manqués : {' ; '.join(missed)}")
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mesure la recherche du tableau public des offres.")
    parser.add_argument("--offres", type=int, default=50_000, help="nombre d'offres créées (50 000)")
    parser.add_argument("--recherches", type=int, default=50, help="nombre de recherches mesurées (50)")
    args = parser.parse_args(argv)
    click.echo(f"Tableau public des offres : {args.recherches} recherches sur {common.count(args.offres)} offres "
               "(rayon autour d'une commune, mot-clé, les deux)")
    common.on_each_database(run, args.offres, args.recherches)

if __name__ == "__main__":
    main()
