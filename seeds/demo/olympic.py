"""Story b) The Olympic works (SOLIDEO – ouvrages olympiques): eight contracts, nineteen lots,
one recruitment programme "Chantiers olympiques". Their validated work hours total exactly
1 821 447 h for objectives summing to 1 597 761 h: 114,0 % (over-achievement is normal on the
Olympic sites, and is shown as it is).

The sites, their communes and their rough calendar are public (Village des athlètes in
Saint-Denis, Saint-Ouen-sur-Seine and L'Île-Saint-Denis; Centre aquatique olympique;
Franchissement Pleyel; Village des médias in Dugny; burial of the high-voltage lines; the A1
footbridge and noise barriers); amounts, lots, titulaires and people are the demo's own.
Hires come through the programme's offers, on the platform like any other; each person works
at most 151,67 h a month (35 h a week); the hours stop with the site.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.applications.models import ApplicationStatus
from clausematch.contracts.models import ClauseKind, ObjectiveMethod
from clausematch.database import add_months
from clausematch.offers.models import OfferStatus, Programme
from clausematch.pathways.models import HoursKind
from clausematch.vocabulary import ContractType, Mode
from seeds.demo.applications import MAIN_PATH, path_to, walk
from seeds.demo.common import Plan, weighted
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract
from seeds.demo.hours import CENT, queue_entries, raw_entries
from seeds.demo.offers import add_offer
from seeds.demo.organisations import DEMO_COMPANY, SOLIDEO
from seeds.demo.pathways import EXIT_AT_TERM, add_employment, add_exit

PROGRAMME_NAME = "Chantiers olympiques"
REALISED = Decimal("1821447")  # validated work hours on the Olympic works (seminar figure)
OBJECTIVE = Decimal("1597761")  # their clauses' objectives: 1 821 447 ÷ 1 597 761 = 114,0 %
MONTHLY_CAP = Decimal("151.67")  # 35 h × 52 weeks ÷ 12 months: full time, no overtime counted
RATE, LABOUR, COST = Decimal("0.10"), Decimal("0.5"), Decimal("30")  # 10 % of the hours worked
HOURS_PER_EURO = LABOUR * RATE / COST  # computed objective = amount × 0,5 × 10 % ÷ 30 €
END = date(2024, 5, 31)  # the last site closes: no Olympic hour after this month
T = ContractType
ETTI, GEIQ, EI = "ETTI Plaine Intérim Insertion", "GEIQ BTP 93", "Bâtir Ensemble Insertion"
ETTI_NORTH = "Intérim solidaire Nord 93"

# reference, object, commune, notified, start, end, lots (title, trade, objective hours, titulaire)
CONTRACTS = [
    ("SOLIDEO-2021-VDA-D", "Village des athlètes – secteur D : logements, bureaux et espaces publics (Saint-Denis)",
     "93066", date(2021, 3, 15), date(2021, 5, 3), date(2024, 2, 29), [
         ("Gros œuvre", "gros_oeuvre", 140000, "Bâti Grand Paris Construction"),
         ("Corps d'état architecturaux", "second_oeuvre", 76000, "Entreprise générale Pleyel"),
         ("Voirie, réseaux et aménagements paysagers", "vrd", 38500, "Routes et Réseaux de France – agence Nord")]),
    ("SOLIDEO-2020-VDA-E", "Village des athlètes – secteur E : logements, résidence étudiante et commerces "
     "(Saint-Ouen-sur-Seine)", "93070", date(2020, 9, 21), date(2020, 11, 2), date(2024, 2, 29), [
         ("Gros œuvre", "gros_oeuvre", 168000, "Ossature Métropole"),
         ("Façades et menuiseries extérieures", "enveloppe", 61500, "Étanchéité Couverture 93"),
         ("Électricité, plomberie, ventilation", "fluides", 69000, "Électricité Canal Saint-Denis")]),
    ("SOLIDEO-2021-VDA-ISD", "Village des athlètes – secteur de L'Île-Saint-Denis : logements, bureaux et "
     "groupe scolaire", "93039", date(2020, 12, 14), date(2021, 2, 1), date(2024, 2, 29), [
         ("Gros œuvre", "gros_oeuvre", 104000, DEMO_COMPANY),
         ("Second œuvre et finitions", "second_oeuvre", 58000, "Peintures et Revêtements de la Plaine")]),
    ("SOLIDEO-2020-CAO", "Centre aquatique olympique : bassins, gradins et charpente bois (Saint-Denis)",
     "93066", date(2020, 10, 5), date(2021, 1, 4), date(2024, 4, 30), [
         ("Gros œuvre et bassins", "gros_oeuvre", 190000, "Bâti Grand Paris Construction"),
         ("Charpente bois, couverture et façades", "enveloppe", 88000, "Étanchéité Couverture 93"),
         ("Traitement d'eau, chauffage et ventilation", "fluides", 79000, "Plomberie Chauffage du Nord parisien")]),
    ("SOLIDEO-2021-PLEYEL", "Franchissement urbain Pleyel : pont au-dessus du faisceau ferroviaire (Saint-Denis)",
     "93066", date(2021, 6, 28), date(2021, 9, 1), date(2024, 5, 31), [
         ("Ouvrage d'art", "gros_oeuvre", 96000, "Entreprise générale Pleyel"),
         ("Voirie et réseaux", "vrd", 31000, "Terrassements courneuviens")]),
    ("SOLIDEO-2021-VDM", "Village des médias : logements, groupe scolaire et abords du parc Georges-Valbon (Dugny)",
     "93030", date(2021, 4, 12), date(2021, 6, 1), date(2024, 3, 31), [
         ("Gros œuvre", "gros_oeuvre", 140000, "Ossature Métropole"),
         ("Second œuvre", "second_oeuvre", 64000, "Menuiseries Stains Aluminium"),
         ("Voirie et réseaux divers", "vrd", 36000, "Terrassements courneuviens")]),
    ("SOLIDEO-2020-LHT", "Enfouissement des lignes à haute tension (Saint-Denis, L'Île-Saint-Denis)",
     "93066", date(2020, 1, 20), date(2020, 3, 2), date(2022, 12, 16), [
         ("Génie civil, tranchées et chambres de jonction", "vrd", 72000,
          "Routes et Réseaux de France – agence Nord")]),
    ("SOLIDEO-2022-A1", "Passerelle au-dessus de l'autoroute A1 et murs antibruit (Saint-Denis)",
     "93066", date(2021, 11, 8), date(2022, 1, 3), date(2024, 4, 30), [
         ("Passerelle : ouvrage d'art", "gros_oeuvre", 58000, DEMO_COMPANY),
         ("Murs antibruit et aménagements", "vrd", None, "Terrassements courneuviens")]),  # the rest, fixed
]

# The programme's offers on a lot of each trade: (mode, employer (None: the titulaire), contract
# type, appellation, weight of the hires). A lot of 80 000 h or more opens a second offer when
# the site is about 45 % through, one of 150 000 h or more a third one at about 25 %; each offer
# recruits until the next one opens (job-datings, information sessions, the GEIQ's promotions).
OFFERS = {
    "gros_oeuvre": [(Mode.DIRECT, None, T.CDD, 16250, 5), (Mode.ETTI, ETTI, T.INTERIM, 16352, 4),
                    (Mode.GEIQ, GEIQ, T.PROFESSIONNALISATION, 12685, 2)],
    "second_oeuvre": [(Mode.DIRECT, None, T.CDD, 17619, 5), (Mode.GEIQ, GEIQ, T.APPRENTISSAGE, 16850, 2)],
    "enveloppe": [(Mode.DIRECT, None, T.CDD, 14911, 5), (Mode.ETTI, ETTI_NORTH, T.INTERIM, 15029, 3)],
    "fluides": [(Mode.DIRECT, None, T.CDD, 14635, 4), (Mode.GEIQ, GEIQ, T.APPRENTISSAGE, 17837, 2)],
    "vrd": [(Mode.DIRECT, None, T.CDD, 11661, 4), (Mode.SUBCONTRACTING_SIAE, EI, T.CDDI, 10851, 3)],
}
WAVES = [(0, 0.0), (80000, 0.45), (150000, 0.25)]  # (objective from which the offer opens, share of the site)
# Contract length in months (→ weight); a contract never outlives its site.
MONTHS = {T.CDD: {12: 2, 18: 4, 24: 3}, T.INTERIM: {9: 2, 12: 3, 18: 3}, T.PROFESSIONNALISATION: {18: 1, 24: 2},
          T.APPRENTISSAGE: {24: 2, 36: 1}, T.CDDI: {12: 2, 18: 1, 24: 2}}
LAST_HIRES = 180  # no one is hired in the last six months of a site
HEADROOM = Decimal("1.05")  # people are hired until the raw hours pass 105 % of the lot's share


def build_olympic(plan: Plan, taken: set[int]) -> None:
    """Queue the programme, the contracts, their offers, applications, hires, exits and the hours."""
    rng = plan.rng("olympic")
    programme = plan.add(
        Programme, territory_id=plan.refs["territory"]["id"], name=PROGRAMME_NAME,
        description=("Recrutements au titre des clauses sociales des ouvrages olympiques livrés par la SOLIDEO "
                     "(Village des athlètes, Centre aquatique olympique, Franchissement Pleyel, Village des "
                     "médias…) : 10 % des heures travaillées réservées à l'insertion, offres publiées par les "
                     "titulaires et les structures d'insertion, candidatures validées par le facilitateur."),
        start_date=date(2020, 1, 6), end_date=END, funnel_stages=None,
        created_at=datetime(2020, 1, 6, 10), updated_at=datetime(2020, 1, 6, 10))
    people = _people(plan, rng, taken)
    lot_refs = _contracts(plan)
    entries: list[dict] = []
    for lot_ref in lot_refs:
        entries += _recruit_on_lot(plan, rng, lot_ref, programme["id"], people, taken)
    _scale(entries)
    queue_entries(plan, rng, entries)


def _contracts(plan: Plan) -> list[dict]:
    orgs = plan.refs["orgs"]
    fixed = OBJECTIVE - sum(lot[2] for contract in CONTRACTS for lot in contract[6] if lot[2])
    lot_refs = []
    for reference, text, commune, notified, start, end, lots in CONTRACTS:
        spec = ContractSpec(buyer=SOLIDEO, reference=reference, sector="construction", commune=commune,
                            object=text, notified_on=notified, start_date=start, end_date=end,
                            clause_kind=ClauseKind.EXECUTION_CONDITION, story="olympic")
        for title, trade, hours, titulaire in lots:
            spec.lots.append(LotSpec(title, trade, _amount(hours or fixed), orgs[titulaire],
                                     _clause(hours, fixed)))
        contract = add_contract(plan, spec)
        lot_refs += [ref for ref in plan.refs["lots"] if ref["contract"] is contract]
    assert sum(ref["clause"]["hours_objective"] for ref in lot_refs) == OBJECTIVE
    return lot_refs


def _amount(hours: Decimal | int) -> Decimal:
    """The lot's amount, so that its computed objective is exactly `hours` (amount × 0,5 × 10 % ÷ 30 €)."""
    return Decimal(hours) / HOURS_PER_EURO


