"""Events and steps forms: shape only (types, lengths); the rules live in the services
(clausematch/prehire/)."""
from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, Optional

from clausematch.errors import DomainError
from clausematch.formats import parse_id
from clausematch.prehire.models import EventKind, ParticipantOutcome, StepKind, StepStatus
from clausematch.prehire.participation import ABSENT, COMMENT_MAX_LENGTH, PRESENT, AttendanceLine
from clausematch.prehire.services import EventData
from clausematch.prehire.steps import StepData, StepStatusData
from clausematch.web.conflicts import version_field
from clausematch.web.fields import (
    CheckboxListField,
    FrenchDecimalField,
    FrenchForm,
    IntegerField,
    optional_id,
)

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une des valeurs proposées."
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]
DATETIME_HELP = "Date et heure, par exemple 12/05/2026 09:30."


class EventForm(FrenchForm):
    version = version_field()
    kind = SelectField("Type d'événement", choices={"": "Choisissez un type", **dict(EventKind.choices())},
                       validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    title = StringField("Intitulé", validators=[Optional(), Length(max=200)],
                        description="Tel que les personnes le liront, par exemple « Les métiers du gros œuvre ».")
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)],
                                description="Facultatif : programme, ce qu'il faut apporter, accessibilité.")
    starts_at = DateTimeLocalField("Début", format=DATETIME_FORMATS, validators=[Optional()],
                                   description=DATETIME_HELP)
    ends_at = DateTimeLocalField("Fin", format=DATETIME_FORMATS, validators=[Optional()],
                                 description="Facultatif. " + DATETIME_HELP)
    place = StringField("Lieu", validators=[Optional(), Length(max=300)],
                        description="Adresse ou salle, telle que les personnes la chercheront.")
    commune = StringField("Commune", validators=[Optional(), Length(max=120)],
                          description="Facultatif. Nom ou code postal, par exemple « Saint-Denis » ou « 93200 ».")
    commune_insee = HiddenField()
    capacity = IntegerField("Nombre de places", validators=[Optional()],
                            description="Facultatif : vide, pas de limite. Les inscriptions s'arrêtent une fois "
                                        "les places prises.")
    programme_id = SelectField("Programme", coerce=optional_id, validators=[Optional()],
                               invalid_choice_message=INVALID_CHOICE, description="Facultatif.")
    offer_ids = CheckboxListField("Offres concernées",
                                  description="Facultatif : les offres publiées du territoire que l'événement sert.")

    def to_data(self) -> EventData:
        return EventData(kind=self.kind.data or None, title=self.title.data or "", starts_at=self.starts_at.data,
                         ends_at=self.ends_at.data, place=self.place.data or "",
                         description=self.description.data or "", commune_text=self.commune.data or "",
                         commune_insee=self.commune_insee.data or None, capacity=self.capacity.data,
                         programme_id=self.programme_id.data,
                         # A value that is no offer of the list: the field's own refusal says so.
                         offer_ids=[i for i in map(parse_id, self.offer_ids.data or []) if i is not None])

    def fill_from(self, event) -> None:
        self.process(obj=event)
        self.kind.data = event.kind.value
        self.commune.data = event.commune.label if event.commune else ""
        self.commune_insee.data = event.commune_insee or ""
        self.offer_ids.data = [str(offer.id) for offer in event.offers]


class InviteForm(FrenchForm):
    candidate_ids = SelectMultipleField("Personnes à inviter", validate_choice=False)

    def chosen_ids(self) -> list[int]:
        """The ticked people; a value that is no id (a forged request) is a French refusal."""
        ids = [parse_id(value) for value in self.candidate_ids.data or []]
        if any(ident is None for ident in ids):
            raise DomainError("Une des personnes cochées n'existe pas.", field="candidate_ids")
        return ids


class ChooseEventForm(FrenchForm):
    event_id = SelectField("Événement", coerce=optional_id, validators=[Optional()],
                           invalid_choice_message=INVALID_CHOICE)


class AnswerForm(FrenchForm):
    answer = HiddenField()


class RemoveForm(FrenchForm):
    """« Retirer » on the event page: the participant row's version the page showed."""
    version = version_field()


class CancelForm(FrenchForm):
    reason = TextAreaField("Motif de l'annulation", validators=[Optional(), Length(max=300)],
                           description="Obligatoire : les prescripteurs le liront, dans l'application et par "
                                       "e-mail. Par exemple « Salle indisponible, l'événement sera reprogrammé ». "
                                       "Pas d'information sur les personnes.")


