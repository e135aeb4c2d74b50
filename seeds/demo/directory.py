"""Directory profiles of the demo's inclusive structures (fictional names, real communes)."""
from datetime import datetime, time

from clausematch.directory.models import DirectoryCommune, DirectoryProfile, DirectoryRomeCode
from clausematch.directory.services import search_text_for
from seeds.demo.common import Plan

SUB, CO, STAFF = "offers_subcontracting", "offers_co_contracting", "offers_staff_provision"
# name: (activities, ROME codes, communes served, radius km, positions, hours per month, offers, contact)
PROFILES = {
    "Régie de quartier de Saint-Denis": (
        "Entretien des parties communes, nettoyage de locaux, petits travaux de second œuvre et peinture",
        ("K2204", "F1606"), ("93066", "93070"), 5, 12, 1500, (SUB, STAFF), "Nadia Benali"),
    "Bâtir Ensemble Insertion": (
        "Gros œuvre, maçonnerie, voirie et réseaux divers, second œuvre",
        ("F1703", "F1701", "F1606"), ("93001", "93066", "93027"), 15, 20, 2800, (SUB, CO), "Karim Haddad"),
    "Les Cuisines de la Plaine": (
        "Restauration collective, plonge, service en cantine scolaire",
        ("G1602", "G1603"), (), 10, 8, 1100, (SUB,), "Sophie Martin"),
    "ETTI Plaine Intérim Insertion": (
        "Mise à disposition de personnel du bâtiment : manœuvres, maçons, plombiers, électriciens",
        ("F1703", "F1701", "F1603", "F1602"), ("93066", "93070", "93001", "93027", "93031", "93072", "93079"),
        20, 40, 5000, (STAFF,), "Thomas Nguyen"),
    "Intérim solidaire Nord 93": (
        "Intérim d'insertion : nettoyage, tri et logistique, manœuvres",
        ("K2204", "N1103", "F1701"), (), 20, 25, 3000, (STAFF,), "Fatou Sarr"),
    "AI Aubervilliers Services Emploi": (
        "Mise à disposition pour le ménage, l'aide en restauration et l'accueil",
        ("K2204", "G1603", "M1601"), ("93001",), 8, 15, 1200, (STAFF,), "Julie Moreau"),
    "Chantier d'insertion Espaces verts du Canal": (
        "Création et entretien d'espaces verts, élagage, désherbage sans produits",
        ("A1203",), ("93031", "93066", "93027"), 10, 12, 1400, (SUB, CO), "Mehdi Ait Ali"),
    "Régie de quartier d'Aubervilliers": (
        "Propreté urbaine, enlèvement des encombrants, entretien des halls",
        ("K2303", "K2204"), ("93001",), 5, 10, 1300, (SUB,), "Isabelle Lefèvre"),
    "Ressourcerie de La Courneuve": (
        "Réemploi, tri et revalorisation des matériaux de déconstruction",
        ("K2304", "N1103"), (), 15, 6, 700, (SUB, CO), "Paul Girard"),
    "GEIQ BTP 93": (
        "Parcours qualifiants en alternance dans le bâtiment : maçonnerie, coffrage, plomberie, électricité",
        ("F1703", "F1701", "F1603", "F1602"), (), 30, 30, 4200, (STAFF,), "Claire Dubois"),
    "Régie de quartier de L'Île-Saint-Denis": (
        "Nettoyage des halls et des abords, petits travaux de peinture, médiation de proximité",
        ("K2204", "F1606", "K2303"), ("93039", "93066", "93070"), 5, 8, 900, (SUB, STAFF), "Yasmina Cherif"),
    "Les Ateliers de Villetaneuse (EA)": (
        "Entretien d'espaces verts et accueil, travailleurs en situation de handicap",
        ("A1203", "M1601"), ("93079", "93072"), 10, 9, 1000, (SUB,), "Hugo Lambert"),
}


def build_directory(plan: Plan) -> None:
    """A published profile for each inclusive structure above (written after the organisations)."""
    orgs = plan.refs["orgs"]
    stamp = datetime.combine(plan.anchor, time(9))
    for name, (activities, codes, communes, radius, positions, hours, offers, contact) in PROFILES.items():
        company = orgs[name]
        local = contact.split()[0].lower().replace("é", "e")
        profile = plan.add(
            DirectoryProfile, version=1, company_id=company["id"], activities=activities,
            search_text=search_text_for(activities, set(codes)), radius_km=radius, capacity_positions=positions,
            capacity_hours=hours, offers_subcontracting=SUB in offers, offers_co_contracting=CO in offers,
            offers_staff_provision=STAFF in offers, contact_name=contact,
            contact_email=f"{local}@{company['email'].split('@', 1)[1]}",
            contact_phone=company["phone"].replace(" ", ""),
            is_published=True, published_at=stamp, created_at=stamp, updated_at=stamp)
        plan.rows[DirectoryRomeCode] += [{"profile_id": profile["id"], "rome_code": code} for code in codes]
        plan.rows[DirectoryCommune] += [{"profile_id": profile["id"], "commune_insee": insee}
                                        for insee in communes]
