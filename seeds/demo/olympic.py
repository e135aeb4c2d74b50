"""Story b) An Olympic-works contract (SOLIDEO): the validated work hours reach exactly 114 %
of the clauses' objective (over-achievement is normal on the Olympic sites)."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.applications.models import ApplicationStatus
from clausematch.contracts.models import ClauseKind, ObjectiveMethod, computed_objective
from clausematch.offers.models import OfferStatus
from clausematch.vocabulary import ContractType, Mode
from seeds.demo.applications import MAIN_PATH, path_to, walk
from seeds.demo.common import Plan, add_months, weighted
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract
from seeds.demo.hours import CENT, MONTHLY_CAP, queue_entries, raw_entries
from seeds.demo.offers import add_offer
from seeds.demo.organisations import SOLIDEO
from seeds.demo.pathways import EXIT_AT_TERM, add_employment, add_exit
from seeds.demo.people import pick_candidates

REFERENCE = "SOLIDEO-2021-VDA-D"
ACHIEVEMENT = Decimal("1.14")
RATE, LABOUR, COST = Decimal("0.10"), Decimal("0.5"), Decimal("30")
START, END = date(2021, 5, 3), date(2023, 12, 31)
# title, trade, amount, titulaire: objectives 27 000 + 18 000 + 10 000 = 55 000 h → 62 700 h.
LOTS = [
    ("Gros œuvre", "gros_oeuvre", Decimal("16200000"), "Bâti Grand Paris Construction"),
    ("Corps d'état architecturaux", "second_oeuvre", Decimal("10800000"), "Entreprise générale Pleyel"),
    ("Voirie, réseaux et aménagements paysagers", "vrd", Decimal("6000000"),
     "Routes et Réseaux de France – agence Nord"),
]
T = ContractType
# lot index, appellation, mode, employer (None: the titulaire), contract type, positions, published on
OFFERS = [
    (0, 12685, Mode.DIRECT, None, T.CDD, 5, date(2021, 6, 1)),
    (0, 15071, Mode.ETTI, "ETTI Plaine Intérim Insertion", T.INTERIM, 6, date(2021, 6, 15)),
    (0, 16352, Mode.GEIQ, "GEIQ BTP 93", T.PROFESSIONNALISATION, 4, date(2021, 9, 1)),
    (0, 15432, Mode.DIRECT, None, T.CDD, 3, date(2022, 1, 10)),
    (1, 16850, Mode.ETTI, "ETTI Plaine Intérim Insertion", T.INTERIM, 5, date(2022, 2, 14)),
    (1, 17619, Mode.DIRECT, None, T.CDD, 4, date(2022, 3, 1)),
    (1, 14635, Mode.GEIQ, "GEIQ BTP 93", T.APPRENTISSAGE, 3, date(2022, 4, 4)),
    (1, 17837, Mode.DIRECT, None, T.CDD, 2, date(2022, 5, 2)),
    (2, 11661, Mode.DIRECT, None, T.CDD, 3, date(2022, 6, 1)),
    (2, 10851, Mode.SUBCONTRACTING_SIAE, "Bâtir Ensemble Insertion", T.CDDI, 3, date(2022, 9, 5)),
    (2, 16069, Mode.SUBCONTRACTING_SIAE, "Chantier d'insertion Espaces verts du Canal", T.CDDI, 2, date(2023, 3, 1)),
]
MONTHS = {T.CDD: {10: 2, 12: 3, 15: 2, 18: 1}, T.INTERIM: {6: 2, 9: 2, 12: 1}, T.PROFESSIONNALISATION: {12: 1},
          T.APPRENTISSAGE: {24: 1}, T.CDDI: {8: 1, 10: 1, 12: 1}}


def build_olympic(plan: Plan, taken: set[int]) -> None:
    """Queue the contract, its offers, applications, hires, exits and the exact hours."""
    rng = plan.rng("olympic")
    orgs = plan.refs["orgs"]
    spec = ContractSpec(
        buyer=SOLIDEO, reference=REFERENCE, sector="construction", commune="93066",
        object="Village des athlètes – secteur D : logements, bureaux et espaces publics (Saint-Denis)",
        notified_on=date(2021, 3, 15), start_date=START, end_date=END,
        clause_kind=ClauseKind.EXECUTION_CONDITION, story="olympic")
    for title, trade, amount, titulaire in LOTS:
        spec.lots.append(LotSpec(title, trade, amount, orgs[titulaire], {
            "hours_objective": computed_objective(amount, LABOUR, RATE, COST),
            "objective_method": ObjectiveMethod.COMPUTED, "labour_share": LABOUR, "insertion_rate": RATE,
            "hourly_cost": COST, "eligible_criteria": [], "allowed_modes": [],
            "notes": "Ouvrages olympiques : 10 % des heures travaillées réservées à l'insertion."}))
    contract = add_contract(plan, spec)
    lot_refs = [ref for ref in plan.refs["lots"] if ref["contract"] is contract]
    for lot_index, appellation, mode, employer, contract_type, positions, published in OFFERS:
        lot_ref = lot_refs[lot_index]
        company = orgs[employer] if employer else lot_ref["company"]
        opened = datetime.combine(published, time(9, 30))
        meta = add_offer(plan, rng, lot_ref, company=company, mode=mode, contract_type=contract_type,
                         appellation=appellation, status=OfferStatus.FILLED, created=opened - timedelta(days=6),
                         published=opened, positions=positions, weekly_hours=35.0,
                         timeline={"submitted": opened - timedelta(days=3)})
        _recruit(plan, rng, meta, taken)
    for lot_ref in lot_refs:
        _hours(plan, rng, lot_ref)


def _recruit(plan: Plan, rng, meta: dict, taken: set[int]) -> None:
    offer = meta["offer"]
    published = offer["published_at"]
    latest = published + timedelta(days=45)
    others = rng.randint(2, 5)
    people = pick_candidates(plan, rng, offer["positions"] + others, "construction", taken)
    for n, candidate_id in enumerate(people):
        hired = n < offer["positions"]
        path = MAIN_PATH if hired else path_to(weighted(rng, {ApplicationStatus.REFUSED: 4,
                                                              ApplicationStatus.WITHDRAWN: 1}), rng)
        start = published + timedelta(days=rng.uniform(1, 20))
        app = walk(plan, rng, meta, candidate_id, path, start, latest)
        if hired:
            _hire(plan, rng, meta, app)
    last_hire = max(a["last_event_at"] for a in meta["apps"] if a["status"] is ApplicationStatus.HIRED)
    meta["timeline"]["filled"] = last_hire + timedelta(hours=4)


def _hire(plan: Plan, rng, meta: dict, app: dict) -> None:
    offer = meta["offer"]
    start = app["last_event_at"].date() + timedelta(days=rng.randint(7, 14))
    planned = add_months(start, weighted(rng, MONTHS[offer["contract_type"]])) - timedelta(days=1)
    if offer["contract_type"] is not T.APPRENTISSAGE:
        planned = min(planned, END)  # the site closes: contracts end with it
    contract = add_employment(
        plan, rng, candidate_id=app["candidate_id"], lot_ref=meta["lot_ref"], employer=meta["company"],
        mode=meta["mode"], contract_type=offer["contract_type"], start=start, planned_end=planned, end=planned,
        weekly_hours=offer["weekly_hours"], application_id=app["id"], story="olympic")
    add_exit(plan, rng, contract, weighted(rng, EXIT_AT_TERM), comment="Fin de mission sur le Village des athlètes.")


def _hours(plan: Plan, rng, lot_ref: dict) -> None:
    """Every hire's monthly hours on the lot, scaled so that they total exactly 114 % of the
    lot's objective (to the cent); all validated."""
    items = [item for item in plan.refs["employment"] if item["lot_ref"] is lot_ref]
    entries = [entry for item in items
               for entry in raw_entries(rng, item, None, END.replace(day=1), training=False)]
    target = lot_ref["clause"]["hours_objective"] * ACHIEVEMENT
    factor = target / sum(entry["hours"] for entry in entries)
    for entry in entries:
        entry["hours"] = min((entry["hours"] * factor).quantize(CENT), MONTHLY_CAP)
    residual = target - sum(entry["hours"] for entry in entries)
    for entry in sorted(entries, key=lambda e: (e["hours"], e["contract_id"], e["month"])):
        step = min(MONTHLY_CAP - entry["hours"], residual) if residual > 0 else max(-entry["hours"], residual)
        entry["hours"] += step
        residual -= step
        if residual == 0:
            break
    assert residual == 0 and sum(entry["hours"] for entry in entries) == target
    queue_entries(plan, rng, entries)