def _clause(hours: int | None, fixed: Decimal) -> dict:
    columns = {"eligible_criteria": [], "allowed_modes": [],
               "notes": "Ouvrages olympiques : 10 % des heures travaillées réservées à l'insertion."}
    if hours is None:
        return {**columns, "hours_objective": fixed, "objective_method": ObjectiveMethod.FIXED,
                "labour_share": None, "insertion_rate": None, "hourly_cost": None,
                "notes": "Ouvrages olympiques : nombre d'heures fixé au marché (10 % des heures travaillées)."}
    return {**columns, "hours_objective": Decimal(hours), "objective_method": ObjectiveMethod.COMPUTED,
            "labour_share": LABOUR, "insertion_rate": RATE, "hourly_cost": COST}


def _people(plan: Plan, rng, taken: set[int]) -> list[int]:
    """Construction-track candidates not yet in a story, in a seeded order (popped as hired)."""
    pool = [cid for cid, person in plan.refs["people"].items()
            if person["track"] == "construction" and cid not in taken]
    rng.shuffle(pool)
    return pool


def _next_person(people: list[int], taken: set[int]) -> int:
    candidate_id = people.pop()
    taken.add(candidate_id)
    return candidate_id


def _recruit_on_lot(plan: Plan, rng, lot_ref: dict, programme_id: int, people: list[int],
                    taken: set[int]) -> list[dict]:
    """Open the lot's offers and hire until the lot's raw hours reach its share of the 114 %;
    returns the lot's hour entries (work hours only, not yet scaled)."""
    lot, clause = lot_ref["lot"], lot_ref["clause"]
    span = (lot["end_date"] - lot["start_date"]).days
    waves = [(offer, lot["start_date"] - timedelta(days=21) + timedelta(days=int(span * share)))
             for (threshold, share), offer in zip(WAVES, OFFERS[lot_ref["trade"]], strict=False)
             if clause["hours_objective"] >= threshold]
    waves.sort(key=lambda wave: wave[1])
    metas = []
    for index, ((mode, employer, contract_type, appellation, weight), published) in enumerate(waves):
        # An offer recruits until the next one opens, the last until six months before the end.
        closes = waves[index + 1][1] if index + 1 < len(waves) else lot["end_date"] - timedelta(days=LAST_HIRES)
        opened = datetime.combine(published, time(9, 30))
        company = plan.refs["orgs"][employer] if employer else lot_ref["company"]
        meta = add_offer(plan, rng, lot_ref, company=company, mode=mode, contract_type=contract_type,
                         appellation=appellation, status=OfferStatus.FILLED, created=opened - timedelta(days=6),
                         published=opened, positions=1, weekly_hours=35.0, programme_id=programme_id,
                         publication_days=(closes - published).days,
                         timeline={"submitted": opened - timedelta(days=3)})
        metas.append((meta, weight))
    target = clause["hours_objective"] * REALISED / OBJECTIVE * HEADROOM
    entries: list[dict] = []
    raw = Decimal(0)
    hires = {id(meta): 0 for meta, _ in metas}
    while raw < target:
        meta = rng.choices([m for m, _ in metas], weights=[w for _, w in metas])[0]
        lot_entries = _hire(plan, rng, meta, _next_person(people, taken))
        hires[id(meta)] += 1
        entries += lot_entries
        raw += sum(entry["hours"] for entry in lot_entries)
    for meta, _ in metas:
        _close_offer(plan, rng, meta, hires[id(meta)], people, taken)
    return entries


