"""Story d) A pooling agreement (globalisation entre lots): the demo company, Constructions du
Landy, has its hours judged over two of its running lots together — one behind its objective,
one ahead — and the territory applies pooling (`globalise_across_lots`). No story figure moves:
pooling changes how a lot is judged (its rate on the pool, the alerts), never a total.

The two lots are chosen from the plan itself (deterministic): among the company's running lots
with a clause and an objective, those with the lowest and the highest share of their objective
in validated hours."""
from collections import defaultdict
from datetime import datetime, time, timedelta
from decimal import Decimal

from clausematch.contracts.models import Contract, HoursPool, HoursPoolLot
from clausematch.pathways.models import HoursStatus
from seeds.demo.common import Plan
from seeds.demo.organisations import DEMO_COMPANY

NOTE = "Globalisation acceptée par l'acheteur (courrier du facilitateur) : les heures s'apprécient sur l'ensemble."


def build_pooling(plan: Plan) -> None:
    """Queue the pool of the demo company's lot most behind with its lot most ahead."""
    from clausematch.pathways.models import HoursEntry

    company = plan.refs["orgs"][DEMO_COMPANY]
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for entry in plan.rows[HoursEntry]:
        if entry["status"] == HoursStatus.VALIDATED and entry["company_id"] == company["id"]:
            hours[entry["lot_id"]] += Decimal(entry["hours"])
    running = []
    for ref in plan.refs.get("lots", []):
        lot, clause = ref["lot"], ref["clause"]
        contract = plan.row(Contract, lot["contract_id"])
        end = lot["end_date"] or contract["end_date"]
        if (ref["story"] is None and clause and lot["company_id"] == company["id"] and clause["hours_objective"] > 0
                and lot["start_date"] < plan.anchor and end and end > plan.anchor):
            running.append((hours[lot["id"]] / Decimal(clause["hours_objective"]), lot["id"]))
    if len(running) < 2:
        return
    running.sort()
    (behind_rate, behind), (ahead_rate, ahead) = running[0], running[-1]
    if behind_rate >= ahead_rate:
        return
    plan.refs["territory"]["globalise_across_lots"] = True
    agreed = plan.anchor - timedelta(days=45)
    stamp = datetime.combine(agreed, time(11, 0))
    pool = plan.add(HoursPool, version=1, territory_id=plan.refs["territory"]["id"], company_id=company["id"],
                    agreed_on=agreed, note=NOTE, created_at=stamp, updated_at=stamp)
    for lot_id in sorted((behind, ahead)):
        plan.rows[HoursPoolLot].append({"lot_id": lot_id, "pool_id": pool["id"]})
    plan.refs["pool"] = {"lots": (behind, ahead), "pool_id": pool["id"]}
