"""Story c) Ville de Saint-Denis and its SPASER: the share of contracts notified each year that
carry a social clause climbs from 8 % (2021) to 57 % (2023), then falls back to 29 % (2024)."""
from datetime import date, timedelta
from decimal import Decimal

from clausematch.accounts.models import CompanyKind
from clausematch.contracts.models import ClauseKind
from clausematch.database import add_months
from seeds.demo.common import Plan
from seeds.demo.contracts import ContractSpec, LotSpec, add_contract, clause_columns, titulaire_for
from seeds.demo.organisations import CITY_SAINT_DENIS

# year → (contracts notified, of which with a social clause): 2/25 = 8 %, 4/24 = 17 %,
# 12/21 = 57 %, 7/24 = 29 %; 2025 carries on (9/22 = 41 %).
YEARLY = {2021: (25, 2), 2022: (24, 4), 2023: (21, 12), 2024: (24, 7), 2025: (22, 9)}

# object, sector, lots (title, trade, share), amount range in M€, duration in months, kind
WITH_CLAUSE = [
    ("Restructuration du groupe scolaire Danielle Casanova", "construction",
     [("Gros œuvre", "gros_oeuvre", 0.55), ("Second œuvre", "second_oeuvre", 0.45)], (4, 9), 24, None),
    ("Entretien des espaces verts des parcs et squares", "services",
     [("Parcs et squares", "espaces_verts", 1.0)], (0.6, 1.4), 48, ClauseKind.RESERVED_SIAE),
    ("Nettoyage des bâtiments municipaux", "services",
     [("Écoles et crèches", "nettoyage", 0.6), ("Bâtiments administratifs", "nettoyage", 0.4)], (1, 2.5), 48, None),
    ("Réhabilitation du gymnase Auguste Delaune", "construction",
     [("Gros œuvre", "gros_oeuvre", 0.5), ("Lots techniques", "fluides", 0.3), ("Couverture", "enveloppe", 0.2)],
     (2, 5), 18, None),
    ("Restauration scolaire – fourniture et livraison des repas", "services",
     [("Repas des écoles", "restauration", 1.0)], (2, 5), 48, None),
    ("Accueil et orientation du public à l'hôtel de ville", "services",
     [("Accueil", "accueil_admin", 1.0)], (0.3, 0.8), 36, None),
    ("Médiation sociale et tranquillité publique", "services",
     [("Médiation", "mediation", 1.0)], (0.5, 1.2), 36, ClauseKind.AWARD_CRITERION),
    ("Rénovation énergétique de l'école élémentaire Pierre Sémard", "construction",
     [("Isolation par l'extérieur", "enveloppe", 0.5), ("Chauffage et ventilation", "fluides", 0.5)],
     (1.5, 3.5), 15, None),
    ("Aménagement du square de la Légion d'honneur", "construction",
     [("Voirie et réseaux divers", "vrd", 1.0)], (0.8, 2), 12, None),
    ("Construction de la crèche Confluence", "construction",
     [("Gros œuvre", "gros_oeuvre", 0.5), ("Second œuvre", "second_oeuvre", 0.3), ("Lots techniques", "fluides", 0.2)],
     (3, 6), 20, None),
    ("Mise sous pli et numérisation des courriers", "services",
     [("Numérisation", "accueil_admin", 1.0)], (0.15, 0.4), 36, ClauseKind.RESERVED_EA),
    ("Gardiennage des équipements sportifs", "services",
     [("Gardiennage", "securite", 1.0)], (0.4, 1), 36, None),
    ("Entretien et petits travaux dans les bâtiments communaux", "construction",
     [("Maintenance multitechnique", "maintenance", 0.6), ("Peinture", "second_oeuvre", 0.4)], (0.8, 2), 48, None),
]
WITHOUT_CLAUSE = [
    ("Fourniture de papier et de consommables de bureau", "services"),
    ("Maintenance des ascenseurs des bâtiments communaux", "services"),
    ("Fourniture de matériel informatique", "services"),
    ("Location et maintenance de photocopieurs", "services"),
    ("Fourniture de produits d'entretien", "services"),
    ("Assurance de la flotte automobile", "services"),
    ("Fourniture de vêtements de travail", "services"),
    ("Contrôles réglementaires des bâtiments", "services"),
    ("Fourniture de denrées alimentaires pour les centres de loisirs", "services"),
    ("Transport d'élèves en autocar", "services"),
    ("Fourniture de livres pour les médiathèques", "services"),
    ("Téléphonie mobile", "services"),
    ("Fourniture et pose de jeux pour les aires de jeux", "construction"),
    ("Fourniture de carburant", "services"),
    ("Entretien des véhicules municipaux", "services"),
    ("Illuminations de fin d'année", "services"),
    ("Fourniture de mobilier scolaire", "services"),
    ("Travaux d'éclairage public – accord-cadre", "construction"),
    ("Diagnostics amiante avant travaux", "services"),
    ("Maîtrise d'œuvre pour la réhabilitation du conservatoire", "services"),
    ("Impression du journal municipal", "services"),
    ("Licences logicielles", "services"),
    ("Désinsectisation et dératisation", "services"),
    ("Fourniture de matériel sportif", "services"),
    ("Organisation de séjours de vacances", "services"),
    ("Maintenance des systèmes de sécurité incendie", "services"),
    ("Fourniture de signalisation routière", "services"),
    ("Travaux d'étanchéité des toitures-terrasses", "construction"),
]


