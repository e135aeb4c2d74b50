"""The edit forms' version field and the French message of a save refused because someone else
saved the record meanwhile (clausematch/versioning.py)."""
from datetime import date
from decimal import Decimal
from enum import Enum

from wtforms import HiddenField

from clausematch.formats import MAX_INTEGER, format_date, format_decimal_fr, format_phone, share_to_percent
from clausematch.versioning import EditConflict

# Columns a form edits under another name.
COLUMN_LABELS = {"commune_insee": "Commune", "buyer_id": "Acheteur", "company_id": "Entreprise titulaire",
                 "referent_id": "Conseiller référent", "appellation_code": "Métier",
                 "objective_method": "Objectif d'heures", "labour_share": "Part de main-d'œuvre",
                 "insertion_rate": "Taux d'insertion", "end_date": "Fin du contrat"}
# Columns stored as a share of 1 that their form shows as a percentage (0,05 → 5 %).
SHARE_COLUMNS = {"labour_share", "insertion_rate"}


# A version no record ever has: a number beyond the column's range was never sent by a form we
# served, so its save is refused as a conflict (showing the current values), never a database error.
NO_SUCH_VERSION = -1


def _version(value) -> int | None:
    if not str(value or "").isdigit():
        return None
    number = int(value)
    return number if number <= MAX_INTEGER else NO_SUCH_VERSION


def version_field() -> HiddenField:
    """The version the form was loaded at (empty: no check, as for a creation)."""
    return HiddenField(filters=[_version])


def fill_version(form, record) -> None:
    """The record's version; 0 when there is no record yet to edit (a lot's clause): a record
    created meanwhile is then newer than the form (versions start at 1)."""
    form.version.data = record.version if record is not None else 0


def show_conflict(form, error: EditConflict) -> None:
    """The refusal at the top of the form, with each field that differs and its current value;
    the person's input stays, the version becomes the current one (saving again is deliberate)."""
    lines = []
    for name, value in error.differences:
        field = form._fields.get(name)
        label = field.label.text if field is not None and field.label.text else COLUMN_LABELS.get(name)
        if label:
            lines.append(f"{label} : {_value_text(name, field, value)}")
    message = error.message
    if lines:
        message += " Valeurs actuelles qui diffèrent de votre saisie — " + " ; ".join(lines) + "."
    form.form_errors.append(message)
    if "version" in form:  # a form of several rows keeps one version per row (its caller sets them)
        form.version.data = error.current_version
        form.version.raw_data = [str(error.current_version)]


def _value_text(name: str, field, value) -> str:
    """The current value as the form shows it: a choice by its label (an id, a code, a list of
    codes), a share as a percentage, anything else in French formats."""
    if name in SHARE_COLUMNS and value is not None:
        return f"{format_decimal_fr(share_to_percent(value))} %"
    if name == "phone" and value:
        return format_phone(value)
    labels = _choice_labels(field)
    if labels and isinstance(value, list):
        return ", ".join(labels.get(str(item), str(item)) for item in value) or "(vide)"
    if labels:
        return labels.get("" if value is None else str(getattr(value, "value", value)), _text(value))
    return _text(value)


def _choice_labels(field) -> dict[str, str]:
    """{choice value as text: its label} of a select, radio or checkbox field; {} for other fields."""
    choices = getattr(field, "choices", None) if field is not None else None
    if not choices:
        return {}
    items = choices.items() if isinstance(choices, dict) else choices
    labels = {}
    for item in items:
        if isinstance(item, str):
            key, label = item, item
        else:
            key, label = (item.value, item.label) if hasattr(item, "label") else (item[0], item[1])
        if isinstance(label, str):  # not an optgroup's list of choices
            labels[str(getattr(key, "value", key))] = label
    return labels


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
