"""Forms of the hires pages: shape only (types, lengths, required); the rules live in the services.
The three changes of an employment contract carry its version (clausematch/web/conflicts.py)."""
from wtforms import DateField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from clausematch.pathways.exits import COMMENT_MAX_LENGTH, ExitData
from clausematch.pathways.follow_ups import FollowUpData
from clausematch.pathways.services import ConversionData, ExtensionData
from clausematch.vocabulary import EXIT_CATEGORY, ExitCategory, ExitDetail
from clausematch.web.conflicts import version_field
from clausematch.web.fields import FrenchDecimalField, FrenchForm

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une des valeurs proposées."
HOURS_HELP = "Facultatif : la durée du contrat actuel si vide. Plus de 0 et 48 heures au plus, par exemple 35."


def exit_detail_choices(empty: str) -> list[SelectChoice]:
    """The situations grouped by category (an <optgroup> per category), after an empty choice."""
    return [SelectChoice("", empty), *(SelectChoice(d.value, d.label, optgroup=category.label)
                                       for category in ExitCategory for d in ExitDetail
                                       if EXIT_CATEGORY[d] == category)]


def _hours(field) -> float | None:
    return float(field.data) if field.data is not None else None


class ExtensionForm(FrenchForm):
    version = version_field()
    planned_end_date = DateField("Nouvelle date de fin prévue", validators=[InputRequired(REQUIRED)],
                                 format="%Y-%m-%d", description="Par exemple 30/06/2027.")
    start_date = DateField("Début de la prolongation", validators=[Optional()], format="%Y-%m-%d",
                           description="Facultatif : le lendemain de la fin prévue du contrat actuel si vide.")
    weekly_hours = FrenchDecimalField("Durée hebdomadaire (heures)", validators=[Optional()], description=HOURS_HELP,
                                      invalid_message="Saisissez un nombre d'heures, par exemple 35 ou 17,5.")

    def to_data(self) -> ExtensionData:
        return ExtensionData(planned_end_date=self.planned_end_date.data, start_date=self.start_date.data,
                             weekly_hours=_hours(self.weekly_hours))


class ConversionForm(FrenchForm):
    version = version_field()
    start_date = DateField("Début du CDI", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d",
                           description="Le contrat actuel prend fin la veille.")
    weekly_hours = FrenchDecimalField("Durée hebdomadaire (heures)", validators=[Optional()], description=HOURS_HELP,
                                      invalid_message="Saisissez un nombre d'heures, par exemple 35 ou 17,5.")

    def to_data(self) -> ConversionData:
        return ConversionData(start_date=self.start_date.data, weekly_hours=_hours(self.weekly_hours))


class ExitForm(FrenchForm):
    version = version_field()
    exit_date = DateField("Date de sortie", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d",
                          description="Le dernier jour du contrat.")
    detail = SelectField("Situation à la sortie", choices=exit_detail_choices("Choisissez une situation"),
                         validators=[InputRequired(REQUIRED)], invalid_choice_message=INVALID_CHOICE,
                         description="La catégorie (emploi durable, de transition, sortie positive, autre) "
                                     "en découle.")
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
                            description="Facultatif. Pas d'information de santé ni de vie privée.")

    def to_data(self) -> ExitData:
        return ExitData(exit_date=self.exit_date.data, detail=self.detail.data or None,
                        comment=self.comment.data or "")


class FollowUpForm(FrenchForm):
    done_on = DateField("Date du suivi", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d")
    in_work = RadioField("La personne est-elle en emploi ?", choices={"oui": "Oui", "non": "Non"},
                         validators=[InputRequired(REQUIRED)], invalid_choice_message=INVALID_CHOICE)
    situation = SelectField("Situation constatée", choices=exit_detail_choices("Non précisée"),
                            validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)],
                            description="Facultatif. Pas d'information de santé ni de vie privée.")

    def to_data(self) -> FollowUpData:
        in_work = {"oui": True, "non": False}.get(self.in_work.data)
        return FollowUpData(done_on=self.done_on.data, in_work=in_work, situation=self.situation.data or None,
                            comment=self.comment.data or "")
