"""Form building blocks shared by every form: French messages, French decimals, checkbox lists,
integers and ids bounded to the columns' range (a typed 2^63 is a field error, not a 500)."""
import functools

from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, widgets
from wtforms import IntegerField as _IntegerField
from wtforms.i18n import get_translations
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from clausematch.formats import MAX_INTEGER, format_decimal_fr, format_number, parse_decimal, parse_id


@functools.cache
def _french_translations():
    return get_translations(["fr_FR", "fr"])


class FrenchForm(FlaskForm):
    """A form whose built-in WTForms messages are French (Flask-WTF only translates through
    Flask-Babel, which the project does not use)."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _french_translations()


class FrenchDecimalField(Field):
    """A number typed the French way: "1 000 000", "5,5", "30 €". Empty → None."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, invalid_message="Saisissez un nombre, par exemple 5 ou 5,5.",
                 **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid_message

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return format_decimal_fr(self.data)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError as error:
            self.data = None
            raise ValueError(self.invalid_message) from error


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (the form macro renders it as a fieldset)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        # Unknown values are a forged request, not a typing mistake: say so in French.
        known = {str(value) for value in dict(self.choices)}
        if any(value not in known for value in self.data or []):
            raise ValidationError("Un des choix cochés n'existe pas.")


class IntegerField(_IntegerField):
    """WTForms' IntegerField, bounded to an integer column's range (use it instead of WTForms')."""

    def pre_validate(self, form):
        if self.data is not None and not -MAX_INTEGER <= self.data <= MAX_INTEGER:
            self.data = None
            raise ValidationError(f"Saisissez un nombre entier d'au plus {format_number(MAX_INTEGER)}.")


def coerce_id(value) -> int:
    """`coerce=` of the select fields holding record ids: an id (1 to MAX_INTEGER) or ValueError,
    which WTForms turns into a field error."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    ident = parse_id(value)
    if ident is None:
        raise ValueError(value)
    return ident


def optional_id(value) -> int | None:
    """Like coerce_id, the empty option meaning "none"."""
    return None if value in (None, "", "None") else coerce_id(value)
