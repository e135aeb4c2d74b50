"""The administrators' edit form of an account: name, role, organisation (with its version)."""
from itertools import groupby

from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from clausematch.accounts.models import Organisation, Role
from clausematch.web.accounts.forms import KIND_ORDER
from clausematch.web.conflicts import version_field
from clausematch.web.fields import FrenchForm, optional_id

NO_ORGANISATION = "Aucune organisation (administrateurs seulement)"


class AccountForm(FrenchForm):
    version = version_field()
    full_name = StringField("Prénom et nom", [DataRequired("Indiquez le prénom et le nom de la personne."),
                                              Length(max=200)], render_kw={"autocomplete": "off"})
    role = SelectField("Rôle", choices=dict(Role.choices()), coerce=Role,
                       validators=[InputRequired("Choisissez un rôle.")],
                       description="Changer le rôle ferme toutes les sessions ouvertes de la personne.")
    organisation_id = SelectField(
        "Organisation", coerce=optional_id,
        description="Le rôle et le type d'organisation vont ensemble (un prescripteur dans une organisation de "
                    "type « Prescripteur »…). Changer d'organisation ferme les sessions de la personne ; elle ne "
                    "voit plus que les personnes et dossiers de sa nouvelle organisation.")

    def set_organisations(self, organisations: list[Organisation]) -> None:
        """No organisation first, then the organisations grouped by kind (HTML optgroups), by name."""
        def label(org: Organisation) -> str:
            kind = org.kind_label if org.kind_label != org.kind.label else ""
            inactive = "désactivée" if not org.is_active else ""
            return " — ".join(part for part in (org.name, kind, org.territory.name, inactive) if part)

        self.organisation_id.choices = {
            "Sans organisation": [("", NO_ORGANISATION)],
            **{kind.label: [(org.id, label(org)) for org in orgs]
               for kind, orgs in groupby(sorted(organisations, key=lambda org: KIND_ORDER.index(org.kind)),
                                         key=lambda org: org.kind)},
        }
