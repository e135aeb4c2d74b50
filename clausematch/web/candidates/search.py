"""The facilitators' search of people across their territory (/candidats for a facilitator):
a GET form whose filters stay in the address (shareable, kept by the pagination links). Without
any filter it lists everyone of the territory by name (the dashboard's "Candidats" figure links
here); a filter in error lists nobody."""
from datetime import date, datetime

from flask import render_template, request
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from clausematch.accounts.models import OrganisationKind
from clausematch.applications import queries as application_queries
from clausematch.candidates import search
from clausematch.candidates.duplicates import normalise_email
from clausematch.candidates.eligibility import EligibilityState
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.formats import normalise_phone
from clausematch.web.fields import FrenchForm, optional_id
from clausematch.web.helpers import me, page_arg, show_error

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


def _birth_date(form, field) -> None:
    if not field.data:
        return
    for pattern in DATE_FORMATS:
        try:
            field.parsed = datetime.strptime(field.data.strip(), pattern).date()
        except ValueError:
            continue
        if not date(1900, 1, 1) <= field.parsed <= today():
            raise ValidationError("Saisissez une date de naissance passée, par exemple 17/05/1990.")
        return
    raise ValidationError("Saisissez une date au format JJ/MM/AAAA, par exemple 17/05/1990.")


def _phone(form, field) -> None:
    if field.data and not (normalise_phone(field.data) or "").lstrip("+").isdigit():
        raise ValidationError("Saisissez un numéro de téléphone en chiffres, par exemple 06 12 34 56 78.")
    if field.data and len((normalise_phone(field.data) or "").lstrip("+")) < 6:
        raise ValidationError("Saisissez au moins 6 chiffres du numéro, par exemple 06 12 34 56 78.")


def _email(form, field) -> None:
    value = normalise_email(field.data)
    if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
        raise ValidationError("Saisissez une adresse électronique complète, par exemple nom@exemple.fr.")


class SearchForm(FrenchForm):
    """Read from the query string (no CSRF: it changes nothing)."""

    class Meta(FrenchForm.Meta):
        csrf = False

    nom = StringField("Nom ou prénom", validators=[Optional(), Length(max=100)],
                      description="Les accents et les fautes de frappe sont tolérés : « Benoit » trouve « Benoît ».")
    naissance = StringField("Date de naissance", validators=[Optional(), _birth_date],
                            description="Au format JJ/MM/AAAA.")
    telephone = StringField("Téléphone", validators=[Optional(), Length(max=30), _phone])
    courriel = StringField("Adresse électronique", validators=[Optional(), Length(max=254), _email])
    commune = StringField("Commune de résidence", validators=[Optional(), Length(max=120)],
                          description="Nom ou code postal, par exemple Saint-Denis ou 93200.")
    prescripteur = SelectField("Prescripteur", coerce=optional_id, validate_choice=False)
    eligibilite = SelectField("Éligibilité", validate_choice=False)

    def filters(self) -> search.SearchFilters | None:
        """The checked filters, or None when a field is in error (errors set on the fields)."""
        if not self.validate():
            return None
        communes = None
        if self.commune.data and self.commune.data.strip():
            try:
                communes = search.communes_named(self.commune.data)
            except DomainError as error:
                show_error(self, error)
                return None
        prescribers = {value for value, _ in self.prescripteur.choices if value != ""}
        states = {state.value for state in EligibilityState}
        return search.SearchFilters(
            name=(self.nom.data or "").strip(),
            birth_date=getattr(self.naissance, "parsed", None) if self.naissance.data else None,
            phone=normalise_phone(self.telephone.data), email=normalise_email(self.courriel.data),
            communes=communes,
            prescriber_id=self.prescripteur.data if self.prescripteur.data in prescribers else None,
            state=EligibilityState(self.eligibilite.data) if self.eligibilite.data in states else None)


def render_search():
    form = SearchForm(formdata=request.args)
    form.prescripteur.choices = [("", "Tous les prescripteurs"),
                                 *application_queries.organisation_choices(me(), OrganisationKind.PRESCRIBER)]
    form.eligibilite.choices = [("", "Toutes"), *((state.value, state.label) for state in EligibilityState)]
    filters = form.filters() if request.args else search.SearchFilters()
    result = search.search(me(), filters, page_arg(), today()) if filters is not None else None
    args = {name: value for name, value in request.args.items() if name != "page" and value}
    status = 422 if form.errors or form.form_errors else 200
    return render_template("candidates/search.html", form=form, result=result, args=args), status
