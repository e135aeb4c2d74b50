"""Application forms: shape only (types, lengths, required); the rules live in the services."""
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from clausematch.applications.models import ApplicationStatus, RefusalReason
from clausematch.applications.services import MESSAGE_MAX_LENGTH
from clausematch.applications.workflow import COMMENT_MAX_LENGTH
from clausematch.pathways.hiring import HireData
from clausematch.vocabulary import ContractType
from clausematch.web.fields import FrenchDecimalField, FrenchForm, optional_id

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une des valeurs proposées."
REASON_CHOICES = dict([("", "Choisissez un motif"),
                       *((value, label) for value, label in RefusalReason.choices()
                         if value != RefusalReason.CLOSED.value)])


def optional_int(value) -> int | None:
    """Coerce a select's value; the empty "choose…" option is None, not an error."""
    return optional_id(value)


def _comment(label: str = "Commentaire", description: str = "") -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)], description=description)


class ProposeForm(FrenchForm):
    """Propose a candidate to an offer; the route keeps the select of the side not yet chosen."""

    candidate_id = SelectField("Candidat", coerce=optional_int,
                               validators=[InputRequired("Choisissez le candidat à proposer.")],
                               validate_choice=False,
                               description="Les candidats de votre structure (fiches fusionnées ou anonymisées "
                                           "exclues).")
    offer_id = SelectField("Offre", coerce=optional_int, validators=[InputRequired("Choisissez l'offre.")],
                           validate_choice=False, description="Les offres publiées de votre territoire.")
    message = TextAreaField(
        "Message à l'équipe de facilitation", validators=[Optional(), Length(max=MESSAGE_MAX_LENGTH)],
        description="Facultatif : ce qui rend cette candidature pertinente (parcours, disponibilités…). "
                    "Ce message n'est pas transmis à l'entreprise.")


class MoveForm(FrenchForm):
    """One move of the workflow (the target is in the URL); rendered with the target as prefix."""

    refusal_reason = SelectField("Motif du refus", choices=REASON_CHOICES, validate_choice=False)
    comment = _comment()

    def for_target(self, target: ApplicationStatus) -> "MoveForm":
        """Labels and help of the move: the reason only for a refusal, required comments marked."""
        if target != ApplicationStatus.REFUSED:
            del self.refusal_reason
        if target == ApplicationStatus.SUBMITTED:
            self.comment.label.text = "Pourquoi rouvrir cette candidature"
            self.comment.flags.required = True
        elif target == ApplicationStatus.SENT:
            self.comment.description = "Facultatif : l'entreprise le lira avec la candidature."
        elif target == ApplicationStatus.REFUSED:
            self.comment.description = "Obligatoire avec le motif « Autre motif »."
            self.refusal_reason.flags.required = True
        return self


class InterviewForm(FrenchForm):
    interview_on = DateField("Date de l'entretien", validators=[Optional()],
                             description="Facultatif : le jour de l'entretien, passé ou prévu.")
    comment = _comment("Commentaire", "Facultatif : ce que le prescripteur doit savoir.")


class HireForm(FrenchForm):
    contract_type = SelectField("Type de contrat",
                                choices=dict([("", "Choisissez un type de contrat"), *ContractType.choices()]),
                                validators=[DataRequired(REQUIRED)],
                                invalid_choice_message=INVALID_CHOICE)
    start_date = DateField("Date de début", validators=[InputRequired(REQUIRED)])
    planned_end_date = DateField("Date de fin prévue", validators=[Optional()],
                                 description="Obligatoire, sauf pour un CDI.")
    weekly_hours = FrenchDecimalField(
        "Durée hebdomadaire (heures)", validators=[InputRequired(REQUIRED)],
        description="Plus de 0 et 48 heures au plus, par exemple 35 ou 17,5.",
        invalid_message="Saisissez un nombre d'heures, par exemple 35 ou 17,5.")
    comment = _comment("Commentaire", "Facultatif.")

    def to_data(self) -> HireData:
        hours = self.weekly_hours.data
        return HireData(contract_type=self.contract_type.data or None, start_date=self.start_date.data,
                        planned_end_date=self.planned_end_date.data,
                        weekly_hours=float(hours) if hours is not None else None)


class RefuseForm(FrenchForm):
    refusal_reason = SelectField("Motif du refus", choices=REASON_CHOICES, validators=[DataRequired(
        "Choisissez le motif du refus.")], invalid_choice_message=INVALID_CHOICE)
    comment = _comment("Commentaire", "Obligatoire avec le motif « Autre motif ». Le prescripteur le lira.")