def build_saint_denis(plan: Plan) -> None:
    """Queue the city's contracts year by year, exactly YEARLY's counts."""
    rng = plan.rng("saint-denis")
    with_clause = iter(WITH_CLAUSE * 4)
    without = iter(WITHOUT_CLAUSE * 6)
    for year, (total, clausal) in YEARLY.items():
        kinds = [True] * clausal + [False] * (total - clausal)
        rng.shuffle(kinds)
        for has_clause in kinds:
            notified = date(year, 1, 10) + timedelta(days=rng.randint(0, 340))
            if has_clause:
                _with_clause(plan, rng, next(with_clause), notified)
            else:
                _without_clause(plan, rng, next(without), notified)


def _with_clause(plan: Plan, rng, template, notified: date) -> None:
    object_text, sector, lots, amount_range, months, kind = template
    start = notified + timedelta(days=rng.randint(20, 50))
    spec = ContractSpec(buyer=CITY_SAINT_DENIS, object=object_text, sector=sector, notified_on=notified,
                        start_date=start, end_date=add_months(start, months),
                        clause_kind=kind or ClauseKind.EXECUTION_CONDITION, commune="93066")
    company_kind = {ClauseKind.RESERVED_SIAE: CompanyKind.ACI, ClauseKind.RESERVED_EA: CompanyKind.EA}.get(
        kind, CompanyKind.TITULAIRE)
    total = Decimal(str(rng.uniform(*amount_range) * 1_000_000))
    for title, trade, share in lots:
        amount = (total * Decimal(str(share)) / 100).quantize(Decimal("1")) * 100
        spec.lots.append(LotSpec(title, trade, amount, titulaire_for(plan, rng, trade, company_kind),
                                 clause_columns(rng, amount, sector)))
    add_contract(plan, spec)


def _without_clause(plan: Plan, rng, template, notified: date) -> None:
    object_text, sector = template
    start = notified + timedelta(days=rng.randint(15, 45))
    amount = Decimal(rng.randrange(20_000, 1_800_000, 100))
    # Works contracts went to companies the territory knows; supplies to firms outside it.
    company = titulaire_for(plan, rng, "second_oeuvre") if sector == "construction" else None
    spec = ContractSpec(buyer=CITY_SAINT_DENIS, object=object_text, sector=sector, notified_on=notified,
                        start_date=start, end_date=add_months(start, rng.choice([12, 24, 36, 48])),
                        clause_kind=None, commune="93066",
                        lots=[LotSpec("Prestation unique", None, amount, company, None)])
    add_contract(plan, spec)
