"""Form building blocks shared by every form: French messages, French decimals, checkbox lists."""
import functools

from flask_wtf import FlaskForm
from wtforms import Field, SelectMultipleField, widgets
from wtforms.i18n import get_translations
from wtforms.widgets import TextInput

from clausematch.formats import format_decimal_fr, parse_decimal


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
            raise ValueError("Un des choix cochés n'existe pas.")