def _hire(plan: Plan, rng, meta: dict, candidate_id: int) -> list[dict]:
    """One person hired through `meta`'s offer during its campaign; their contract and raw hours."""
    offer, lot = meta["offer"], meta["lot_ref"]["lot"]
    begin = _applied(rng, offer)
    app = walk(plan, rng, meta, candidate_id, MAIN_PATH, begin, begin + timedelta(days=21))
    start = max(app["last_event_at"].date() + timedelta(days=rng.randint(7, 14)), lot["start_date"])
    months = weighted(rng, MONTHS[offer["contract_type"]])
    end = min(add_months(start, months) - timedelta(days=1), lot["end_date"], END)
    contract = add_employment(
        plan, rng, candidate_id=candidate_id, lot_ref=meta["lot_ref"], employer=meta["company"], mode=meta["mode"],
        contract_type=offer["contract_type"], start=start, planned_end=end, end=end,
        weekly_hours=offer["weekly_hours"], application_id=app["id"], story="olympic")
    add_exit(plan, rng, contract, weighted(rng, EXIT_AT_TERM),
             comment="Fin du contrat avec la fin du chantier olympique." if end == lot["end_date"]
             else "Fin du contrat au terme prévu.")
    item = plan.refs["employment"][-1]
    # Alternating contracts spend part of the month in the training centre: only the work hours
    # are kept (the Olympic figure counts work hours).
    entries = [e for e in raw_entries(rng, item, None, END.replace(day=1)) if e["kind"] is HoursKind.WORK]
    for entry in entries:
        entry["hours"] = min(entry["hours"], MONTHLY_CAP)
    return entries


