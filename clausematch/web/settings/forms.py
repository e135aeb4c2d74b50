"""The territory settings form (shape only; clausematch.settings.services checks the rules)."""
from wtforms import BooleanField, RadioField
from wtforms.validators import InputRequired, Optional

from clausematch.vocabulary import ExitConvention
from clausematch.web.fields import FrenchDecimalField, FrenchForm, IntegerField

REQUIRED = InputRequired(message="Ce champ est obligatoire.")


class SettingsForm(FrenchForm):
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
