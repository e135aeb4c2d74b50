"""Clause-bearing job offers and their status history."""
from datetime import datetime, time, timedelta

from clausematch.accounts.models import CompanyKind
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.services import offer_search_text
from clausematch.referential.certificates import as_text, parse_items
from clausematch.vocabulary import ContractType, Mode
from seeds.demo.accounts import facilitators, staff_of
from seeds.demo.common import Plan, at, weighted
from seeds.demo.organisations import companies_of
from seeds.demo.trades import TRADES

# Offers of the generic flow by status (the stories add 13 more: 200 in all).
GENERIC_OFFERS = {OfferStatus.DRAFT: 8, OfferStatus.SUBMITTED: 10, OfferStatus.PUBLISHED: 92,
                  OfferStatus.FILLED: 60, OfferStatus.CLOSED: 17}
MODE_COMPANY_KINDS = {Mode.ETTI: [CompanyKind.ETTI], Mode.AI: [CompanyKind.AI], Mode.GEIQ: [CompanyKind.GEIQ],
                      Mode.SUBCONTRACTING_SIAE: [CompanyKind.EI, CompanyKind.ACI, CompanyKind.REGIE]}
MODE_CONTRACT_TYPES = {
    Mode.ETTI: {ContractType.INTERIM: 1}, Mode.AI: {ContractType.MISE_A_DISPOSITION: 1},
    Mode.GEIQ: {ContractType.PROFESSIONNALISATION: 7, ContractType.APPRENTISSAGE: 3},
    Mode.SUBCONTRACTING_SIAE: {ContractType.CDDI: 1},
    Mode.DIRECT: {ContractType.CDD: 45, ContractType.CDI: 18, ContractType.APPRENTISSAGE: 12,
                  ContractType.PROFESSIONNALISATION: 10},
}
DRIVING_TRADES = {"vrd", "espaces_verts", "tri_logistique"}
PART_TIME_TRADES = {"nettoyage", "restauration", "proprete_urbaine"}


def add_offer(plan: Plan, rng, lot_ref: dict, *, company: dict, mode: Mode, contract_type: ContractType,
              appellation: int, status: OfferStatus, created: datetime, published: datetime | None,
              positions: int, weekly_hours: float, programme_id: int | None = None, title: str | None = None,
              publication_days: int = 60, timeline: dict | None = None) -> dict:
    """Queue one offer; its meta (lot, mode, timeline) goes to `plan.refs["offers"]`."""
    appellations = plan.refs["appellations"]
    trade = TRADES[lot_ref["trade"]]
    communes = plan.refs["communes"]
    commune = communes[lot_ref["commune"]]
    label = appellations[appellation]["label"]
    contract, lot = lot_ref["contract"], lot_ref["lot"]
    skills = _skills(lot_ref["trade"])
    start_base = (published or created).date()
    offer = plan.add(
        Offer, territory_id=plan.refs["territory"]["id"], lot_id=lot["id"], company_id=company["id"],
        programme_id=programme_id, title=title or label, appellation_code=appellation,
        rome_code=appellations[appellation]["rome_code"], sector=lot_ref["sector"],
        description=(f"{contract['object']} ({lot['title']}). Poste ouvert au titre de la clause sociale "
                     f"d'insertion : accompagnement par le facilitateur pendant tout le contrat."),
        skills=skills, commune_insee=lot_ref["commune"], latitude=commune["latitude"],
        longitude=commune["longitude"], contract_type=contract_type, weekly_hours=weekly_hours,
        positions=positions, start_date=start_base + timedelta(days=rng.randint(14, 45)),
        publication_end=None if status is OfferStatus.DRAFT else start_base + timedelta(days=publication_days),
        eligible_criteria=list(lot_ref["clause"]["eligible_criteria"]) if lot_ref["clause"] else [],
        qpv_required=rng.random() < 0.08,
        driving_licence_required=rng.random() < (0.35 if lot_ref["trade"] in DRIVING_TRADES else 0.05),
        # A training track teaches the certificate: it cannot require it.
        **_required(trade.certificates if not programme_id and rng.random() < 0.5 else ""),
        search_text=offer_search_text(title or label, label, appellations[appellation]["rome_label"], skills),
        status=status, published_at=published, created_by_id=rng.choice(staff_of(plan, company["id"]))["id"],
        created_at=created, updated_at=created)
    meta = {"offer": offer, "lot_ref": lot_ref, "mode": mode, "company": company, "timeline": timeline or {},
            "apps": []}
    plan.refs.setdefault("offers", []).append(meta)
    return meta


