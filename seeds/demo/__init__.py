"""The demo territory (Plaine Commune): `flask seed demo`.

Deterministic (seeded generators, one per section); everyday activity is dated relative to
today so that the demo looks alive, while the stories told by the bilans (asbestos track,
Olympic works, Saint-Denis SPASER) have fixed dates and exact figures, and 54 % of the 2024
participants live in the territory (`seeds.demo.residence`); the demo company's pooling agreement
(seeds/demo/pooling.py) changes how two of its lots are judged, no figure. A last section, built
after all the others, shows the other counting rules at work (counting_rules.py: a clause's own
CDI lump, SIAE invoices validated and waiting).
Everything is planned in memory, then bulk-inserted and committed once.
"""
import logging
import time

import sqlalchemy as sa

from clausematch import models as m
from clausematch.candidates.name_words import rebuild_name_words
from clausematch.database import today
from clausematch.extensions import db
from clausematch.pathways import hours_totals
from clausematch.pathways.models import SubcontractingInvoice
from clausematch.prehire.models import event_offers
from seeds.demo.accounts import build_accounts
from seeds.demo.applications import build_generic_applications
from seeds.demo.asbestos import build_asbestos
from seeds.demo.common import Plan
from seeds.demo.contracts import build_generic_contracts
from seeds.demo.counting_rules import build_counting_rules
from seeds.demo.directory import build_directory
from seeds.demo.eligibility import finalise_candidates
from seeds.demo.events import build_events
from seeds.demo.hours import build_generic_hours
from seeds.demo.offers import build_generic_offers, build_offer_history
from seeds.demo.olympic import build_olympic
from seeds.demo.organisations import build_organisations
from seeds.demo.pathways import build_generic_pathways
from seeds.demo.people import build_candidates
from seeds.demo.pooling import build_pooling
from seeds.demo.residence import balance_residence
from seeds.demo.saint_denis import build_saint_denis
from seeds.demo.territory import build_territory
from seeds.demo.trades import load_appellations

log = logging.getLogger(__name__)

# Parents before children: the order rows are inserted in.
INSERT_ORDER = [
    m.Territory, m.TerritoryCommune, m.Organisation, m.User, m.Membership, m.DirectoryProfile, m.DirectoryRomeCode,
    m.DirectoryCommune, m.Contract, m.Lot, m.Clause, m.HoursPool, m.HoursPoolLot,
    m.Programme, m.Offer, m.OfferStatusChange, m.Candidate, m.CandidateDesiredJob, m.Consent,
    m.EligibilityCriterion, m.Event, m.EventParticipant, m.PreHireStep, m.Application, m.ApplicationEvent,
    m.EmploymentContract, m.Exit, m.FollowUp, m.HoursEntry, SubcontractingInvoice,
]
SUMMARY = {
    "organisations": m.Organisation, "utilisateurs": m.User, "marchés": m.Contract, "lots": m.Lot,
    "clauses": m.Clause, "offres": m.Offer, "candidats": m.Candidate, "candidatures": m.Application,
    "contrats de travail": m.EmploymentContract, "sorties": m.Exit, "suivis à 6 mois": m.FollowUp,
    "relevés d'heures": m.HoursEntry, "factures de SIAE": SubcontractingInvoice,
}


def database_is_empty() -> bool:
    """True when none of the tables the demo fills holds a row (reference data aside)."""
    for model in INSERT_ORDER:
        if db.session.execute(sa.select(sa.literal(1)).select_from(model.__table__).limit(1)).first():
            return False
    return True


def seed_demo() -> dict[str, int]:
    """Build the whole demo territory, commit once, and return counts per kind of record."""
    started = time.perf_counter()
    plan = build_plan()
    insert_plan(plan)
    rebuild_name_words(db.session.connection())  # bulk inserts skip the mapper events that keep them
    db.session.commit()
    log.info("Territoire de démonstration chargé en %.1f s", time.perf_counter() - started)
    return {label: len(plan.rows[model]) for label, model in SUMMARY.items()}


def build_plan() -> Plan:
    """Every row of the demo, in memory, ready to insert."""
    plan = Plan(today())
    build_territory(plan)
    build_organisations(plan)
    build_accounts(plan)
    build_directory(plan)
    plan.refs["appellations"] = load_appellations()
    build_generic_contracts(plan)
    build_saint_denis(plan)
    build_candidates(plan)
    taken: set[int] = set()  # candidates living a story, kept out of the everyday flow
    build_asbestos(plan, taken)
    build_olympic(plan, taken)
    build_generic_offers(plan)
    build_generic_applications(plan, taken)
    build_offer_history(plan)
    build_generic_pathways(plan)
    build_generic_hours(plan)
    build_pooling(plan)
    build_events(plan, taken)
    balance_residence(plan)  # once every hire is known; before the criteria (QPV) are queued
    finalise_candidates(plan)
    build_counting_rules(plan)  # last, with its own generator: the stories above are unchanged
    return plan


def insert_plan(plan: Plan) -> None:
    for model in INSERT_ORDER:
        rows = plan.rows[model]
        if model is m.EmploymentContract:
            # Conversions point to the contract they follow: insert those after their predecessor.
            first = [r for r in rows if r["previous_contract_id"] is None]
            _insert(model, first)
            _insert(model, [r for r in rows if r["previous_contract_id"] is not None])
        elif model is m.HoursEntry:
            # ≈16 000 entries: their lot-and-month totals computed once (one GROUP BY) rather than
            # by the trigger, row by row (as `flask seed scale` does).
            with hours_totals.suspended():
                _insert(model, rows)
        else:
            _insert(model, rows)
    if plan.rows[event_offers]:  # the offers an event serves: an association table, after both
        db.session.execute(sa.insert(event_offers), plan.rows[event_offers])
    if db.session.get_bind().dialect.name == "postgresql":
        advance_sequences()


def _insert(model, rows: list[dict]) -> None:
    # Core executemany on the table: the ORM's bulk insert splits the batch wherever a row
    # has None in another column than its neighbour, which is five times slower here.
    if rows:
        db.session.execute(sa.insert(model.__table__), rows)


def advance_sequences() -> None:
    """Ids were given explicitly: move each serial sequence past them."""
    for model in INSERT_ORDER:
        table = model.__table__
        if "id" not in table.c:
            continue
        db.session.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
            f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {table.name}"))
