"""The organisations of the demo territory: facilitator team, buyers, companies, prescribers."""
from clausematch.accounts.models import BuyerKind, CompanyKind, Organisation, OrganisationKind, PrescriberKind
from seeds.demo.common import Plan, siret, slug

FACILITATOR_TEAM = "Service clauses sociales – Plaine Commune"
FT_SAINT_DENIS = "France Travail Saint-Denis"
CITY_SAINT_DENIS = "Ville de Saint-Denis"
SOLIDEO = "SOLIDEO – ouvrages olympiques"
DEMO_COMPANY = "Constructions du Landy"

# name, kind, commune, address
BUYERS = [
    ("EPT Plaine Commune", BuyerKind.EPT, "93066", "21 avenue Jules Rimet"),
    (CITY_SAINT_DENIS, BuyerKind.CITY, "93066", "2 place Victor Hugo"),
    (SOLIDEO, BuyerKind.OLYMPIC, "93066", "18 rue Jules Saulnier"),
    ("Plaine Commune Habitat", BuyerKind.SOCIAL_LANDLORD, "93066", "5 rue Jean Jaurès"),
    ("Ville d'Aubervilliers", BuyerKind.CITY, "93001", "2 rue de la Commune de Paris"),
    ("Société des grands projets – ligne 16", BuyerKind.STATE, "93066", "2 mail de la Petite Espagne"),
]

# name, kind, commune, trades (what its lots or offers are about)
COMPANIES = [
    (DEMO_COMPANY, CompanyKind.TITULAIRE, "93066", ("gros_oeuvre", "second_oeuvre")),
    ("Bâti Grand Paris Construction", CompanyKind.TITULAIRE, "93070", ("gros_oeuvre",)),
    ("Entreprise générale Pleyel", CompanyKind.TITULAIRE, "93066", ("gros_oeuvre", "second_oeuvre")),
    ("Routes et Réseaux de France – agence Nord", CompanyKind.TITULAIRE, "93027", ("vrd",)),
    ("Ossature Métropole", CompanyKind.TITULAIRE, "75119", ("gros_oeuvre", "enveloppe")),
    ("Désamiantage Île-de-France Nord", CompanyKind.TITULAIRE, "93072", ("desamiantage",)),
    ("Maçonnerie Aubervilliers Frères", CompanyKind.TITULAIRE, "93001", ("gros_oeuvre", "maintenance")),
    ("Électricité Canal Saint-Denis", CompanyKind.TITULAIRE, "93066", ("fluides",)),
    ("Plomberie Chauffage du Nord parisien", CompanyKind.TITULAIRE, "93031", ("fluides", "maintenance")),
    ("Peintures et Revêtements de la Plaine", CompanyKind.TITULAIRE, "93070", ("second_oeuvre",)),
    ("Étanchéité Couverture 93", CompanyKind.TITULAIRE, "93079", ("enveloppe",)),
    ("Menuiseries Stains Aluminium", CompanyKind.TITULAIRE, "93072", ("second_oeuvre",)),
    ("Terrassements courneuviens", CompanyKind.TITULAIRE, "93027", ("vrd",)),
    ("Nettoyage Services Plaine", CompanyKind.TITULAIRE, "93066", ("nettoyage",)),
    ("Propreté urbaine Nord Île-de-France", CompanyKind.TITULAIRE, "93001", ("proprete_urbaine", "nettoyage")),
    ("Jardins et Paysages du Canal", CompanyKind.TITULAIRE, "93031", ("espaces_verts",)),
    ("Restauration collective Saint-Denis", CompanyKind.TITULAIRE, "93066", ("restauration",)),
    ("Cuisine centrale de la Plaine", CompanyKind.TITULAIRE, "93027", ("restauration",)),
    ("Accueil Multiservices Entreprises", CompanyKind.TITULAIRE, "93070", ("accueil_admin",)),
    ("Archives et Numérique Services", CompanyKind.TITULAIRE, "75119", ("accueil_admin",)),
    ("Médiation urbaine Plaine Commune", CompanyKind.TITULAIRE, "93066", ("mediation",)),
    ("Sécurité Gardiennage Nord", CompanyKind.TITULAIRE, "93001", ("securite",)),
    ("Valorisation Tri Saint-Ouen", CompanyKind.TITULAIRE, "93070", ("tri_logistique",)),
    ("Régie de quartier de Saint-Denis", CompanyKind.REGIE, "93066", ("nettoyage", "second_oeuvre")),
    ("Bâtir Ensemble Insertion", CompanyKind.EI, "93001", ("gros_oeuvre", "second_oeuvre", "vrd")),
    ("Les Cuisines de la Plaine", CompanyKind.EI, "93066", ("restauration",)),
    ("ETTI Plaine Intérim Insertion", CompanyKind.ETTI, "93066", ("gros_oeuvre", "second_oeuvre", "vrd", "fluides")),
    ("Intérim solidaire Nord 93", CompanyKind.ETTI, "93027", ("nettoyage", "tri_logistique", "gros_oeuvre")),
    ("AI Aubervilliers Services Emploi", CompanyKind.AI, "93001", ("nettoyage", "restauration", "accueil_admin")),
    ("Stains Emploi Services", CompanyKind.AI, "93072", ("nettoyage", "espaces_verts", "proprete_urbaine")),
    ("Chantier d'insertion Espaces verts du Canal", CompanyKind.ACI, "93031", ("espaces_verts",)),
    ("Régie de quartier d'Aubervilliers", CompanyKind.REGIE, "93001",
     ("proprete_urbaine", "nettoyage", "maintenance")),
    ("Ressourcerie de La Courneuve", CompanyKind.ACI, "93027", ("tri_logistique",)),
    ("GEIQ BTP 93", CompanyKind.GEIQ, "93066", ("gros_oeuvre", "second_oeuvre", "fluides", "vrd", "desamiantage")),
    ("GEIQ Propreté Île-de-France", CompanyKind.GEIQ, "93070", ("nettoyage", "proprete_urbaine")),
    ("Les Ateliers de Villetaneuse (EA)", CompanyKind.EA, "93079", ("espaces_verts", "accueil_admin")),
    ("Handi-Services Nord (EA)", CompanyKind.EA, "95585", ("nettoyage",)),
    ("Régie de quartier de L'Île-Saint-Denis", CompanyKind.REGIE, "93039", ()),  # in the directory only, no lot
]

