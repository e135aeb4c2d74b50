"""The domain's shared vocabulary (docs/domain.md): stable codes in English, labels in French.

Plain str enums shared by models, forms and services (the matching engine spells out the criteria
codes it needs: matching/engine/segment.py, checked against Criterion by a test).
"""
from clausematch.database import LabelledEnum


class Criterion(LabelledEnum):
    """Eligibility criteria ("publics éligibles"); a candidate may hold several."""

    DELD = "deld", "Demandeur d'emploi de longue durée (plus de 12 mois)"
    DETLD = "detld", "Demandeur d'emploi de très longue durée (plus de 24 mois)"
    RSA = "rsa", "Bénéficiaire du RSA"
    ASS = "ass", "Bénéficiaire de l'ASS"
    AAH = "aah", "Bénéficiaire de l'AAH"
    RQTH = "rqth", "Travailleur handicapé (RQTH)"
    UNDER_26 = "under_26", "Jeune de moins de 26 ans peu ou pas qualifié"
    OVER_50 = "over_50", "Senior de 50 ans ou plus"
    QPV = "qpv", "Résident d'un quartier prioritaire (QPV)"
    IAE = "iae", "Salarié en parcours IAE (PASS IAE)"
    STRUCTURE = "structure", "Accompagné par EPIDE, E2C, GEIQ ou régie de quartier"
    DEROGATION = "derogation", "Dérogation sur avis motivé d'un prescripteur"


class ContractType(LabelledEnum):
    CDI = "cdi", "CDI"
    CDD = "cdd", "CDD"
    INTERIM = "interim", "Intérim"
    APPRENTISSAGE = "apprentissage", "Contrat d'apprentissage"
    PROFESSIONNALISATION = "professionnalisation", "Contrat de professionnalisation"
    CDDI = "cddi", "CDDI (structure d'insertion)"
    MISE_A_DISPOSITION = "mise_a_disposition", "Mise à disposition"


class Mode(LabelledEnum):
    """How insertion hours are realised on a lot."""

    DIRECT = "direct", "Embauche directe"
    ETTI = "etti", "Mise à disposition par une ETTI"
    AI = "ai", "Mise à disposition par une association intermédiaire"
    GEIQ = "geiq", "Mise à disposition par un GEIQ"
    SUBCONTRACTING_SIAE = "subcontracting_siae", "Sous-traitance ou co-traitance avec une SIAE"


class Sector(LabelledEnum):
    CONSTRUCTION = "construction", "Bâtiment et travaux publics"
    SERVICES = "services", "Services"


class Gender(LabelledEnum):
    FEMALE = "f", "Femme"
    MALE = "m", "Homme"
    OTHER = "x", "Non précisé"


class EducationLevel(LabelledEnum):
    NONE = "none", "Sans diplôme"
    CAP_BEP = "cap_bep", "CAP, BEP (niveau 3)"
    BAC = "bac", "Baccalauréat (niveau 4)"
    BAC_2 = "bac_2", "Bac +2 (niveau 5)"
    BAC_3_PLUS = "bac_3_plus", "Bac +3 et plus (niveau 6 et plus)"


class ExitCategory(LabelledEnum):
    DURABLE = "durable", "Emploi durable"
    TRANSITION = "transition", "Emploi de transition"
    POSITIVE = "positive", "Sortie positive"
    OTHER = "other", "Autre sortie"


class ExitDetail(LabelledEnum):
    """The precise situation at exit; each detail belongs to one category (EXIT_CATEGORY)."""

    CDI = "cdi", "CDI"
    LONG_CDD = "long_cdd", "CDD de 6 mois ou plus"
    LONG_INTERIM = "long_interim", "Intérim de 6 mois ou plus"
    CIVIL_SERVICE = "civil_service", "Fonction publique"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    SHORT_CDD = "short_cdd", "CDD de moins de 6 mois"
    SHORT_INTERIM = "short_interim", "Intérim de moins de 6 mois"
    SUBSIDISED = "subsidised", "Contrat aidé"
    TRAINING = "training", "Formation qualifiante"
    SIAE_HIRE = "siae_hire", "Embauche par une SIAE"
    UNEMPLOYMENT = "unemployment", "Demandeur d'emploi"
    INACTIVITY = "inactivity", "Inactivité"
    UNKNOWN = "unknown", "Situation inconnue"


EXIT_CATEGORY: dict[ExitDetail, ExitCategory] = {
    ExitDetail.CDI: ExitCategory.DURABLE,
    ExitDetail.LONG_CDD: ExitCategory.DURABLE,
    ExitDetail.LONG_INTERIM: ExitCategory.DURABLE,
    ExitDetail.CIVIL_SERVICE: ExitCategory.DURABLE,
    ExitDetail.BUSINESS_CREATION: ExitCategory.DURABLE,
    ExitDetail.SHORT_CDD: ExitCategory.TRANSITION,
    ExitDetail.SHORT_INTERIM: ExitCategory.TRANSITION,
    ExitDetail.SUBSIDISED: ExitCategory.TRANSITION,
    ExitDetail.TRAINING: ExitCategory.POSITIVE,
    ExitDetail.SIAE_HIRE: ExitCategory.POSITIVE,
    ExitDetail.UNEMPLOYMENT: ExitCategory.OTHER,
    ExitDetail.INACTIVITY: ExitCategory.OTHER,
    ExitDetail.UNKNOWN: ExitCategory.OTHER,
}

# 1 ETP = legal annual working time.
HOURS_PER_FTE = 1607
