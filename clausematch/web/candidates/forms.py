"""Candidate forms: shape only (types, lengths, required); the rules live in the services."""
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from clausematch.candidates.checks import (
    CONSENT_REQUIRED,
    MAX_DESIRED_JOBS,
    CandidateInput,
    ConsentInput,
    CriterionInput,
    DesiredJobInput,
)
from clausematch.candidates.models import Candidate
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today
from clausematch.privacy.withdrawal import WithdrawalChannel
from clausematch.referential.resolve import appellation_option_label
from clausematch.vocabulary import CRITERION_GUIDE, Criterion, EducationLevel, Gender
from clausematch.web.conflicts import version_field
from clausematch.web.fields import FrenchForm, IntegerField, optional_id

REQUIRED = "Ce champ est obligatoire."
INVALID_CHOICE = "Choisissez une des valeurs proposées."


def _optional_int(value):
    return optional_id(value)


class CandidateForm(FrenchForm):
    """Everything about the person; one fieldset of fields per eligibility criterion is added below."""

    version = version_field()

    first_name = StringField("Prénom", validators=[DataRequired(REQUIRED), Length(max=100)],
                             render_kw={"autocomplete": "off"})
    last_name = StringField("Nom", validators=[DataRequired(REQUIRED), Length(max=100)],
                            render_kw={"autocomplete": "off"})
    birth_date = DateField("Date de naissance", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d",
                           description="Format jj/mm/aaaa.")
    gender = RadioField("Genre", choices=dict(Gender.choices()), validators=[InputRequired(REQUIRED)],
                        invalid_choice_message=INVALID_CHOICE)
    email = StringField("Adresse électronique", validators=[Optional(), Length(max=254)],
                        description="Facultatif, par exemple prenom.nom@exemple.fr.")
    phone = StringField("Téléphone", validators=[Optional(), Length(max=30)],
                        description="Facultatif, par exemple 06 12 34 56 78.")
    commune = StringField("Commune de résidence", validators=[Optional(), Length(max=120)],
                          description="Nom ou code postal, par exemple « Saint-Denis » ou « 93200 ».")
    commune_insee = HiddenField()
    education_level = SelectField("Niveau de formation", choices=dict(EducationLevel.choices()),
                                  validators=[InputRequired(REQUIRED)], invalid_choice_message=INVALID_CHOICE)
    desired_jobs_text = StringField("Autres souhaits (texte libre)", validators=[Optional(), Length(max=500)],
                                    description="Facultatif, par exemple « travail en extérieur, pas de nuit ».")
    skills = TextAreaField("Compétences", validators=[Optional(), Length(max=5000)])
    experience = TextAreaField("Expérience professionnelle", validators=[Optional(), Length(max=5000)])
    mobility_km = IntegerField("Mobilité (en kilomètres)", default=30,
                               validators=[InputRequired(REQUIRED),
                                           NumberRange(min=0, max=200, message="Entre 0 et 200 kilomètres.")],
                               description="Distance que la personne peut parcourir pour travailler.")
    driving_licence = BooleanField("Permis de conduire B")
    certificates = StringField("Certificats et habilitations", validators=[Optional(), Length(max=300)],
                               description="Facultatif, séparés par des virgules, par exemple « CACES R489 cat. 3, "
                                           "SST, habilitation B1V, permis C ».")
    available = BooleanField("Disponible pour un emploi", default=True)
    available_from = DateField("Disponible à partir du", validators=[Optional()], format="%Y-%m-%d",
                               description="Facultatif.")
    referent_id = SelectField("Conseiller référent", coerce=_optional_int, validate_choice=False,
                              description="La personne de votre structure qui suit ce candidat.")

    def criterion_fields(self, code: Criterion):
        """(declared checkbox, evidence, evidence date) of one criterion."""
        return (self[f"criterion_{code.value}"], self[f"evidence_{code.value}"],
                self[f"evidence_date_{code.value}"])

    def job_pairs(self):
        """(text, hidden code) of each desired job slot."""
        return [(self[f"desired_job_{n}"], self[f"desired_job_code_{n}"]) for n in range(1, MAX_DESIRED_JOBS + 1)]

    def to_input(self) -> CandidateInput:
        jobs = [DesiredJobInput(text.data or "", code.data or None) for text, code in self.job_pairs()]
        criteria = [CriterionInput(code.value, self[f"evidence_{code.value}"].data or "",
                                   self[f"evidence_date_{code.value}"].data)
                    for code in Criterion if self[f"criterion_{code.value}"].data]
        return CandidateInput(
            first_name=self.first_name.data or "", last_name=self.last_name.data or "",
            birth_date=self.birth_date.data, gender=self.gender.data or "",
            education_level=self.education_level.data or "", email=self.email.data or "",
            phone=self.phone.data or "", commune_text=self.commune.data or "",
            commune_insee=self.commune_insee.data or None,
            desired_jobs_text=self.desired_jobs_text.data or "", desired_jobs=jobs, skills=self.skills.data or "",
            experience=self.experience.data or "", mobility_km=self.mobility_km.data,
            driving_licence=self.driving_licence.data, certificates=self.certificates.data or "",
            available=self.available.data, available_from=self.available_from.data,
            referent_id=self.referent_id.data, criteria=criteria)

    def fill_from(self, candidate: Candidate, criteria: list) -> None:
        """Initial values of the edit form (autocomplete codes and criteria included)."""
        self.process(obj=candidate)  # attributes of `obj` win over keyword values: set the others after
        self.gender.data, self.education_level.data = candidate.gender.value, candidate.education_level.value
        self.commune.data = candidate.commune.label if candidate.commune else ""
        self.commune_insee.data = candidate.commune_insee or ""
        for n, job in enumerate(candidate.desired_jobs[:MAX_DESIRED_JOBS], start=1):
            self[f"desired_job_{n}"].data = appellation_option_label(job.appellation)
            self[f"desired_job_code_{n}"].data = str(job.appellation_code)
        for row in criteria:  # those the prescriber's organisation declared
            declared, evidence, evidence_date = self.criterion_fields(row.criterion)
            declared.data, evidence.data, evidence_date.data = True, row.evidence, row.evidence_date