def attendance_form(participants):
    """One row per participant: presence (radio), outcome and comment; named `<field>_<id>`."""
    class AttendanceForm(FrenchForm):
        pass

    presence_choices = {PRESENT: "Présente", ABSENT: "Absente"}
    for participant in participants:
        name = participant.candidate.full_name
        setattr(AttendanceForm, f"presence_{participant.id}", RadioField(
            f"Présence de {name}", choices=presence_choices, validate_choice=False))
        setattr(AttendanceForm, f"outcome_{participant.id}", SelectField(
            f"Suite pour {name}", choices={"": "Non précisée", **dict(ParticipantOutcome.choices())},
            validators=[Optional()], invalid_choice_message=INVALID_CHOICE))
        setattr(AttendanceForm, f"comment_{participant.id}", StringField(
            f"Commentaire sur {name}", validators=[Optional(), Length(max=COMMENT_MAX_LENGTH)]))
        setattr(AttendanceForm, f"version_{participant.id}", version_field())
    form = AttendanceForm()
    if not form.is_submitted():
        for participant in participants:
            form[f"version_{participant.id}"].data = participant.version
            if participant.status.value in ("attended", "absent"):
                form[f"presence_{participant.id}"].data = PRESENT if participant.status.value == "attended" else ABSENT
            form[f"outcome_{participant.id}"].data = participant.outcome.value if participant.outcome else ""
            form[f"comment_{participant.id}"].data = participant.comment
    return form


def attendance_lines(form, participants) -> list[AttendanceLine]:
    return [AttendanceLine(participant_id=p.id, presence=form[f"presence_{p.id}"].data or None,
                           outcome=form[f"outcome_{p.id}"].data or None, comment=form[f"comment_{p.id}"].data or "",
                           version=form[f"version_{p.id}"].data)
            for p in participants]


class StepForm(FrenchForm):
    kind = SelectField("Type d'étape", validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    title = StringField("Intitulé", validators=[Optional(), Length(max=200)],
                        description="Facultatif : le métier découvert ou la formation, par exemple « Coffreur ».")
    organisation_id = SelectField("Entreprise du territoire", coerce=optional_id, validators=[Optional()],
                                  invalid_choice_message=INVALID_CHOICE,
                                  description="L'entreprise d'accueil d'une immersion, si elle est dans la liste.")
    organisation_name = StringField("Structure d'accueil ou organisme de formation",
                                    validators=[Optional(), Length(max=200)],
                                    description="Si elle n'est pas dans la liste ci-dessus.")
    programme_id = SelectField("Programme", coerce=optional_id, validators=[Optional()],
                               invalid_choice_message=INVALID_CHOICE, description="Facultatif.")
    offer_id = SelectField("Offre visée", coerce=optional_id, validators=[Optional()],
                           invalid_choice_message=INVALID_CHOICE, description="Facultatif.")
    start_date = DateField("Début", validators=[Optional()], description="Par exemple 02/03/2026.")
    end_date = DateField("Fin", validators=[Optional()],
                         description="Obligatoire pour une étape réalisée ou interrompue. Une immersion dure un "
                                     "mois, renouvelable une fois.")
    hours = FrenchDecimalField("Durée de la formation (heures)", validators=[Optional()],
                               description="Formations seulement (POEC, POEI, AFPR) : de 1 à 2 000 heures.",
                               invalid_message="Saisissez un nombre d'heures, par exemple 400.")
    status = SelectField("État", choices=dict(StepStatus.choices()), default=StepStatus.PLANNED.value,
                         validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=1000)],
                            description="Facultatif. Pas d'information de santé ni de vie privée.")

    def to_data(self) -> StepData:
        return StepData(kind=self.kind.data or None, start_date=self.start_date.data, end_date=self.end_date.data,
                        status=self.status.data or None, title=self.title.data or "",
                        organisation_id=self.organisation_id.data,
                        organisation_name=self.organisation_name.data or "", programme_id=self.programme_id.data,
                        offer_id=self.offer_id.data, hours=self.hours.data, comment=self.comment.data or "")


class StepEditForm(StepForm):
    """A step's content after its creation: its kind and state stay (the state changes with the
    outcome form)."""
    version = version_field()
    kind = None
    status = None

    def to_data(self) -> StepData:
        return StepData(kind=None, start_date=self.start_date.data, end_date=self.end_date.data, status=None,
                        title=self.title.data or "", organisation_id=self.organisation_id.data,
                        organisation_name=self.organisation_name.data or "", programme_id=self.programme_id.data,
                        offer_id=self.offer_id.data, hours=self.hours.data, comment=self.comment.data or "")

    def fill_from(self, step) -> None:
        self.process(obj=step)
        self.organisation_name.data = "" if step.organisation_id else step.organisation_name


class StepStatusForm(FrenchForm):
    version = version_field()
    status = SelectField("Issue de l'étape", choices={
        "": "Choisissez", **{s.value: s.label for s in StepStatus if s != StepStatus.PLANNED}},
        validators=[Optional()], invalid_choice_message=INVALID_CHOICE)
    end_date = DateField("Date de fin", validators=[Optional()],
                         description="Obligatoire pour une étape réalisée ou interrompue.")
    comment = TextAreaField("Commentaire", validators=[Optional(), Length(max=1000)],
                            description="Facultatif. Pas d'information de santé ni de vie privée.")

    def to_data(self) -> StepStatusData:
        return StepStatusData(status=self.status.data or None, end_date=self.end_date.data,
                              comment=self.comment.data or "")


def kind_choices(kinds: list[StepKind]) -> dict[str, str]:
    return {"": "Choisissez un type", **{k.value: k.label for k in kinds}}


def options(empty: str | None, pairs) -> dict:
    """Choices of a select as {value: label}, after an empty choice when `empty` is given."""
    return {**({"": empty} if empty is not None else {}), **dict(pairs)}