def _applied(rng, offer: dict) -> datetime:
    """When an application to `offer` is made: during its publication, three weeks before its end."""
    days = (offer["publication_end"] - offer["published_at"].date()).days
    return offer["published_at"] + timedelta(days=rng.uniform(1, days - 21))


def _close_offer(plan: Plan, rng, meta: dict, hired: int, people: list[int], taken: set[int]) -> None:
    """Positions = the people hired; a few more applicants refused or withdrawn; filled."""
    offer = meta["offer"]
    offer["positions"] = hired
    for _ in range(rng.randint(2, 5)):
        path = path_to(weighted(rng, {ApplicationStatus.REFUSED: 4, ApplicationStatus.WITHDRAWN: 1}), rng)
        begin = _applied(rng, offer)
        walk(plan, rng, meta, _next_person(people, taken), path, begin, begin + timedelta(days=21))
    last_hire = max(a["last_event_at"] for a in meta["apps"] if a["status"] is ApplicationStatus.HIRED)
    meta["timeline"]["filled"] = last_hire + timedelta(hours=4)


def _scale(entries: list[dict]) -> None:
    """Scale every entry so that they total exactly REALISED (to the cent), none above the
    monthly cap."""
    factor = REALISED / sum(entry["hours"] for entry in entries)
    for entry in entries:
        entry["hours"] = min((entry["hours"] * factor).quantize(CENT), MONTHLY_CAP)
    residual = REALISED - sum(entry["hours"] for entry in entries)
    # A missing cent goes to the smallest entries, one too many comes off the largest.
    order = sorted(entries, key=lambda e: (e["hours"], e["contract_id"], e["month"]), reverse=residual < 0)
    for entry in order:
        step = min(MONTHLY_CAP - entry["hours"], residual) if residual > 0 else max(1 - entry["hours"], residual)
        entry["hours"] += step
        residual -= step
        if residual == 0:
            break
    assert residual == 0 and sum(entry["hours"] for entry in entries) == REALISED
