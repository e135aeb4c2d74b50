"""Account forms: they check the shape of the input; the services check the rules."""
from itertools import groupby

from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length

from clausematch.accounts.models import OrganisationKind
from clausematch.accounts.services import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PASSWORD_RULES
from clausematch.web.fields import FrenchForm, coerce_id

EMAIL_REQUIRED = "Saisissez votre adresse e-mail."
PASSWORD_REQUIRED = "Saisissez votre mot de passe."
PASSWORD_LENGTH = (f"Le mot de passe doit contenir entre {MIN_PASSWORD_LENGTH} et "
                   f"{MAX_PASSWORD_LENGTH} caractères.")
PASSWORDS_DIFFER = "Les deux mots de passe saisis ne sont pas identiques."
# Order of the organisation groups in the invitation form: the most frequent invitations first.
KIND_ORDER = [OrganisationKind.PRESCRIBER, OrganisationKind.COMPANY, OrganisationKind.BUYER,
              OrganisationKind.FACILITATOR]


class LoginForm(FrenchForm):
    email = EmailField("Adresse e-mail", [InputRequired(EMAIL_REQUIRED), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Mot de passe", [InputRequired(PASSWORD_REQUIRED)],
                             render_kw={"autocomplete": "current-password"})


class ForgotPasswordForm(FrenchForm):
    email = EmailField("Adresse e-mail", [InputRequired(EMAIL_REQUIRED), Length(max=254)],
                       description="L'adresse avec laquelle vous vous connectez à ClauseMatch.",
                       render_kw={"autocomplete": "email"})


def _new_password(label: str) -> PasswordField:
    return PasswordField(label, [InputRequired("Choisissez un mot de passe."),
                                 Length(MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH, PASSWORD_LENGTH)],
                         description=PASSWORD_RULES, render_kw={"autocomplete": "new-password"})


def _confirmation(of: str) -> PasswordField:
    return PasswordField("Confirmation du mot de passe",
                         [InputRequired("Saisissez le mot de passe une seconde fois."), EqualTo(of, PASSWORDS_DIFFER)],
                         description="Saisissez le même mot de passe une seconde fois.",
                         render_kw={"autocomplete": "new-password"})


class NewPasswordForm(FrenchForm):
    """Choosing a password: on accepting an invitation, or through a reset link."""

    password = _new_password("Nouveau mot de passe")
    confirm = _confirmation("password")


class ChangePasswordForm(FrenchForm):
    current_password = PasswordField("Mot de passe actuel", [InputRequired(PASSWORD_REQUIRED)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = _new_password("Nouveau mot de passe")
    confirm = _confirmation("new_password")


class InvitationForm(FrenchForm):
    organisation_id = SelectField("Organisation", coerce=coerce_id,
                                  validators=[InputRequired("Choisissez une organisation.")])
    full_name = StringField("Prénom et nom", [DataRequired("Indiquez le prénom et le nom de la personne."),
                                              Length(max=200)], render_kw={"autocomplete": "off"})
    email = EmailField("Adresse e-mail", [
        DataRequired("Indiquez l'adresse e-mail de la personne."),
        Email("Adresse e-mail non valide : vérifiez qu'elle est de la forme nom@domaine.fr."),
        Length(max=254)], description="Le lien d'invitation sera envoyé à cette adresse.",
        render_kw={"autocomplete": "off"})

    def set_organisations(self, organisations, several_territories: bool = False) -> None:
        """Offer these organisations (sorted by name), grouped by kind (HTML optgroups)."""
        def label(org) -> str:
            kind = org.kind_label if org.kind_label != org.kind.label else ""
            parts = [org.name] + ([kind] if kind else []) + ([org.territory.name] if several_territories else [])
            return " — ".join(parts)

        self.organisation_id.choices = {
            kind.label: [(org.id, label(org)) for org in orgs]
            for kind, orgs in groupby(sorted(organisations, key=lambda org: KIND_ORDER.index(org.kind)),
                                      key=lambda org: org.kind)
        }
