"""Story d) The counting rules at work on a small services contract (docs/domain.md, "Heures qui
comptent"): the EPT's cleaning of its administrative buildings, one lot held by Nettoyage Services
Plaine, whose clause credits its own CDI lump (700 h, the territory has none) and converts SIAE
invoices at its own hourly cost (25 €/h).

- Two people hired in CDI on the lot, about five months ago, 24 h a week: each credits the lump
  once, in the month their CDI starts, instead of the hours they work under it (which stay on
  their pathway).
- The Régie de quartier de Saint-Denis cleans the common areas as a subcontractor: two
  invoices, one validated three months ago (6 000 € → 240 h), one for last month still declared,
  waiting in the facilitators' queue (3 750 € → 150 h).

Built after every other section (candidates included), with its own generator: nothing of the
three stories, nor of the everyday activity, changes. The hours and the invoices are dated from
the day of loading, like the everyday activity.
"""
from datetime import datetime, time, timedelta
from decimal import Decimal

from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Clause, ClauseKind, ObjectiveMethod, computed_objective
from clausematch.database import add_months
from clausematch.pathways.counting import converted_hours
from clausematch.pathways.models import EmploymentContract, HoursStatus, InvoiceNature, SubcontractingInvoice
from clausematch.vocabulary import ContractType, Mode
from seeds.demo.accounts import facilitators, staff_of
from seeds.demo.common import Plan
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract
from seeds.demo.hours import queue_entries, raw_entries
from seeds.demo.pathways import add_employment

BUYER = "EPT Plaine Commune"
TITULAIRE = "Nettoyage Services Plaine"
SIAE = "Régie de quartier de Saint-Denis"
AMOUNT, LABOUR, RATE, COST = Decimal("900000"), Decimal("0.6"), Decimal("0.05"), Decimal("25")
CDI_LUMP = 700  # hours (an integer column)
WEEKLY_HOURS = 24.0
# months before last month, amount excl. VAT, validated
INVOICES = [(3, Decimal("6000"), True), (0, Decimal("3750"), False)]


def build_counting_rules(plan: Plan) -> None:
    rng = plan.rng("counting_rules")
    orgs = plan.refs["orgs"]
    start = add_months(plan.last_month, -11)
    spec = ContractSpec(
        buyer=BUYER, sector="services", commune="93066", notified_on=start - timedelta(days=30),
        start_date=start, end_date=add_months(start, 36) - timedelta(days=1),
        clause_kind=ClauseKind.EXECUTION_CONDITION, story="counting_rules",
        object="Nettoyage et entretien des locaux administratifs du territoire")
    spec.lots.append(LotSpec("Nettoyage des bureaux et parties communes", "nettoyage", AMOUNT, orgs[TITULAIRE], {
        "hours_objective": computed_objective(AMOUNT, LABOUR, RATE, COST),
        "objective_method": ObjectiveMethod.COMPUTED, "labour_share": LABOUR, "insertion_rate": RATE,
        "hourly_cost": COST, "cdi_lump_hours": CDI_LUMP, "eligible_criteria": [], "allowed_modes": [],
        "notes": f"Chaque embauche en CDI est valorisée {CDI_LUMP} h (forfait propre à cette clause) ; "
                 f"la sous-traitance à une SIAE se compte au coût horaire de la clause, {COST} €/h."}))
    # Rows of a table are inserted by one executemany compiled from the first row's keys: the other
    # clauses name the column too (no lump of their own), or this clause's lump would be dropped.
    for clause in plan.rows[Clause]:
        clause.setdefault("cdi_lump_hours", None)
    add_contract(plan, spec)
    lot_ref = plan.refs["lots"][-1]
    hired_on = add_months(plan.last_month, -4) + timedelta(days=6)
    for candidate_id in _free_candidates(plan, rng, hired_on):
        contract = add_employment(plan, rng, candidate_id=candidate_id, lot_ref=lot_ref, employer=orgs[TITULAIRE],
                                  mode=Mode.DIRECT, contract_type=ContractType.CDI, start=hired_on,
                                  planned_end=None, end=None, weekly_hours=WEEKLY_HOURS, story="counting_rules")
        item = {"contract": contract, "lot_ref": lot_ref}
        queue_entries(plan, rng, raw_entries(rng, item, None, plan.last_month),
                      pending_months={plan.last_month})
        hired_on += timedelta(days=21)
    _invoices(plan, rng, lot_ref)


def _free_candidates(plan: Plan, rng, hired_on) -> list[int]:
    """Two people of the services track in no story, with no application nor contract, no
    duplicate record, known to ClauseMatch a month at least before their hire."""
    busy = {row["candidate_id"] for row in plan.rows[EmploymentContract]}
    latest = datetime.combine(hired_on - timedelta(days=30), time.min)
    people = plan.refs["people"]
    pool = [row["id"] for row in plan.rows[Candidate]
            if people[row["id"]]["track"] == "services" and not people[row["id"]]["apps"]
            and "twin" not in people[row["id"]] and row["id"] not in busy and row["created_at"] <= latest]
    return rng.sample(pool, 2)


def _invoices(plan: Plan, rng, lot_ref: dict) -> None:
    declarer = staff_of(plan, lot_ref["company"]["id"])[0]
    siae = plan.refs["orgs"][SIAE]
    for months_before, amount, validated in INVOICES:
        month = add_months(plan.last_month, -months_before)
        declared = min(datetime.combine(add_months(month, 1) + timedelta(days=4), time(15, 0)),
                       datetime.combine(plan.anchor, time(7, 0)))
        checked = declared + timedelta(days=6) if validated else None
        plan.add(SubcontractingInvoice, lot_id=lot_ref["lot"]["id"], siae_id=siae["id"],
                 nature=InvoiceNature.SUBCONTRACTING, month=month, amount_ht=amount, hourly_cost=COST,
                 converted_hours=converted_hours(amount, COST), reference=f"RQSD-{month:%Y%m}",
                 status=HoursStatus.VALIDATED if validated else HoursStatus.DECLARED, rejection_reason="",
                 declared_by_id=declarer["id"], validated_by_id=rng.choice(facilitators(plan))["id"] if validated
                 else None, validated_at=checked, created_at=declared, updated_at=checked or declared)
