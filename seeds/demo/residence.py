"""Where the participants of 2024 live: 54 % of them in the territory's communes (Plaine
Commune's 2024 figure), the others in the neighbouring communes (Paris 18e and 19e, Bobigny,
Pantin, Gennevilliers…).

"Participants" is the publics report's definition (clausematch/reporting/queries/publics.py):
the people with an employment contract on a lot of the territory that ran during the year,
whether they were hired in 2024 or before. Candidates were drawn ≈54 % local
(`seeds.demo.territory.resident_commune`); once every hire of the demo is known (the everyday
ones are dated relative to today), just enough of the year's participants move so that the
share is exactly 54 % of them (to the person), on any day the demo is loaded.
"""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from clausematch.candidates.models import Candidate
from seeds.demo.common import Plan, weighted
from seeds.demo.people import FT_AGENCY
from seeds.demo.territory import is_local

YEAR = 2024
LOCAL_SHARE = Decimal("0.54")
# Neighbouring communes outside Plaine Commune (→ weight).
NEIGHBOURS = {"75118": 4, "75119": 3, "93008": 2, "93055": 2, "93029": 2, "93030": 1, "93013": 1,
              "92036": 2, "92078": 1, "95585": 1, "95018": 1}
AGENCY_COMMUNE = {name: commune for commune, name in FT_AGENCY.items()}


def participants(plan: Plan, year: int = YEAR) -> list[int]:
    """Candidates with an employment contract that ran during `year`, in id order."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    return sorted({item["contract"]["candidate_id"] for item in plan.refs["employment"]
                   if item["contract"]["start_date"] <= last and (item["contract"]["end_date"] or last) >= first})


def balance_residence(plan: Plan) -> None:
    """Move just enough of the year's participants in or out of the territory for 54 %."""
    rng = plan.rng("residence")
    people = plan.refs["people"]
    agency_of = {org["id"]: AGENCY_COMMUNE.get(name) for name, org in plan.refs["orgs"].items()}
    year = participants(plan)
    # A person registered twice keeps one address: neither record moves.
    movable = [cid for cid in year if "twin" not in people[cid]]
    local = {cid for cid in year if is_local(plan, plan.row(Candidate, cid)["commune_insee"])}
    wanted = int((LOCAL_SHARE * len(year)).to_integral_value(ROUND_HALF_UP))
    if len(local) < wanted:
        movers = rng.sample([cid for cid in movable if cid not in local], wanted - len(local))
    else:
        # Someone followed by a France Travail agency of the territory lives in its commune: stays.
        stay = {cid for cid in local if agency_of[plan.row(Candidate, cid)["prescriber_id"]]}
        movers = rng.sample([cid for cid in movable if cid in local and cid not in stay], len(local) - wanted)
    communes = plan.refs["communes"]
    for cid in movers:
        candidate = plan.row(Candidate, cid)
        if cid in local:
            candidate["commune_insee"] = weighted(rng, NEIGHBOURS)
        else:
            home = plan.refs["local_communes"]
            candidate["commune_insee"] = agency_of[candidate["prescriber_id"]] or rng.choices(
                home, weights=[communes[c]["population"] or 1000 for c in home])[0]
        # Residence in a QPV follows the new address (queued later as the "qpv" criterion).
        people[cid]["qpv"] = rng.random() < (0.75 if cid not in local else 0.30)
