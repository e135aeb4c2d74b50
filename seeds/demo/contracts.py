"""Public contracts, their lots and clauses: the generic ones, and the helper every story uses."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from clausematch.accounts.models import CompanyKind
from clausematch.contracts.models import Clause, ClauseKind, Contract, Lot, ObjectiveMethod, computed_objective
from clausematch.database import add_months
from clausematch.vocabulary import Criterion, Mode
from seeds.demo.common import Plan, between, weighted
from seeds.demo.organisations import DEMO_COMPANY, companies_of
from seeds.demo.territory import TERRITORY_COMMUNES

# Who holds a marché d'insertion (R2123-1 3°): chantiers d'insertion and régies de quartier.
INSERTION_HOLDERS = (CompanyKind.ACI, CompanyKind.REGIE)
REFERENCE_PREFIX = {
    "EPT Plaine Commune": "EPT-PC", "Ville de Saint-Denis": "VSD", "Plaine Commune Habitat": "PCH",
    "Ville d'Aubervilliers": "AUB", "Société des grands projets – ligne 16": "SGP-L16",
    "SOLIDEO – ouvrages olympiques": "SOLIDEO",
}


@dataclass
class LotSpec:
    title: str
    trade: str | None
    amount: Decimal
    company: dict | None
    clause: dict | None = None  # Clause columns (without lot_id), None: lot without clause


@dataclass
class ContractSpec:
    buyer: str
    object: str
    sector: str
    notified_on: date
    start_date: date
    end_date: date | None
    clause_kind: ClauseKind | None
    commune: str  # where the work happens (offers are published there)
    lots: list[LotSpec] = field(default_factory=list)
    story: str | None = None
    reference: str | None = None


def add_contract(plan: Plan, spec: ContractSpec) -> dict:
    """Queue a contract with its lots and clauses; registers each lot in `plan.refs["lots"]`."""
    buyer = plan.refs["orgs"][spec.buyer]
    contract = plan.add(
        Contract, territory_id=plan.refs["territory"]["id"], buyer_id=buyer["id"],
        reference=spec.reference or _next_reference(plan, spec.buyer, spec.notified_on.year),
        object=spec.object, sector=spec.sector, amount_ht=sum(lot.amount for lot in spec.lots),
        notified_on=spec.notified_on, start_date=spec.start_date, end_date=spec.end_date,
        clause_kind=spec.clause_kind, created_at=_stamp(spec.notified_on), updated_at=_stamp(spec.notified_on))
    for number, lot_spec in enumerate(spec.lots, start=1):
        lot = plan.add(
            Lot, contract_id=contract["id"], number=number, title=lot_spec.title,
            company_id=lot_spec.company["id"] if lot_spec.company else None, amount_ht=lot_spec.amount,
            start_date=spec.start_date, end_date=spec.end_date,
            created_at=_stamp(spec.notified_on), updated_at=_stamp(spec.notified_on))
        clause = None
        if lot_spec.clause is not None:
            clause = plan.add(Clause, lot_id=lot["id"], created_at=_stamp(spec.notified_on),
                              updated_at=_stamp(spec.notified_on), **lot_spec.clause)
        plan.refs.setdefault("lots", []).append({
            "lot": lot, "contract": contract, "clause": clause, "trade": lot_spec.trade,
            "sector": spec.sector, "company": lot_spec.company, "commune": spec.commune,
            "story": spec.story})
    return contract


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(10, 0))


def _next_reference(plan: Plan, buyer: str, year: int) -> str:
    counters = plan.refs.setdefault("reference_counters", {})
    key = (buyer, year)
    counters[key] = counters.get(key, 0) + 1
    return f"{REFERENCE_PREFIX[buyer]}-{year}-{counters[key]:03d}"


def clause_columns(rng, amount: Decimal, sector: str, *, fixed: bool | None = None,
                   rate: Decimal = Decimal("0.05"), labour: Decimal | None = None) -> dict:
    """A clause on a lot of `amount` €: computed from the territory's factors or fixed hours."""
    labour = labour or (Decimal("0.5") if sector == "construction" else Decimal("0.6"))
    cost = Decimal("30")
    fixed = rng.random() < 0.35 if fixed is None else fixed
    computed = computed_objective(amount, labour, rate, cost)
    columns = {"eligible_criteria": _criteria(rng), "allowed_modes": _modes(rng, sector)}
    if fixed:
        hours = max(Decimal("70"), (computed * Decimal(rng.uniform(0.7, 1.3)) / 10).quantize(Decimal("1")) * 10)
        return {**columns, "hours_objective": hours, "objective_method": ObjectiveMethod.FIXED,
                "labour_share": None, "insertion_rate": None, "hourly_cost": None,
                "notes": "Nombre d'heures fixé au cahier des clauses administratives particulières."}
    return {**columns, "hours_objective": computed, "objective_method": ObjectiveMethod.COMPUTED,
            "labour_share": labour, "insertion_rate": rate, "hourly_cost": cost,
            "notes": f"Objectif calculé : montant × {labour:.0%} de main-d'œuvre × {rate:.0%} ÷ {cost} €/h."}


