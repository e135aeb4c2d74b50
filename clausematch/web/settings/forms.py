"""The territory settings form (shape only; clausematch.settings.services checks the rules)."""
from wtforms import BooleanField, RadioField, StringField
from wtforms.validators import InputRequired, Length, Optional

from clausematch.vocabulary import ExitConvention
from clausematch.web.conflicts import version_field
from clausematch.web.fields import FrenchDecimalField, FrenchForm, IntegerField

REQUIRED = InputRequired(message="Ce champ est obligatoire.")


class SettingsForm(FrenchForm):
    version = version_field()
    eligibility_validity_months = IntegerField(
        "Durée de validité de l'éligibilité (mois)", validators=[REQUIRED],
        description="À compter de la validation, pour une nouvelle orientation. Par exemple 6.")
    default_labour_share = FrenchDecimalField(
        "Part de main-d'œuvre par défaut (%)", validators=[REQUIRED],
        description="Proposée par le calculateur d'objectif d'heures. Par exemple 50.")
    default_insertion_rate = FrenchDecimalField(
        "Taux d'insertion par défaut (%)", validators=[REQUIRED],
        description="Part des heures travaillées réservée à l'insertion. Par exemple 5 ou 7,5.")
    default_hourly_cost = FrenchDecimalField(
        "Coût horaire par défaut (€)", validators=[REQUIRED],
        description="Par exemple 30. Convertit aussi en heures les factures de sous-traitance ou de co-traitance "
                    "avec une SIAE des lots dont la clause n'a pas de coût horaire (montant ÷ coût horaire).")
    count_training_hours = BooleanField(
        "Compter les heures de formation dans les heures réalisées",
        description="Appliqué partout où les heures se comptent : rapports, bilans, alertes, fiches et tableaux "
                    "de bord.")
    cdi_lump_hours = IntegerField(
        "Forfait d'heures valorisé pour un CDI", validators=[Optional()],
        description="Facultatif. Chaque personne embauchée en CDI sur un lot clausé compte ce nombre d'heures, une "
                    "fois par lot (un CDD converti en CDI compte une fois), le mois où le CDI commence, à la place "
                    "des heures travaillées en CDI. Une clause peut fixer son propre forfait (0 : aucun). Laissez "
                    "vide si votre territoire ne valorise pas les CDI par un forfait.")
    globalise_across_lots = BooleanField(
        "Globaliser les heures entre les lots d'une même entreprise titulaire",
        description="Activé : les mutualisations enregistrées depuis la fiche d'un lot s'appliquent (chaque lot "
                    "mutualisé est jugé sur l'ensemble de ses lots). Désactivé : aucune ne peut être enregistrée et "
                    "celles qui existent restent enregistrées sans s'appliquer.")
    exit_convention = RadioField(
        "Sorties positives dans les rapports et les bilans", choices=dict(ExitConvention.choices()),
        validators=[REQUIRED],
        description="Chaque rapport des sorties indique la convention appliquée.")
    target_women_share = FrenchDecimalField("Objectif de femmes (%)", validators=[Optional()])
    target_under_26_share = FrenchDecimalField("Objectif de jeunes de moins de 26 ans (%)", validators=[Optional()])
    target_over_50_share = FrenchDecimalField("Objectif de seniors de 50 ans ou plus (%)", validators=[Optional()])
    target_qpv_share = FrenchDecimalField("Objectif de résidents des quartiers prioritaires (%)",
                                          validators=[Optional()])
    target_local_share = FrenchDecimalField("Objectif d'habitants du territoire (%)", validators=[Optional()])
    # The public register (/donnees-personnelles) and the retention periods.
    controller_name = StringField(
        "Responsable du traitement", validators=[Optional(), Length(max=200)],
        description="La structure qui porte le guichet clause, par exemple « Établissement public territorial Plaine "
                    "Commune ». Affiché sur la page publique « Données personnelles ».")
    controller_address = StringField(
        "Adresse du responsable du traitement", validators=[Optional(), Length(max=300)],
        description="Adresse postale complète, par exemple 21 avenue Jules Rimet, 93200 Saint-Denis.")
    # Checked by the service with the rule of every form (formats.parse_email).
    dpo_email = StringField(
        "Adresse électronique du délégué à la protection des données", validators=[Optional(), Length(max=254)],
        description="Les personnes y exercent leurs droits, par exemple dpo@territoire.fr.")
    inactivity_months = IntegerField(
        "Inactivité avant anonymisation d'une personne (mois)", validators=[REQUIRED],
        description="Entre 1 et 120 ; 24 par défaut. Annoncée sur la page « Données personnelles » : "
                    "l'anonymisation automatique n'existe pas encore dans ClauseMatch.")
    accountability_years = IntegerField(
        "Conservation des contrats et des heures après la fin du contrat (années)", validators=[REQUIRED],
        description="Durée de justification des clauses auprès des acheteurs, entre 1 et 30 ; 5 par défaut.")
    access_log_months = IntegerField(
        "Conservation du journal des accès (mois)", validators=[REQUIRED],
        description="Entre 1 et 120 ; 12 par défaut.")
