"""Forms of the import pages: shape only (the file is read and checked by clausematch.imports)."""
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField
from wtforms.validators import InputRequired, ValidationError

from clausematch.imports.kinds import KINDS
from clausematch.imports.tabular import MAX_BYTES, MAX_LINES
from clausematch.web.fields import FrenchForm


class UploadForm(FrenchForm):
    kind = RadioField("Que contient le fichier ?", choices={k.name: k.label for k in KINDS.values()},
                      validators=[InputRequired("Choisissez ce que contient le fichier.")])
    fichier = FileField(
        "Fichier CSV ou XLSX (JSON pour les DECP)",
        validators=[FileRequired("Choisissez un fichier CSV ou XLSX."),
                    FileAllowed(["csv", "txt", "xlsx", "json"], "Le fichier doit être au format CSV (.csv) ou XLSX "
                                                                "(.xlsx), ou JSON (.json) pour les DECP.")],
        description=f"{MAX_BYTES // (1024 * 1024)} Mo et {MAX_LINES:,} lignes au plus".replace(",", " ")
                    + " ; CSV séparé par « ; » ou « , », en UTF-8 ou Windows ; ou classeur XLSX (première feuille) ;"
                      " les DECP en JSON ou en CSV, tels que publiés.")

    def validate_fichier(self, field):
        name = getattr(field.data, "filename", "") or ""
        if name.lower().endswith(".json") and self.kind.data != "decp":
            raise ValidationError("Un fichier JSON ne s'importe que comme données essentielles des marchés (DECP) : "
                                  "pour les autres types, enregistrez le tableau au format CSV ou XLSX.")


class ConfirmForm(FrenchForm):
    """The "Importer" button: only the CSRF token; the upload is named by the URL."""
