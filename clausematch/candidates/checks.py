"""What a prescriber typed about a person, checked and turned into column values.

Every function raises DomainError (French message, the form field it concerns) before anything
is changed, so a refused form saves nothing. The rules are all run, their refusals gathered
(errors.Collector): `checked_candidate` is the one entry point, raising one FieldErrors that
lists every refusal.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.models import Membership, User
from clausematch.candidates.duplicates import Person, name_key
from clausematch.database import add_months
from clausematch.errors import Collector, DomainError, parsed
from clausematch.extensions import db
from clausematch.formats import parse_email, parse_phone
from clausematch.referential.certificates import checked_certificates
from clausematch.referential.resolve import resolve_appellation, resolve_commune, territory_departments
from clausematch.vocabulary import Criterion, EducationLevel, Gender

MAX_DESIRED_JOBS = 5
# Working age for an insertion pathway: 16 (end of compulsory schooling) to 70.
MIN_AGE, MAX_AGE = 16, 70
TEXT_LIMITS = {"desired_jobs_text": 500, "skills": 5000, "experience": 5000, "certificates": 300}
PURPOSES_MAX_LENGTH = 500
EVIDENCE_MAX_LENGTH = 300


@dataclass
class DesiredJobInput:
    """A job typed in one of the "métier souhaité" fields, with the code the autocomplete picked."""

    text: str
    code: str | None = None


@dataclass
class CriterionInput:
    criterion: str
    evidence: str = ""
    evidence_date: date | None = None


@dataclass
class CandidateInput:
    """The candidate form as plain values."""

    first_name: str
    last_name: str
    birth_date: date | None
    gender: str
    education_level: str
    email: str = ""
    phone: str = ""
    commune_text: str = ""
    commune_insee: str | None = None
    desired_jobs_text: str = ""
    desired_jobs: list[DesiredJobInput] = field(default_factory=list)
    skills: str = ""
    experience: str = ""
    mobility_km: int | None = 30
    driving_licence: bool = False
    certificates: str = ""
    available: bool = True
    available_from: date | None = None
    referent_id: int | None = None
    criteria: list[CriterionInput] = field(default_factory=list)


@dataclass
class ConsentInput:
    given: bool
    given_on: date | None
    purposes: str


CONSENT_REQUIRED = "Le consentement de la personne est obligatoire avant d'enregistrer ses données."


@dataclass
class CheckedCandidate:
    """The form's values, every rule passed: columns, desired job codes, criteria (and consent)."""

    values: dict
    codes: list[int]
    declared: dict[Criterion, CriterionInput]
    consent: ConsentInput | None = None


def checked_candidate(data: CandidateInput, territory_id: int, prescriber_id: int, today: date,
                      consent: ConsentInput | None = None, new: bool = False) -> CheckedCandidate:
    """Every rule of the candidate form (the consent too for a `new` record), all run: the
    values, or one FieldErrors listing every refusal. Reads, never writes."""
    collect = Collector()
    agreed = collect(checked_consent, consent, today) if new else None
    values = collect(checked_columns, data, territory_id, prescriber_id, today)
    codes = collect(checked_jobs, data.desired_jobs)
    declared = collect(checked_criteria, data.criteria, today)
    collect.raise_if_any()
    return CheckedCandidate(values, codes, declared, agreed)


def identity(data: CandidateInput, today: date) -> Person | None:
    """The person as the duplicate finder compares them, when the names and birth date are valid
    (an invalid e-mail or phone is left out); else None."""
    try:
        first, last = _name(data.first_name, "first_name", "le prénom"), _name(data.last_name, "last_name", "le nom")
        born = _birth_date(data.birth_date, today)
    except DomainError:
        return None
    collect = Collector()
    return Person(first, last, born, collect(parsed, parse_email, data.email, "email"),
                  collect(parsed, parse_phone, data.phone, "phone"))


def checked_consent(consent: ConsentInput | None, today: date) -> ConsentInput:
    if consent is None or not consent.given:
        raise DomainError(CONSENT_REQUIRED, field="consent_given")
    collect = Collector()
    if consent.given_on is None or consent.given_on > today:
        collect.add("Indiquez la date du consentement (aujourd'hui ou avant).", field="consent_given_on")
    purposes = (consent.purposes or "").strip()
    if not purposes:
        collect.add("Indiquez les finalités auxquelles la personne a consenti.", field="consent_purposes")
    elif len(purposes) > PURPOSES_MAX_LENGTH:
        collect.add(f"Les finalités ne doivent pas dépasser {PURPOSES_MAX_LENGTH} caractères.",
                    field="consent_purposes")
    collect.raise_if_any()
    return ConsentInput(given=True, given_on=consent.given_on, purposes=purposes)


