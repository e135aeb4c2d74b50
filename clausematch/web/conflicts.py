"""The edit forms' version field and the French message of a save refused because someone else
saved the record meanwhile (clausematch/versioning.py)."""
from datetime import date
from decimal import Decimal
from enum import Enum

from wtforms import HiddenField

from clausematch.formats import format_date, format_decimal_fr
from clausematch.versioning import EditConflict

# Columns a form edits under another name.
COLUMN_LABELS = {"commune_insee": "Commune", "buyer_id": "Acheteur", "company_id": "Entreprise titulaire",
                 "referent_id": "Conseiller référent", "appellation_code": "Métier"}


def version_field() -> HiddenField:
    """The version the form was loaded at (empty: no check, as for a creation)."""
    return HiddenField(filters=[lambda value: int(value) if str(value or "").isdigit() else None])


def fill_version(form, record) -> None:
    form.version.data = record.version


def show_conflict(form, error: EditConflict) -> None:
    """The refusal at the top of the form, with each field that differs and its current value;
    the person's input stays, the version becomes the current one (saving again is deliberate)."""
    lines = []
    for name, value in error.differences:
        field = form._fields.get(name)
        label = field.label.text if field is not None and field.label.text else COLUMN_LABELS.get(name)
        if label:
            lines.append(f"{label} : {_text(value)}")
    message = error.message
    if lines:
        message += " Valeurs actuelles qui diffèrent de votre saisie — " + " ; ".join(lines) + "."
    form.form_errors.append(message)
    form.version.data = error.current_version
    form.version.raw_data = [str(error.current_version)]


def _text(value) -> str:
    if value is None or value == "":
        return "(vide)"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, Enum):
        return getattr(value, "label", str(value.value))
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Decimal | float):
        return format_decimal_fr(Decimal(str(value)))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "(vide)"
    return str(value)
