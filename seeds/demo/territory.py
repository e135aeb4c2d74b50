"""The territory (Plaine Commune, Seine-Saint-Denis), its communes, and the communes people
live in, read once from the reference table."""
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import Territory, TerritoryCommune
from clausematch.extensions import db
from clausematch.referential.models import Commune
from seeds.demo.common import Plan

TERRITORY_NAME = "Plaine Commune"

# The EPT's nine historical communes. Pierrefitte-sur-Seine (93059) merged into Saint-Denis
# (93066) on 1 January 2025: the 2026 geographic code no longer lists it, so it is skipped
# when absent from the communes table.
TERRITORY_COMMUNES = {
    "93001": "Aubervilliers",
    "93031": "Épinay-sur-Seine",
    "93039": "L'Île-Saint-Denis",
    "93027": "La Courneuve",
    "93059": "Pierrefitte-sur-Seine",
    "93066": "Saint-Denis",
    "93070": "Saint-Ouen-sur-Seine",
    "93072": "Stains",
    "93079": "Villetaneuse",
}

# Where the people who are not from the territory live: the rest of the 93, the Val-d'Oise
# next door, and Paris's northern districts (share of those non-local people).
OUTSIDE_DEPARTMENTS = {"93": 0.48, "95": 0.27, "75": 0.25}
PARIS_DISTRICTS = ["75117", "75118", "75119", "75120", "75110", "75111", "75112", "75113"]


def build_territory(plan: Plan) -> dict:
    """Queue the territory with its default settings and targets, and its communes."""
    communes = load_communes()
    plan.refs["communes"] = communes
    territory = plan.add(
        Territory, name=TERRITORY_NAME, eligibility_validity_months=6,
        default_labour_share=Decimal("0.5"), default_insertion_rate=Decimal("0.05"),
        default_hourly_cost=Decimal("30"), count_training_hours=True, cdi_lump_hours=None,
        globalise_across_lots=False,
        # The register's controller (/donnees-personnelles); the DPO address is the demo's, not real.
        controller_name="Établissement public territorial Plaine Commune",
        controller_address="21 avenue Jules Rimet, 93200 Saint-Denis",
        dpo_email="dpo@demo.clausematch.fr",
        target_women_share=Decimal("0.20"), target_under_26_share=Decimal("0.25"),
        target_over_50_share=Decimal("0.10"), target_qpv_share=Decimal("0.60"),
        target_local_share=Decimal("0.50"))
    local = [code for code in TERRITORY_COMMUNES if code in communes]
    for code in local:
        plan.rows[TerritoryCommune].append({"territory_id": territory["id"], "commune_insee": code})
    plan.refs["territory"] = territory
    plan.refs["local_communes"] = local
    plan.refs["outside_communes"] = _outside_communes(communes, set(local))
    return territory


def load_communes() -> dict[str, dict]:
    """The communes of the 93, 95 and 75 (code → name, position, population), in code order."""
    query = (sa.select(Commune.insee_code, Commune.name, Commune.department, Commune.kind,
                       Commune.latitude, Commune.longitude, Commune.population)
             .where(Commune.department.in_(["93", "95", "75"]))
             .order_by(Commune.insee_code))
    return {row.insee_code: row._asdict() for row in db.session.execute(query)}


def _outside_communes(communes: dict[str, dict], local: set[str]) -> dict[str, list]:
    """Per department, the communes outside the territory with a weight (population)."""
    outside: dict[str, list] = {dep: [] for dep in OUTSIDE_DEPARTMENTS}
    for code, row in communes.items():
        if row["department"] == "75":
            keep = code in PARIS_DISTRICTS  # districts (ARM rows), not Paris as a whole
        else:
            keep = row["kind"] == "COM" and code not in local
        if not keep:
            continue
        outside[row["department"]].append((code, row["population"] or 1000))
    return outside


def resident_commune(plan: Plan, rng, local_share: float = 0.54) -> str:
    """A commune where a person lives: ≈54 % in the territory (2024 figure), by population."""
    communes = plan.refs["communes"]
    if rng.random() < local_share:
        local = plan.refs["local_communes"]
        return rng.choices(local, weights=[communes[c]["population"] or 1000 for c in local])[0]
    departments = list(OUTSIDE_DEPARTMENTS)
    department = rng.choices(departments, weights=[OUTSIDE_DEPARTMENTS[d] for d in departments])[0]
    pool = plan.refs["outside_communes"][department]
    return rng.choices([c for c, _ in pool], weights=[w for _, w in pool])[0]


def is_local(plan: Plan, commune_insee: str | None) -> bool:
    return commune_insee in plan.refs["local_communes"]