def _criteria(rng) -> list[str]:
    if rng.random() < 0.7:
        return []  # every public of the territory's list
    pool = [c.value for c in Criterion if c is not Criterion.DEROGATION]
    return sorted(rng.sample(pool, rng.randint(4, 8)))


def _modes(rng, sector: str) -> list[str]:
    if rng.random() < 0.55:
        return []  # every mode allowed
    extra = ["etti", "geiq" if sector == "construction" else "ai", "subcontracting_siae"]
    return [Mode.DIRECT.value] + sorted(rng.sample(extra, rng.randint(1, len(extra))))


def titulaire_for(plan: Plan, rng, trade: str,
                  kind: CompanyKind | tuple[CompanyKind, ...] = CompanyKind.TITULAIRE) -> dict:
    """A company of `kind` (or of one of the kinds) able to carry a lot of `trade` (the demo company
    gets a fair share)."""
    pool = companies_of(plan, kind, trade) or companies_of(plan, CompanyKind.TITULAIRE, trade)
    weights = [4 if company["name"] == DEMO_COMPANY else 1 for company in pool]
    return rng.choices(pool, weights=weights)[0]


# buyer, object, sector, lots (title, trade, share), amount range in M€, duration range in months
TEMPLATES = [
    ("EPT Plaine Commune", "Requalification de l'avenue {street} à {town}", "construction",
     [("Voirie et réseaux divers", "vrd", 0.7), ("Éclairage public", "fluides", 0.3)], (1.5, 6), (12, 24)),
    ("EPT Plaine Commune", "Réhabilitation des réseaux d'assainissement – secteur {town}", "construction",
     [("Canalisations", "vrd", 1.0)], (0.8, 3.5), (12, 30)),
    ("EPT Plaine Commune", "Construction de la médiathèque de {town}", "construction",
     [("Gros œuvre", "gros_oeuvre", 0.5), ("Corps d'état secondaires", "second_oeuvre", 0.25),
      ("Lots techniques", "fluides", 0.15), ("Couverture et étanchéité", "enveloppe", 0.1)], (6, 14), (18, 30)),
    ("EPT Plaine Commune", "Nettoiement des voies et propreté urbaine – secteur {town}", "services",
     [("Nettoiement mécanisé et manuel", "proprete_urbaine", 0.8),
      ("Collecte des dépôts sauvages", "tri_logistique", 0.2)],
     (1.2, 4), (36, 48)),
    ("EPT Plaine Commune", "Entretien des parcs territoriaux", "services",
     [("Parcs du nord", "espaces_verts", 0.5), ("Parcs du sud", "espaces_verts", 0.5)], (0.6, 2.2), (36, 48)),
    ("EPT Plaine Commune", "Médiation sociale dans les quartiers de {town}", "services",
     [("Médiation de jour et de soirée", "mediation", 1.0)], (0.4, 1.2), (24, 48)),
    ("EPT Plaine Commune", "Accueil, standard et gestion administrative des maisons de l'emploi", "services",
     [("Accueil et standard", "accueil_admin", 0.6), ("Numérisation des dossiers", "accueil_admin", 0.4)],
     (0.3, 0.9), (24, 48)),
    ("Ville d'Aubervilliers", "Construction du groupe scolaire {place}", "construction",
     [("Gros œuvre", "gros_oeuvre", 0.5), ("Corps d'état secondaires", "second_oeuvre", 0.25),
      ("Électricité, plomberie, chauffage", "fluides", 0.25)], (7, 16), (18, 30)),
    ("Ville d'Aubervilliers", "Rénovation énergétique des écoles maternelles", "construction",
     [("Isolation et étanchéité", "enveloppe", 0.45), ("Chauffage et ventilation", "fluides", 0.35),
      ("Menuiseries extérieures", "second_oeuvre", 0.2)], (1.5, 5), (12, 24)),
    ("Ville d'Aubervilliers", "Nettoyage des bâtiments communaux", "services",
     [("Écoles", "nettoyage", 0.6), ("Bâtiments administratifs", "nettoyage", 0.4)], (0.8, 2.5), (36, 48)),
    ("Ville d'Aubervilliers", "Restauration scolaire et municipale", "services",
     [("Fabrication et livraison des repas", "restauration", 1.0)], (1.5, 4.5), (36, 48)),
    ("Plaine Commune Habitat", "Réhabilitation de {n} logements – résidence {place}", "construction",
     [("Gros œuvre et façades", "gros_oeuvre", 0.35), ("Menuiseries, peinture, revêtements", "second_oeuvre", 0.3),
      ("Plomberie, chauffage, électricité", "fluides", 0.25), ("Étanchéité", "enveloppe", 0.1)], (3, 12), (18, 36)),
    ("Plaine Commune Habitat", "Entretien ménager des parties communes – patrimoine de {town}", "services",
     [("Parties communes", "nettoyage", 0.75), ("Sortie des conteneurs", "proprete_urbaine", 0.25)],
     (0.5, 1.8), (36, 48)),
    ("Plaine Commune Habitat", "Entretien des espaces verts des résidences", "services",
     [("Espaces verts", "espaces_verts", 1.0)], (0.3, 1.0), (24, 48)),
    ("Plaine Commune Habitat", "Travaux d'entretien et de remise en état des logements vacants", "construction",
     [("Remise en état multitechnique", "maintenance", 0.6), ("Peinture et sols", "second_oeuvre", 0.4)],
     (0.8, 2.5), (24, 48)),
    ("Plaine Commune Habitat", "Gardiennage et surveillance des résidences", "services",
     [("Gardiennage", "securite", 1.0)], (0.4, 1.2), (24, 36)),
    ("Société des grands projets – ligne 16", "Gare de {town} – aménagement des abords", "construction",
     [("Génie civil", "gros_oeuvre", 0.6), ("Voirie et réseaux", "vrd", 0.4)], (8, 25), (24, 36)),
]