def _skills(trade: str) -> str:
    common = "Ponctualité, respect des consignes de sécurité, travail en équipe."
    return {"desamiantage": "Port des équipements de protection, rigueur. " + common,
            "accueil_admin": "Accueil du public, bureautique. Ponctualité.",
            "restauration": "Règles d'hygiène (HACCP). " + common}.get(trade, common)


def build_generic_offers(plan: Plan) -> None:
    """Queue the everyday offers on the clause lots (a third and more in services)."""
    rng = plan.rng("offers")
    lots = [ref for ref in plan.refs["lots"] if ref["clause"] and not ref["story"]]
    index = 0
    for status, count in GENERIC_OFFERS.items():
        for _ in range(count):
            sector = "services" if index % 5 in (1, 3) else "construction"
            index += 1
            _generic_offer(plan, rng, status, [ref for ref in lots if ref["sector"] == sector])


def _generic_offer(plan: Plan, rng, status: OfferStatus, lots: list[dict]) -> dict:
    for _ in range(200):
        created, published, timeline = _dates(plan, rng, status)
        moment = (published or created).date()
        active = [ref for ref in lots if ref["lot"]["start_date"] - timedelta(days=45) <= moment
                  and moment <= ref["lot"]["end_date"] - timedelta(days=30)]
        if active:
            break
    else:
        raise RuntimeError("Aucun lot actif pour une offre de démonstration.")
    weights = [3 if ref["company"]["name"] == "Constructions du Landy" else 1 for ref in active]
    lot_ref = rng.choices(active, weights=weights)[0]
    mode, company = _mode_and_company(plan, rng, lot_ref)
    contract_type = weighted(rng, MODE_CONTRACT_TYPES[mode])
    if lot_ref["company"]["company_kind"] in (CompanyKind.EI, CompanyKind.ACI, CompanyKind.REGIE):
        contract_type = ContractType.CDDI
    elif lot_ref["company"]["company_kind"] is CompanyKind.EA:
        contract_type = weighted(rng, {ContractType.CDD: 2, ContractType.CDI: 1})
    hours = 35.0
    if lot_ref["trade"] in PART_TIME_TRADES or mode is Mode.AI:
        hours = float(rng.choice([20, 24, 26, 30, 35]))
    appellation = rng.choices(TRADES[lot_ref["trade"]].appellations,
                              weights=range(len(TRADES[lot_ref["trade"]].appellations) + 1, 1, -1))[0]
    positions = weighted(rng, {1: 30, 2: 25, 3: 16, 4: 11, 5: 8, 6: 5, 8: 3, 10: 2})
    days = rng.randint(30, 90)
    if status is OfferStatus.PUBLISHED:  # still open: its publication runs past today
        days = max(days, (plan.anchor - published.date()).days + rng.randint(7, 60))
    return add_offer(plan, rng, lot_ref, company=company, mode=mode, contract_type=contract_type,
                     appellation=appellation, status=status, created=created, published=published,
                     positions=positions, weekly_hours=hours, timeline=timeline, publication_days=days)


