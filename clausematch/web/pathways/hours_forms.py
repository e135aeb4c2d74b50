"""Forms of the hours pages: shape only (the grid's cells and the CSV lines are checked by the
services, which know the contracts and the bounds)."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import MonthInput

from clausematch.pathways.hours_validation import REASON_MAX_LENGTH
from clausematch.web.fields import FrenchForm, coerce_id


class PeriodForm(FrenchForm):
    """Which lot and month to declare (a GET form: shareable, no token)."""

    class Meta(FrenchForm.Meta):
        csrf = False

    lot = SelectField("Lot", coerce=coerce_id, validate_choice=False)
    mois = StringField("Mois", widget=MonthInput(),
                       description="Format AAAA-MM, par exemple 2025-03. Par défaut : le mois dernier.")


class CsvUploadForm(FrenchForm):
    fichier = FileField(
        "Fichier CSV", validators=[FileRequired("Choisissez un fichier CSV."),
                                   FileAllowed(["csv", "txt"], "Le fichier doit être au format CSV (.csv).")],
        description="2 Mo et 5 000 lignes au plus ; séparateur « ; » ou « , » ; encodage UTF-8 ou Windows. "
                    "Colonnes : contrat (ou candidat et lot), mois, heures, type (travail ou formation).")


class RejectForm(FrenchForm):
    motif = TextAreaField("Motif du refus", validators=[
        DataRequired("Indiquez le motif du refus : l'entreprise le lira pour corriger sa déclaration."),
        Length(max=REASON_MAX_LENGTH, message=f"{REASON_MAX_LENGTH} caractères au plus.")],
        description="L'entreprise le lit avec la déclaration refusée.")


class CorrectionForm(FrenchForm):
    heures = StringField("Heures corrigées", validators=[DataRequired("Indiquez le nombre d'heures corrigé.")],
                         description="Par exemple 151,67. La valeur corrigée est validée aussitôt.")
    commentaire = TextAreaField("Raison de la correction", validators=[
        DataRequired("Expliquez la correction : l'entreprise lira ce commentaire."),
        Length(max=REASON_MAX_LENGTH, message=f"{REASON_MAX_LENGTH} caractères au plus.")])