PLACES = {
    "93066": ["Pleyel", "Franc-Moisin", "Floréal", "Joliot-Curie", "La Plaine", "Cosmonautes"],
    "93001": ["Villette–Quatre-Chemins", "Landy", "Maladrerie", "Vallès"],
    "93027": ["Quatre-Mille", "Verlaine", "Convention"],
    "93072": ["Clos Saint-Lazare", "Moulin Neuf"],
    "93031": ["Orgemont", "La Source"],
    "93079": ["Saint-Leu", "Université"],
    "93070": ["Docks", "Vieux Saint-Ouen"],
    "93039": ["Quartier Sud"],
}
STREETS = ["Wilson", "Jean Jaurès", "Paul Vaillant-Couturier", "Gabriel Péri", "de la République",
           "Henri Barbusse", "Victor Hugo", "Lénine"]
GENERIC_COUNTS = {"EPT Plaine Commune": 14, "Ville d'Aubervilliers": 9, "Plaine Commune Habitat": 14,
                  "Société des grands projets – ligne 16": 5}


def build_generic_contracts(plan: Plan) -> None:
    """Clause-bearing contracts of the other buyers, notified over the last five and a half years."""
    rng = plan.rng("contracts")
    for buyer, count in GENERIC_COUNTS.items():
        templates = [t for t in TEMPLATES if t[0] == buyer]
        for i in range(count):
            plan_contract(plan, rng, templates[i % len(templates)])


def plan_contract(plan: Plan, rng, template) -> dict:
    buyer, object_text, sector, lots, amount_range, duration_range = template
    commune = "93001" if buyer == "Ville d'Aubervilliers" else rng.choice(list(PLACES))
    notified = between(rng, add_months(plan.anchor, -64), plan.anchor - timedelta(days=45))
    start = notified + timedelta(days=rng.randint(15, 60))
    end = add_months(start, rng.randint(*duration_range))
    kind = weighted(rng, {ClauseKind.EXECUTION_CONDITION: 80, ClauseKind.AWARD_CRITERION: 14,
                          ClauseKind.INSERTION_CONTRACT: 6 if sector == "services" else 0})
    total = Decimal(str(rng.uniform(*amount_range) * 1_000_000))
    count = rng.randint(1, len(lots)) if len(lots) > 1 else 1
    spec = ContractSpec(buyer=buyer, object=_object(rng, object_text, commune), sector=sector,
                        notified_on=notified, start_date=start, end_date=end, clause_kind=kind, commune=commune)
    for title, trade, share in lots[:count]:
        amount = (total * Decimal(str(share * rng.uniform(0.85, 1.15))) / 100).quantize(Decimal("1")) * 100
        insertion = kind is ClauseKind.INSERTION_CONTRACT
        company = titulaire_for(plan, rng, trade, INSERTION_HOLDERS if insertion else CompanyKind.TITULAIRE)
        spec.lots.append(LotSpec(title, trade, amount, company, clause_columns(
            rng, amount, sector, fixed=True if insertion else None)))
    return add_contract(plan, spec)


def _object(rng, text: str, commune: str) -> str:
    return text.format(town=TERRITORY_COMMUNES[commune], place=rng.choice(PLACES[commune]),
                       street=rng.choice(STREETS), n=rng.choice([84, 126, 212, 260, 318]))