# name, kind, commune
PRESCRIBERS = [
    (FT_SAINT_DENIS, PrescriberKind.FRANCE_TRAVAIL, "93066"),
    ("France Travail Aubervilliers", PrescriberKind.FRANCE_TRAVAIL, "93001"),
    ("France Travail La Courneuve", PrescriberKind.FRANCE_TRAVAIL, "93027"),
    ("France Travail Épinay-sur-Seine", PrescriberKind.FRANCE_TRAVAIL, "93031"),
    ("Mission locale Plaine Commune", PrescriberKind.MISSION_LOCALE, "93066"),
    ("Cap Emploi 93", PrescriberKind.CAP_EMPLOI, "93066"),
    ("PLIE Plaine Commune", PrescriberKind.PLIE, "93066"),
    ("Département de la Seine-Saint-Denis – service social", PrescriberKind.SOCIAL_SERVICE, "93001"),
    ("ACI Les Jardins de Stains", PrescriberKind.SIAE, "93072"),
    ("Association Femmes relais de la Plaine", PrescriberKind.ASSOCIATION, "93066"),
    ("Association Accueil et Emploi 93", PrescriberKind.ASSOCIATION, "93070"),
    ("École de la deuxième chance de Seine-Saint-Denis", PrescriberKind.OTHER, "93070"),
]

STREETS = ["rue de la République", "avenue du Président Wilson", "rue du Landy", "boulevard Anatole France",
           "rue Gabriel Péri", "avenue Jean Jaurès", "rue de Paris", "quai de Seine", "rue Danielle Casanova",
           "avenue Paul Vaillant-Couturier", "rue Ambroise Croizat", "chemin du Cornillon"]


def build_organisations(plan: Plan) -> None:
    """Queue every organisation; `plan.refs["orgs"]` maps a name to its row."""
    rng = plan.rng("organisations")
    territory_id = plan.refs["territory"]["id"]
    orgs: dict[str, dict] = {}
    siret_body = 3480000000000  # fictitious range, 13-digit bodies, Luhn key appended

    def add(name, kind, commune, *, buyer=None, company=None, prescriber=None, with_siret=False):
        nonlocal siret_body
        siret_body += rng.randint(1200, 98000)
        orgs[name] = plan.add(
            Organisation, territory_id=territory_id, kind=kind, name=name,
            email=f"contact@{slug(name)[:40]}.demo.clausematch.fr",
            phone=f"01 99 00 {rng.randint(10, 99)} {rng.randint(10, 99)}",
            address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}", commune_insee=commune,
            is_active=True, prescriber_kind=prescriber, company_kind=company, buyer_kind=buyer,
            siret=siret(siret_body) if with_siret else None)
        return orgs[name]

    add(FACILITATOR_TEAM, OrganisationKind.FACILITATOR, "93066")
    for name, kind, commune, street in BUYERS:
        add(name, OrganisationKind.BUYER, commune, buyer=kind, with_siret=True)["address"] = street
    companies_by_trade: dict[str, list[dict]] = {}
    for name, kind, commune, trades in COMPANIES:
        row = add(name, OrganisationKind.COMPANY, commune, company=kind, with_siret=True)
        for trade in trades:
            companies_by_trade.setdefault(trade, []).append(row)
    for name, kind, commune in PRESCRIBERS:
        add(name, OrganisationKind.PRESCRIBER, commune, prescriber=kind)
    plan.refs["orgs"] = orgs
    plan.refs["companies_by_trade"] = companies_by_trade
    plan.refs["company_trades"] = {name: trades for name, _, _, trades in COMPANIES}


def companies_of(plan: Plan, kind: CompanyKind | tuple[CompanyKind, ...], trade: str | None = None) -> list[dict]:
    """Companies of one kind or of several (and trade), in declaration order."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    rows = plan.refs["companies_by_trade"].get(trade, []) if trade else plan.refs["orgs"].values()
    return [row for row in rows if row["company_kind"] in kinds]