JOB_HELP = "Tapez quelques lettres (par exemple « maçon »), puis choisissez dans la liste."
# One text field (with the code the autocomplete picks) per desired job, one fieldset per criterion.
for _n in range(1, MAX_DESIRED_JOBS + 1):
    setattr(CandidateForm, f"desired_job_{_n}", StringField(
        f"Métier souhaité n° {_n}", validators=[Optional(), Length(max=250)],
        description=JOB_HELP if _n == 1 else None))
    setattr(CandidateForm, f"desired_job_code_{_n}", HiddenField())
del _n

for _code in Criterion:
    setattr(CandidateForm, f"criterion_{_code.value}", BooleanField(f"Déclarer le critère : {_code.label}"))
    setattr(CandidateForm, f"evidence_{_code.value}", StringField(
        "Justificatif vu", validators=[Optional(), Length(max=300)],
        description=f"Obligatoire si le critère est déclaré. Habituellement : {CRITERION_GUIDE[_code].evidence}."))
    setattr(CandidateForm, f"evidence_date_{_code.value}", DateField(
        "Date du justificatif", validators=[Optional()], format="%Y-%m-%d"))
del _code


class NewCandidateForm(CandidateForm):
    consent_given_on = DateField("Date du consentement", validators=[InputRequired(REQUIRED)], format="%Y-%m-%d",
                                 default=today)
    consent_purposes = TextAreaField("Finalités présentées à la personne", default=STANDARD_PURPOSES,
                                     validators=[DataRequired(REQUIRED), Length(max=500)])
    consent_given = BooleanField("La personne a donné son consentement au traitement de ses données pour ces "
                                 "finalités, après en avoir été informée")
    confirm_duplicate = BooleanField("Créer quand même : il s'agit d'une autre personne")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as required; the service refuses without it too, with the same message.
        self.consent_given.flags.required = True

    def validate_consent_given(self, field):
        """Reported with the other errors at the first submit, not only once the rest is right."""
        if not field.data:
            raise ValidationError(CONSENT_REQUIRED)

    def consent_input(self) -> ConsentInput:
        return ConsentInput(given=self.consent_given.data, given_on=self.consent_given_on.data,
                            purposes=self.consent_purposes.data or "")


class RefusalForm(FrenchForm):
    reason = TextAreaField("Motif du refus", validators=[DataRequired("Indiquez le motif du refus."),
                                                         Length(max=300)])


class ActionForm(FrenchForm):
    """A button alone (its CSRF token is the whole form)."""


class PairForm(FrenchForm):
    """Two records of a suspected pair: the one to keep and the one merged into it (or dismissed)."""

    keep_id = IntegerField(validators=[InputRequired()])
    drop_id = IntegerField(validators=[InputRequired()])


class MergeForm(PairForm):
    """The merge button; a pair the duplicate finder does not suspect needs a written justification."""

    justification = TextAreaField(
        "Pourquoi s'agit-il de la même personne ?", validators=[Optional(), Length(max=1000)],
        description="Obligatoire quand les deux fiches ne sont pas signalées comme doublon ; conservé dans "
                    "le journal.")


ERASURE_NOT_CONFIRMED = "Cochez la case pour confirmer l'anonymisation : elle est irréversible."


class ErasureForm(FrenchForm):
    """The confirmation of an anonymisation (privacy/erasure.py): a required box."""

    confirm = BooleanField("Je confirme l'anonymisation de cette personne : ses données d'identité, ses coordonnées "
                           "et les textes libres la concernant seront effacés définitivement",
                           validators=[DataRequired(ERASURE_NOT_CONFIRMED)])


WITHDRAWAL_CONFIRMATION = ("Cochez la case pour confirmer que vous avez compris les conséquences du retrait : "
                           "elles sont définitives.")


class WithdrawalForm(FrenchForm):
    """The person withdrew their consent: when, how it was expressed, and the consequences accepted."""

    withdrawn_on = DateField("Date du retrait", validators=[InputRequired(
        "Indiquez la date à laquelle la personne a retiré son consentement.")], format="%Y-%m-%d",
        default=today, description="Le jour où la personne a exprimé son retrait, au format jj/mm/aaaa.")
    channel = RadioField("Comment la personne a exprimé son retrait", choices=dict(WithdrawalChannel.choices()),
                         validators=[InputRequired("Choisissez comment la personne a exprimé son retrait.")],
                         invalid_choice_message="Choisissez comment la personne a exprimé son retrait.")
    confirm = BooleanField("J'ai compris : les candidatures en cours de la personne seront closes, elle sera retirée "
                           "des événements à venir et ne pourra plus être proposée ; son identité, ses coordonnées "
                           "et son parcours seront effacés. Seuls ses contrats et ses heures déjà déclarées sont "
                           "conservés, anonymisés. Ce retrait est définitif.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.confirm.flags.required = True

    def validate_confirm(self, field):
        if not field.data:
            raise ValidationError(WITHDRAWAL_CONFIRMATION)