def _dates(plan: Plan, rng, status: OfferStatus):
    """Creation, publication and the timeline of an offer in `status`, relative to today."""
    anchor = plan.anchor
    if status is OfferStatus.DRAFT:
        return at(anchor - timedelta(days=rng.randint(1, 20)), rng), None, {}
    if status is OfferStatus.SUBMITTED:
        created = at(anchor - timedelta(days=rng.randint(4, 30)), rng)
        return created, None, {"submitted": created + timedelta(days=rng.uniform(0.2, 3))}
    if status is OfferStatus.PUBLISHED:
        published = at(anchor - timedelta(days=rng.randint(2, 150)), rng)
    else:
        published = at(anchor - timedelta(days=rng.randint(60, 880)), rng)
    created = published - timedelta(days=rng.uniform(2, 10))
    timeline = {"submitted": created + (published - created) * rng.uniform(0.2, 0.8)}
    if status is OfferStatus.CLOSED:
        timeline["closed"] = min(published + timedelta(days=rng.randint(30, 90)),
                                 datetime.combine(anchor, time(7, 0)) - timedelta(days=1))
    return created, published, timeline


def _mode_and_company(plan: Plan, rng, lot_ref: dict):
    titulaire = lot_ref["company"]
    if titulaire["company_kind"] is not CompanyKind.TITULAIRE:
        return Mode.DIRECT, titulaire  # the SIAE or EA holds the lot itself
    allowed = lot_ref["clause"]["allowed_modes"] or [m.value for m in Mode]
    construction = lot_ref["sector"] == "construction"
    weights = {Mode.DIRECT: 60, Mode.ETTI: 14 if construction else 8, Mode.GEIQ: 10,
               Mode.AI: 0 if construction else 18, Mode.SUBCONTRACTING_SIAE: 8}
    options = {}
    for mode, weight in weights.items():
        if mode.value not in allowed or not weight:
            continue
        pool = [titulaire] if mode is Mode.DIRECT else [
            c for kind in MODE_COMPANY_KINDS[mode] for c in companies_of(plan, kind, lot_ref["trade"])]
        if pool:
            options[mode] = (weight, pool)
    mode = rng.choices(list(options), weights=[w for w, _ in options.values()])[0]
    return mode, rng.choice(options[mode][1])


def build_offer_history(plan: Plan) -> None:
    """Queue each offer's status changes, walking draft → submitted → published → filled/closed."""
    rng = plan.rng("offer-history")
    team = facilitators(plan)
    for meta in plan.refs["offers"]:
        offer, timeline = meta["offer"], meta["timeline"]
        company_staff = staff_of(plan, meta["company"]["id"])
        steps = [(None, OfferStatus.DRAFT, offer["created_at"], offer["created_by_id"], "Offre créée.")]
        if "submitted" in timeline:
            steps.append((OfferStatus.DRAFT, OfferStatus.SUBMITTED, timeline["submitted"], offer["created_by_id"],
                          "Offre soumise à la validation du facilitateur."))
        if offer["published_at"]:
            steps.append((OfferStatus.SUBMITTED, OfferStatus.PUBLISHED, offer["published_at"],
                          rng.choice(team)["id"], "Offre validée et publiée."))
        if offer["status"] is OfferStatus.FILLED:
            steps.append((OfferStatus.PUBLISHED, OfferStatus.FILLED, timeline["filled"],
                          rng.choice(company_staff)["id"], "Tous les postes sont pourvus."))
        if offer["status"] is OfferStatus.CLOSED:
            steps.append((OfferStatus.PUBLISHED, OfferStatus.CLOSED, timeline["closed"], rng.choice(team)["id"],
                          "Offre clôturée sans recrutement."))
        for from_status, to_status, when, actor, comment in steps:
            plan.add(OfferStatusChange, offer_id=offer["id"], from_status=from_status, to_status=to_status,
                     actor_id=actor, occurred_at=when, comment=comment)
        offer["updated_at"] = steps[-1][2]


def _required(text: str) -> dict:
    """The certificates an offer requires, typed and as referential codes."""
    items, _ = parse_items(text)
    codes = [item.code for item in items]
    return {"certificates_required": as_text(codes) if codes else text, "required_certificates": codes}
