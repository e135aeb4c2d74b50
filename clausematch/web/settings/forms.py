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
        "Coût horaire par défaut (€)", validators=[REQUIRED], description="Par exemple 30.")
    count_training_hours = BooleanField("Compter les heures de formation dans les heures réalisées")
    cdi_lump_hours = IntegerField(
        "Forfait d'heures valorisé pour un CDI", validators=[Optional()],
        description="Facultatif. Laissez vide si votre territoire ne valorise pas les CDI par un forfait.")
    globalise_across_lots = BooleanField("Globaliser les heures entre les lots d'un même marché")
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
