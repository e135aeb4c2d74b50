"""The programme form: shape only, the service checks the rules (reporting/programmes.py).
The funnel's stages are chosen in order, one select per position: no script needed."""
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from clausematch.reporting.queries.programme_funnel import CATALOGUE
from clausematch.web.conflicts import version_field
from clausematch.web.contracts.forms import FrenchDateField
from clausematch.web.fields import FrenchForm

STAGE_SLOTS = 8


class ProgrammeForm(FrenchForm):
    version = version_field()
    name = StringField("Nom du programme", validators=[Length(max=200, message="200 caractères au plus.")])
    description = TextAreaField("Description",
                                description="Ce que propose le programme, à qui, avec quels partenaires.")
    start_date = FrenchDateField("Début", description="Format JJ/MM/AAAA.")
    end_date = FrenchDateField("Fin", description="Format JJ/MM/AAAA.")
    # Refusals about the stages as a whole (shown on the fieldset and linked to its first select).
    stages = HiddenField("Étapes de l'entonnoir")
    catalogue = CATALOGUE

    def stage_fields(self) -> list[SelectField]:
        return [self[f"stage_{n}"] for n in range(1, STAGE_SLOTS + 1)]

    def chosen_stages(self) -> list[str]:
        """The keys chosen, in order, the empty positions left out."""
        return [f.data for f in self.stage_fields() if f.data]

    def fill_stages(self, keys: list[str]) -> None:
        for f, key in zip(self.stage_fields(), list(keys) + [""] * STAGE_SLOTS, strict=False):
            f.data = key


_CHOICES = [SelectChoice("", "— aucune —")] + [SelectChoice(stage.key, stage.label) for stage in CATALOGUE]
for _n in range(1, STAGE_SLOTS + 1):
    # validate_choice off: an unknown key is the service's refusal (said in French, on the fieldset).
    setattr(ProgrammeForm, f"stage_{_n}", SelectField(f"Étape {_n}", choices=_CHOICES, validate_choice=False,
                                                      default=""))
