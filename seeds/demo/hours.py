"""Monthly insertion hours per employment contract: declared by the company, validated by the
facilitator, except the last month or two still waiting."""
import calendar
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.database import add_months
from clausematch.pathways.models import HoursEntry, HoursKind, HoursStatus
from clausematch.vocabulary import ContractType
from seeds.demo.accounts import facilitators, staff_of
from seeds.demo.common import Plan, month_starts

WEEKS_PER_MONTH = 4.33
MONTHLY_CAP = Decimal("230")
# Alternating contracts: a share of the month is spent in the training centre.
TRAINING_SHARE = {ContractType.PROFESSIONNALISATION: 0.25, ContractType.APPRENTISSAGE: 0.4}
CENT = Decimal("0.01")


def worked_months(contract: dict, lot: dict, first: date | None, last: date) -> list[tuple[date, float]]:
    """(month, share of the month worked) for each month the contract ran on the lot,
    within [first, last] (months, inclusive)."""
    begin = max(contract["start_date"], lot["start_date"])
    end = min(d for d in (contract["end_date"], lot["end_date"], add_months(last, 1) - timedelta(days=1)) if d)
    if first is not None:
        begin = max(begin, first)
    months = []
    for month in month_starts(begin, end):
        days = calendar.monthrange(month.year, month.month)[1]
        month_end = month.replace(day=days)
        worked = (min(end, month_end) - max(begin, month)).days + 1
        if worked > 0:
            months.append((month, worked / days))
    return months


def raw_entries(rng, item: dict, first: date | None, last: date, training: bool = True) -> list[dict]:
    """Entries for one contract (hours not yet final), one per month and kind."""
    contract, lot_ref = item["contract"], item["lot_ref"]
    share = TRAINING_SHARE.get(contract["contract_type"], 0) if training else 0
    entries = []
    for month, fraction in worked_months(contract, lot_ref["lot"], first, last):
        if rng.random() < 0.03:
            continue  # a month of sick leave or a gap between missions
        base = contract["weekly_hours"] * WEEKS_PER_MONTH * fraction * rng.uniform(0.88, 1.06)
        for kind, part in ((HoursKind.WORK, 1 - share), (HoursKind.TRAINING, share)):
            hours = min(Decimal(str(base * part)).quantize(CENT), MONTHLY_CAP)
            if part and hours >= 1:
                entries.append(_entry(contract, month, kind, hours))
    return entries


def _entry(contract: dict, month: date, kind: HoursKind, hours: Decimal) -> dict:
    return {"contract_id": contract["id"], "candidate_id": contract["candidate_id"], "lot_id": contract["lot_id"],
            "company_id": contract["company_id"], "mode": contract["mode"], "month": month, "kind": kind,
            "hours": hours, "employer_id": contract["employer_id"]}


def queue_entries(plan: Plan, rng, entries: list[dict], *, pending_months: set[date] = frozenset()) -> None:
    """Queue entries: validated by a facilitator, or still declared for `pending_months`."""
    team = facilitators(plan)
    now = datetime.combine(plan.anchor, time(7, 0))
    for entry in entries:
        employer_id = entry.pop("employer_id")
        declarers = staff_of(plan, employer_id) or staff_of(plan, entry["company_id"])
        month_after = add_months(entry["month"], 1)
        declared = min(datetime.combine(month_after + timedelta(days=rng.randint(0, 8)), time(16, 0)), now)
        pending = entry["month"] in pending_months
        validated = None if pending else min(declared + timedelta(days=rng.randint(3, 14)), now)
        plan.add(HoursEntry, **entry, status=HoursStatus.DECLARED if pending else HoursStatus.VALIDATED,
                 declared_by_id=rng.choice(declarers)["id"],
                 validated_by_id=None if pending else rng.choice(team)["id"], validated_at=validated,
                 created_at=declared, updated_at=validated or declared)


def build_generic_hours(plan: Plan) -> None:
    """The last 24 months of hours of the everyday contracts; the asbestos track's whole
    history (fixed dates); the Olympic story queues its own (`seeds.demo.olympic`)."""
    rng = plan.rng("hours")
    last, previous = plan.last_month, add_months(plan.last_month, -1)
    # Last month is never validated yet; the month before, about half the companies are late.
    late = {company_id for company_id in sorted({i["contract"]["company_id"] for i in plan.refs["employment"]})
            if rng.random() < 0.5}
    for item in plan.refs["employment"]:
        if item["story"] == "olympic":
            continue
        first = None if item["story"] == "asbestos" else plan.window_start
        entries = raw_entries(rng, item, first, last)
        for entry in entries:
            pending = entry["month"] == last or (entry["month"] == previous and entry["company_id"] in late)
            queue_entries(plan, rng, [entry], pending_months={entry["month"]} if pending else set())