def checked_columns(data: CandidateInput, territory_id: int, prescriber_id: int, today: date) -> dict:
    """The candidate's own columns (not jobs nor criteria), every rule checked."""
    collect = Collector()
    values = {"first_name": collect(_name, data.first_name, "first_name", "le prénom"),
              "last_name": collect(_name, data.last_name, "last_name", "le nom")}
    values["birth_date"] = collect(_birth_date, data.birth_date, today)
    values["gender"] = collect(_choice, Gender, data.gender, "gender", "Choisissez le genre.")
    values["education_level"] = collect(_choice, EducationLevel, data.education_level, "education_level",
                                        "Choisissez le niveau de formation.")
    values["email"] = collect(parsed, parse_email, data.email, "email")
    values["phone"] = collect(parsed, parse_phone, data.phone, "phone")
    values["commune_insee"] = collect(_commune, data.commune_text, data.commune_insee, territory_id)
    for name, limit in TEXT_LIMITS.items():
        values[name] = (getattr(data, name) or "").strip()
        if len(values[name]) > limit:
            collect.add(f"Ce texte ne doit pas dépasser {limit} caractères.", field=name)
    if not collect.refused("certificates"):
        certificates = collect(checked_certificates, values["certificates"], "certificates",
                               TEXT_LIMITS["certificates"])
        if certificates is not None:
            values["certificate_codes"], values["certificates"] = certificates
    if data.mobility_km is None or not 0 <= data.mobility_km <= 200:
        collect.add("La mobilité s'exprime en kilomètres, entre 0 et 200.", field="mobility_km")
    referent_id = collect(_referent, data.referent_id, prescriber_id)
    collect.raise_if_any()
    values["name_key"] = name_key(values["first_name"], values["last_name"])
    values.update(mobility_km=int(data.mobility_km),
                  driving_licence=bool(data.driving_licence), available=bool(data.available),
                  available_from=data.available_from, referent_id=referent_id)
    return values


def checked_jobs(jobs: list[DesiredJobInput]) -> list[int]:
    """Appellation codes of the desired jobs, in order, without repeats."""
    collect = Collector()
    codes: list[int] = []
    for number, job in enumerate(jobs, start=1):
        if not (job.text or "").strip():
            continue
        if len(codes) >= MAX_DESIRED_JOBS:
            collect.add(f"Indiquez {MAX_DESIRED_JOBS} métiers souhaités au plus.", field=f"desired_job_{number}")
            continue
        appellation = collect(_job, job, f"desired_job_{number}")
        if appellation is not None and appellation.code not in codes:
            codes.append(appellation.code)
    collect.raise_if_any()
    return codes


def _job(job: DesiredJobInput, field_name: str):
    try:
        return resolve_appellation(job.text, job.code)
    except DomainError as error:
        raise DomainError(error.message, field=field_name) from None


def checked_criteria(criteria: list[CriterionInput], today: date) -> dict[Criterion, CriterionInput]:
    """The declared criteria by code, each with the evidence seen (required) and its date."""
    collect = Collector()
    declared: dict[Criterion, CriterionInput] = {}
    for item in criteria:
        try:
            code = Criterion(item.criterion)
        except ValueError:
            collect.add("Un des critères cochés n'existe pas.", field="criteria")
            continue
        evidence = (item.evidence or "").strip()
        if not evidence:
            collect.add(f"Indiquez le justificatif vu pour le critère « {code.label} ».",
                        field=f"evidence_{code.value}")
        elif len(evidence) > EVIDENCE_MAX_LENGTH:
            collect.add(f"Le justificatif ne doit pas dépasser {EVIDENCE_MAX_LENGTH} caractères.",
                        field=f"evidence_{code.value}")
        if item.evidence_date is not None and item.evidence_date > today:
            collect.add("La date du justificatif ne peut pas être dans le futur.",
                        field=f"evidence_date_{code.value}")
        declared[code] = CriterionInput(code.value, evidence, item.evidence_date)
    collect.raise_if_any()
    return declared


def _name(value: str | None, field_name: str, what: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise DomainError(f"Indiquez {what}.", field=field_name)
    if len(value) > 100:
        raise DomainError("100 caractères au plus.", field=field_name)
    return value


def _birth_date(value: date | None, today: date) -> date:
    if value is None:
        raise DomainError("Indiquez la date de naissance.", field="birth_date")
    if not add_months(today, -12 * MAX_AGE) <= value <= add_months(today, -12 * MIN_AGE):
        raise DomainError(f"La personne doit avoir entre {MIN_AGE} et {MAX_AGE} ans : vérifiez la date de naissance.",
                          field="birth_date")
    return value


def _choice(enum_cls, value, field_name: str, message: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message, field=field_name) from None


def _commune(text: str | None, insee_code: str | None, territory_id: int) -> str | None:
    if not (text or "").strip():
        return None
    try:
        return resolve_commune(text, insee_code, territory_departments(territory_id)).insee_code
    except DomainError as error:
        raise DomainError(error.message, field="commune") from None


def _referent(user_id: int | None, prescriber_id: int) -> int | None:
    """The referent adviser must be a member of the prescriber organisation."""
    if not user_id:
        return None
    member = db.session.scalar(sa.select(User.id).join(Membership, Membership.user_id == User.id).where(
        User.id == user_id, Membership.organisation_id == prescriber_id, User.is_active.is_(True)))
    if member is None:
        raise DomainError("Choisissez un conseiller de votre structure.", field="referent_id")
    return member
