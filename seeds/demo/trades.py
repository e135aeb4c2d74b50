"""Trades of the clause-bearing lots: their ROME appellations and how people type them."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.extensions import db
from clausematch.referential.models import RomeAppellation, RomeCode
from clausematch.vocabulary import Sector

CONSTRUCTION, SERVICES = Sector.CONSTRUCTION.value, Sector.SERVICES.value


@dataclass(frozen=True)
class Trade:
    sector: str
    appellations: tuple[int, ...]  # ROME appellation codes, most frequent first
    certificates: str = ""


TRADES: dict[str, Trade] = {
    "gros_oeuvre": Trade(CONSTRUCTION, (16250, 12685, 15071, 10879, 16352, 15432)),
    "second_oeuvre": Trade(CONSTRUCTION, (17619, 16850, 11690, 16626)),
    "fluides": Trade(CONSTRUCTION, (14635, 17837, 11981), "Habilitation électrique B1V"),
    "vrd": Trade(CONSTRUCTION, (11661, 10851, 13251, 16352), "CACES R482 cat. A"),
    "enveloppe": Trade(CONSTRUCTION, (14911, 13822, 15029)),
    "desamiantage": Trade(CONSTRUCTION, (13990, 13917), "SS4 amiante"),
    "maintenance": Trade(CONSTRUCTION, (10489, 17619, 14635)),
    "nettoyage": Trade(SERVICES, (10571, 10686, 10575)),
    "proprete_urbaine": Trade(SERVICES, (10576, 10536)),
    "espaces_verts": Trade(SERVICES, (16068, 38436, 16069)),
    "restauration": Trade(SERVICES, (10827, 13861, 14813, 17846), "Formation HACCP"),
    "accueil_admin": Trade(SERVICES, (10372, 10349, 19364)),
    "mediation": Trade(SERVICES, (10526, 10525)),
    "securite": Trade(SERVICES, (10599, 10602), "SSIAP 1"),
    "tri_logistique": Trade(SERVICES, (10638, 17993, 11679)),
}

# How candidates write the job they want: no accents, typos, vague wishes.
TYPED = {
    16250: ["macon", "Maçon", "maçon finisseur", "MACON", "macon gros oeuvre"],
    12685: ["coffreur", "coffreur boiseur", "cofreur"],
    15071: ["ferrailleur", "ferailleur"],
    10879: ["aide macon", "aide-maçon", "manoeuvre macon"],
    16352: ["manoeuvre", "manœuvre", "manoeuvre bâtiment", "ouvrier polyvalent batiment",
            "n'importe quoi dans le bâtiment"],
    15432: ["grutier", "grutier a tour"],
    17619: ["peintre", "peintre en batiment", "peintre batiment", "paintre"],
    16850: ["plaquiste", "placo", "plaquiste / placo"],
    11690: ["carreleur", "carlage", "carreleur faïence"],
    16626: ["menuisier poseur", "poseur fenetres", "menuisier"],
    14635: ["electricien", "éléctricien", "electricien batiment", "elec"],
    17837: ["plombier", "plomberie"],
    11981: ["chauffagiste", "plombier chauffagiste", "chaufagiste"],
    11661: ["canalisateur", "canalisation"],
    10851: ["aide vrd", "ouvrier vrd", "travaux publics", "TP"],
    13251: ["conducteur d'engins", "conducteur engin", "chauffeur engins", "CACES engins"],
    14911: ["etancheur", "étanchéité"],
    13822: ["couvreur", "couvreur zingueur"],
    15029: ["facadier", "ravalement facade"],
    13990: ["desamianteur", "désamiantage", "amiante", "desamientage"],
    13917: ["defloqueur amiante"],
    10489: ["agent de maintenance", "maintenance batiment", "homme toutes mains", "bricolage"],
    10571: ["agent d'entretien", "agent de proprete", "menage", "ménage bureaux", "nettoyage",
            "agent d entretien"],
    10686: ["nettoyage ecoles", "agent d'entretien collectivité"],
    10575: ["nettoyage bureaux", "entretien des bureaux"],
    10576: ["agent de proprete urbaine", "balayeur", "eboueur", "propreté de la ville"],
    10536: ["nettoiement", "agent de nettoiement"],
    16068: ["jardinier", "espace vert", "espaces verts", "jardinage"],
    38436: ["aide jardinier", "entretien espaces verts"],
    16069: ["jardinier paysagiste", "paysagiste"],
    10827: ["aide cuisine", "aide de cuisine", "commis", "cantine"],
    13861: ["cuisinier", "cuisine", "cuisinière", "cuisinier collectivité"],
    14813: ["employé polyvalent restauration", "restauration", "restauration rapide"],
    17846: ["plonge", "plongeur", "plonger"],
    10372: ["accueil", "hotesse d'accueil", "agent d'accueil", "standard"],
    10349: ["agent administratif", "administratif", "secretariat", "travail de bureau"],
    19364: ["secretaire", "secrétaire", "assistante administrative"],
    10526: ["mediateur", "médiation sociale", "mediatrice", "animateur"],
    10525: ["agent de mediation", "correspondant de nuit"],
    10599: ["agent de securite", "securité", "vigile", "agent de sécu"],
    10602: ["ssiap", "ssiap 1", "securite incendie"],
    10638: ["tri des dechets", "recyclage", "agent de tri"],
    17993: ["preparateur de commande", "magasinier", "logistique", "manutention"],
    11679: ["cariste", "caces 3", "chariot élévateur"],
}

# Share of the trades among job seekers of each sector (weights).
SEEKER_TRADES = {
    CONSTRUCTION: {"gros_oeuvre": 34, "second_oeuvre": 22, "fluides": 12, "vrd": 14,
                   "enveloppe": 6, "desamiantage": 4, "maintenance": 8},
    SERVICES: {"nettoyage": 30, "espaces_verts": 14, "restauration": 18, "accueil_admin": 14,
               "proprete_urbaine": 8, "mediation": 5, "securite": 6, "tri_logistique": 5},
}


def load_appellations() -> dict[int, dict]:
    """Label, ROME code and ROME label of every appellation the trades use (code → row),
    checked present."""
    codes = sorted({code for trade in TRADES.values() for code in trade.appellations})
    query = (sa.select(RomeAppellation.code, RomeAppellation.label, RomeAppellation.rome_code,
                       RomeCode.label.label("rome_label"))
             .join(RomeCode, RomeCode.code == RomeAppellation.rome_code)
             .where(RomeAppellation.code.in_(codes)).order_by(RomeAppellation.code))
    found = {row.code: row._asdict() for row in db.session.execute(query)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise RuntimeError("Référentiel ROME incomplet (appellations absentes : "
                           f"{', '.join(map(str, missing))}) : lancez d'abord « flask ref load ».")
    return found
