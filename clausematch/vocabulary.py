"""The domain's shared vocabulary (docs/domain.md): stable codes in English, labels in French.

Plain str enums shared by models, forms and services (the matching engine spells out the criteria
codes it needs: matching/engine/segment.py, checked against Criterion by a test).
"""
from dataclasses import dataclass

from clausematch.database import LabelledEnum


class Criterion(LabelledEnum):
    """Eligibility criteria ("publics éligibles"); a candidate may hold several."""

    DELD = "deld", "Demandeur d'emploi de longue durée (plus de 12 mois)"
    DETLD = "detld", "Demandeur d'emploi de très longue durée (plus de 24 mois)"
    RSA = "rsa", "Bénéficiaire du RSA"
    ASS = "ass", "Bénéficiaire de l'ASS"
    AAH = "aah", "Bénéficiaire de l'AAH"
    INVALIDITY_PENSION = "invalidity_pension", "Titulaire d'une pension d'invalidité"
    OTHER_MINIMUM_INCOME = "other_minimum_income", "Bénéficiaire d'un autre minimum social"
    RQTH = "rqth", "Travailleur handicapé (RQTH)"
    UNDER_26 = "under_26", "Jeune de moins de 26 ans peu ou pas qualifié"
    OVER_50 = "over_50", "Senior de 50 ans ou plus"
    QPV = "qpv", "Résident d'un quartier prioritaire (QPV)"
    IAE = "iae", "Salarié en parcours IAE (PASS IAE)"
    STRUCTURE = "structure", "Accompagné par EPIDE, E2C, GEIQ ou régie de quartier"
    DEROGATION = "derogation", "Dérogation sur avis motivé d'un prescripteur"


@dataclass(frozen=True)
class CriterionGuide:
    """What a criterion means and the evidence usually seen for it (help where it is chosen)."""

    definition: str
    evidence: str


CRITERION_GUIDE: dict[Criterion, CriterionGuide] = {
    Criterion.DELD: CriterionGuide(
        "Inscrit à France Travail depuis au moins 12 mois au cours des 18 derniers mois.",
        "historique des périodes d'inscription à France Travail"),
    Criterion.DETLD: CriterionGuide(
        "Inscrit à France Travail depuis au moins 24 mois au cours des 36 derniers mois.",
        "historique des périodes d'inscription à France Travail"),
    Criterion.RSA: CriterionGuide(
        "La personne ou son foyer perçoit le revenu de solidarité active.",
        "attestation de droits de la CAF ou de la MSA de moins de 3 mois"),
    Criterion.ASS: CriterionGuide(
        "La personne perçoit l'allocation de solidarité spécifique (fin de droits au chômage).",
        "notification ou avis de paiement de France Travail"),
    Criterion.AAH: CriterionGuide(
        "La personne perçoit l'allocation aux adultes handicapés.",
        "attestation de paiement de la CAF ou de la MSA, ou notification de la CDAPH"),
    Criterion.INVALIDITY_PENSION: CriterionGuide(
        "La personne est titulaire d'une pension d'invalidité de la sécurité sociale (catégorie 1 ou 2).",
        "notification de pension d'invalidité de la CPAM ou de la MSA"),
    Criterion.OTHER_MINIMUM_INCOME: CriterionGuide(
        "La personne perçoit un autre minimum social accepté par le territoire (allocation d'insertion, "
        "allocation temporaire d'attente, revenu de solidarité outre-mer…).",
        "attestation de l'organisme payeur de moins de 3 mois"),
    Criterion.RQTH: CriterionGuide(
        "La personne a une reconnaissance de la qualité de travailleur handicapé en cours de validité.",
        "notification de décision de la CDAPH (MDPH)"),
    Criterion.UNDER_26: CriterionGuide(
        "Moins de 26 ans, sans diplôme ou d'un niveau inférieur au baccalauréat, ou suivi par une mission "
        "locale.",
        "pièce d'identité, et dernier diplôme ou attestation de suivi de la mission locale"),
    Criterion.OVER_50: CriterionGuide(
        "50 ans ou plus et à la recherche d'un emploi.",
        "pièce d'identité et attestation d'inscription à France Travail"),
    Criterion.QPV: CriterionGuide(
        "La personne réside dans un quartier prioritaire de la politique de la ville (carte 2024).",
        "justificatif de domicile de moins de 3 mois, adresse vérifiée sur la carte des quartiers prioritaires"),
    Criterion.IAE: CriterionGuide(
        "La personne est salariée d'une structure d'insertion par l'activité économique, avec un PASS IAE "
        "en cours.",
        "numéro du PASS IAE ou attestation de la structure d'insertion"),
    Criterion.STRUCTURE: CriterionGuide(
        "La personne est accompagnée par un EPIDE, une école de la 2e chance, un GEIQ ou une régie de "
        "quartier.",
        "attestation d'accompagnement de la structure"),
    Criterion.DEROGATION: CriterionGuide(
        "La personne rencontre des difficultés sociales et professionnelles particulières sans relever d'un "
        "autre critère : un prescripteur en donne un avis motivé, que l'équipe de facilitation accepte.",
        "avis motivé écrit du prescripteur"),
}

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
    """The precise situation at exit; each detail belongs to one category (EXIT_CATEGORY), as the
    DGEFP defines them for the IAE: a durable job is a CDI, a CDD or temporary work of MORE than
    6 months, civil service or a business creation; a contract of exactly 6 months is a
    transition job."""

    CDI = "cdi", "CDI"
    LONG_CDD = "long_cdd", "CDD de plus de 6 mois"
    LONG_INTERIM = "long_interim", "Intérim de plus de 6 mois"
    CIVIL_SERVICE = "civil_service", "Fonction publique"
    BUSINESS_CREATION = "business_creation", "Création d'entreprise"
    SHORT_CDD = "short_cdd", "CDD de 6 mois ou moins"
    SHORT_INTERIM = "short_interim", "Intérim de 6 mois ou moins"
    SUBSIDISED = "subsidised", "Contrat aidé chez un employeur ordinaire"
    TRAINING = "training", "Formation qualifiante"
    PRE_QUALIFYING_TRAINING = "pre_qualifying_training", "Formation pré-qualifiante"
    SIAE_HIRE = "siae_hire", "Embauche par une SIAE"
    UNEMPLOYMENT = "unemployment", "Demandeur d'emploi"
    INACTIVITY = "inactivity", "Inactivité"
    UNKNOWN = "unknown", "Situation inconnue"


class ExitConvention(LabelledEnum):
    """How the outcomes report counts positive exits (a territory setting, named on every report).

    DGEFP: the categories of EXIT_CATEGORY. PLIE: a positive exit is a durable job confirmed at
    the 6-month follow-up (an exit to a durable job whose follow-up finds the person in durable
    work), or a qualifying training; everything else is another exit."""

    DGEFP = "dgefp", "Définitions de la DGEFP (insertion par l'activité économique)"
    PLIE = "plie", "Convention des PLIE (emploi durable confirmé à 6 mois ou formation qualifiante)"


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
    ExitDetail.PRE_QUALIFYING_TRAINING: ExitCategory.POSITIVE,
    ExitDetail.SIAE_HIRE: ExitCategory.POSITIVE,
    ExitDetail.UNEMPLOYMENT: ExitCategory.OTHER,
    ExitDetail.INACTIVITY: ExitCategory.OTHER,
    ExitDetail.UNKNOWN: ExitCategory.OTHER,
}

# 1 ETP = legal annual working time.
HOURS_PER_FTE = 1607
