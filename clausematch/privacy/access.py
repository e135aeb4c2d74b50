"""Right of access (RGPD art. 15, issue 14): everything ClauseMatch holds about one person.

`personal_data(candidate_id)` builds one structure, the source of the readable page, the JSON
download and `flask privacy export`: identity, consents, eligibility criteria, applications and
every event of them, events and pre-hire steps, employment contracts, exits, 6-month follow-ups,
declared hours and their revisions, records merged into this one, and the log of what was done
on the record. Across organisations: every row, whoever declared it. Every row carries its id;
people are named with their organisation; enums carry their code and French label; dates are ISO.

Queries are bounded: a fixed number per section, never one per row (the users and organisations
named anywhere are read at the end in one query each).

`export(candidate_id, actor_id, format)` is the unit of work of an export: it reads the data,
logs the export (`log_export`) and commits.
"""
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch import audit
from clausematch.accounts.models import Membership, Organisation, User
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate, CandidateDesiredJob, Consent, EligibilityCriterion
from clausematch.candidates.permissions import can_view_candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.database import utcnow
from clausematch.extensions import db
from clausematch.offers.models import Offer, Programme
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursRevision
from clausematch.prehire.models import Event, EventParticipant, PreHireStep
from clausematch.privacy.access_log import EXPORTED, action_label
from clausematch.referential.models import Commune, RomeAppellation

EXPORT_ACTION = EXPORTED  # the access log labels it "Consulté (export des données)"
FORMATS = ("page", "json", "cli")

# The audit actions about a person, in words (an action without a label is shown as its code).
# The sections of the export, in the order of the page, with their French titles.
SECTION_LABELS = {
    "identity": "Identité",
    "merged_records": "Fiches fusionnées avec celle-ci",
    "consents": "Consentements",
    "eligibility_criteria": "Critères d'éligibilité",
    "applications": "Candidatures",
    "event_participations": "Événements",
    "prehire_steps": "Étapes avant l'embauche",
    "employment_contracts": "Contrats de travail",
    "exits": "Sorties",
    "follow_ups": "Suivis à 6 mois",
    "hours_entries": "Heures déclarées",
    "access_log": "Journal des actions sur la fiche",
}


def can_export(user: User, candidate: Candidate) -> bool:
    """Who produces the export for the person: the members of the prescriber organisation that owns
    the record and the facilitators of its territory (the readers of the candidate page). The export
    holds every row, whoever declared it: it is what the person is entitled to receive."""
    return can_view_candidate(user, candidate)


class CandidateNotFound(LookupError):
    """No person with this id."""


# --- the export's log --------------------------------------------------------------------------

def log_export(actor_id: int | None, candidate_id: int, format: str) -> None:
    """The one place an export is logged (added to the caller's unit of work): an event naming
    the person, so the export shows in their access log ("Consulté (export des données)")."""
    if format not in FORMATS:
        raise ValueError(format)
    audit.record(EXPORT_ACTION, "candidate", candidate_id, actor_id=actor_id, candidate_id=candidate_id,
                 format=format)


def audit_about(candidate_id: int) -> sa.ColumnElement[bool]:
    """The audit events about the person: every event naming them (audit_events.candidate_id)."""
    return AuditEvent.candidate_id == candidate_id


def to_json(data: dict[str, Any]) -> str:
    """The export as text: UTF-8 characters kept as they are, indented for a human reader."""
    return json.dumps(data, ensure_ascii=False, indent=2)


def export(candidate_id: int, actor_id: int | None, format: str) -> dict[str, Any]:
    """One unit of work: read everything about the person, log the export, commit.
    Raises CandidateNotFound (nothing logged) when there is no such person."""
    data = personal_data(candidate_id)
    log_export(actor_id, candidate_id, format)
    db.session.commit()
    return data


# --- values ------------------------------------------------------------------------------------

def _value(value: Any) -> Any:
    """JSON-ready: enums as {code, label}, dates ISO, decimals as numbers."""
    if isinstance(value, Enum):
        return {"code": value.value, "label": getattr(value, "label", value.value)}
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


class _People:
    """Users and organisations named anywhere in the export, read at the end in one query each."""

    def __init__(self) -> None:
        self.user_ids: set[int] = set()
        self.organisation_ids: set[int] = set()
        self.users: dict[int, dict] = {}
        self.organisations: dict[int, dict] = {}

    def user(self, user_id: int | None) -> Any:
        """A placeholder filled by `resolve` (None stays None)."""
        if user_id is None:
            return None
        self.user_ids.add(user_id)
        return _UserRef(user_id)

    def organisation(self, organisation_id: int | None) -> Any:
        if organisation_id is None:
            return None
        self.organisation_ids.add(organisation_id)
        return _OrganisationRef(organisation_id)

    def resolve(self, data: Any) -> Any:
        if not self.users and self.user_ids:
            rows = db.session.execute(
                sa.select(User.id, User.full_name, Organisation.name)
                .outerjoin(Membership, Membership.user_id == User.id)
                .outerjoin(Organisation, Organisation.id == Membership.organisation_id)
                .where(User.id.in_(self.user_ids)).order_by(User.id, Membership.id))
            for user_id, name, organisation in rows:
                self.users.setdefault(user_id, {"id": user_id, "name": name, "organisation": organisation})
        if not self.organisations and self.organisation_ids:
            rows = db.session.execute(sa.select(Organisation.id, Organisation.name)
                                      .where(Organisation.id.in_(self.organisation_ids)))
            self.organisations = {row.id: {"id": row.id, "name": row.name} for row in rows}
        return self._fill(data)

    def _fill(self, data: Any) -> Any:
        if isinstance(data, _UserRef):
            return self.users.get(data.id, {"id": data.id, "name": "Compte supprimé", "organisation": None})
        if isinstance(data, _OrganisationRef):
            return self.organisations.get(data.id, {"id": data.id, "name": "—"})
        if isinstance(data, dict):
            return {key: self._fill(value) for key, value in data.items()}
        if isinstance(data, list):
            return [self._fill(value) for value in data]
        return data


class _UserRef:
    def __init__(self, id: int) -> None:
        self.id = id


class _OrganisationRef:
    def __init__(self, id: int) -> None:
        self.id = id


def _lot_label(reference: str, number: int, title: str) -> str:
    return f"{reference} – lot {number} : {title}"


# --- sections ----------------------------------------------------------------------------------

def _identity(candidate: Candidate, commune: Commune | None, people: _People) -> dict:
    jobs = db.session.execute(
        sa.select(CandidateDesiredJob.id, RomeAppellation.label, RomeAppellation.rome_code)
        .join(RomeAppellation, RomeAppellation.code == CandidateDesiredJob.appellation_code)
        .where(CandidateDesiredJob.candidate_id == candidate.id)
        .order_by(CandidateDesiredJob.position, CandidateDesiredJob.id))
    return {
        "id": candidate.id,
        "first_name": candidate.first_name,
        "last_name": candidate.last_name,
        "birth_date": _value(candidate.birth_date),
        "gender": _value(candidate.gender),
        "email": candidate.email,
        "phone": candidate.phone,
        "commune": ({"insee_code": commune.insee_code, "label": commune.label} if commune else None),
        "education_level": _value(candidate.education_level),
        "desired_jobs": [{"id": row.id, "label": row.label, "rome_code": row.rome_code} for row in jobs],
        "desired_jobs_text": candidate.desired_jobs_text,
        "skills": candidate.skills,
        "experience": candidate.experience,
        "certificates": candidate.certificates,
        "mobility_km": candidate.mobility_km,
        "driving_licence": candidate.driving_licence,
        "available": candidate.available,
        "available_from": _value(candidate.available_from),
        "prescriber": people.organisation(candidate.prescriber_id),
        "referent": people.user(candidate.referent_id),
        "merged_into_id": candidate.merged_into_id,
        "anonymised_at": _value(candidate.anonymised_at),
        "created_at": _value(candidate.created_at),
        "updated_at": _value(candidate.updated_at),
    }


def _merged_records(candidate_id: int, people: _People) -> list[dict]:
    """The records of the same person merged into this one (their own identity as it was kept)."""
    rows = db.session.scalars(sa.select(Candidate).where(Candidate.merged_into_id == candidate_id)
                              .order_by(Candidate.id))
    return [{"id": row.id, "first_name": row.first_name, "last_name": row.last_name,
             "birth_date": _value(row.birth_date), "email": row.email, "phone": row.phone,
             "prescriber": people.organisation(row.prescriber_id), "created_at": _value(row.created_at)}
            for row in rows]


def _consents(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.scalars(sa.select(Consent).where(Consent.candidate_id == candidate_id)
                              .order_by(Consent.recorded_at, Consent.id))
    return [{"id": row.id, "given_on": _value(row.given_on), "purposes": row.purposes,
             "recorded_by": people.user(row.recorded_by_id), "recorded_at": _value(row.recorded_at),
             "withdrawn_on": _value(row.withdrawn_on), "withdrawal_channel": row.withdrawal_channel,
             "withdrawal_recorded_by": people.user(row.withdrawal_recorded_by_id),
             "withdrawal_recorded_at": _value(row.withdrawal_recorded_at)} for row in rows]


def _criteria(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.scalars(sa.select(EligibilityCriterion).where(EligibilityCriterion.candidate_id == candidate_id)
                              .order_by(EligibilityCriterion.declared_at, EligibilityCriterion.id))
    return [{"id": row.id, "criterion": _value(row.criterion), "evidence": row.evidence,
             "evidence_date": _value(row.evidence_date), "declared_by": people.user(row.declared_by_id),
             "declared_by_organisation": people.organisation(row.declared_by_organisation_id),
             "declared_at": _value(row.declared_at), "status": _value(row.status),
             "validated_by": people.user(row.validated_by_id), "validated_at": _value(row.validated_at),
             "valid_until": _value(row.valid_until), "refusal_reason": row.refusal_reason} for row in rows]


def _applications(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.execute(
        sa.select(Application, Offer.title, Offer.company_id)
        .join(Offer, Offer.id == Application.offer_id)
        .where(Application.candidate_id == candidate_id).order_by(Application.created_at, Application.id)).all()
    events: dict[int, list[dict]] = {}
    for event in db.session.scalars(
            sa.select(ApplicationEvent).join(Application, Application.id == ApplicationEvent.application_id)
            .where(Application.candidate_id == candidate_id)
            .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id)):
        events.setdefault(event.application_id, []).append({
            "id": event.id, "occurred_at": _value(event.occurred_at), "from_status": _value(event.from_status),
            "to_status": _value(event.to_status), "actor": people.user(event.actor_id), "comment": event.comment,
            "refusal_reason": _value(event.refusal_reason)})
    return [{"id": application.id, "offer": {"id": application.offer_id, "title": title},
             "company": people.organisation(company_id), "prescriber": people.organisation(application.prescriber_id),
             "proposed_by": people.user(application.proposed_by_id), "status": _value(application.status),
             "refusal_reason": _value(application.refusal_reason), "message": application.message,
             "created_at": _value(application.created_at), "last_event_at": _value(application.last_event_at),
             "events": events.get(application.id, [])}
            for application, title, company_id in rows]


def _event_participations(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.execute(
        sa.select(EventParticipant, Event.kind, Event.title, Event.starts_at, Event.place, Event.cancelled_at)
        .join(Event, Event.id == EventParticipant.event_id)
        .where(EventParticipant.candidate_id == candidate_id).order_by(Event.starts_at, EventParticipant.id))
    return [{"id": row.id, "event": {"id": row.event_id, "kind": _value(kind), "title": title,
                                     "starts_at": _value(starts_at), "place": place,
                                     "cancelled_at": _value(cancelled_at)},
             "status": _value(row.status), "outcome": _value(row.outcome), "comment": row.comment,
             "invited_by": people.user(row.invited_by_id), "invited_at": _value(row.invited_at),
             "answered_by": people.user(row.answered_by_id), "answered_at": _value(row.answered_at),
             "attendance_recorded_by": people.user(row.attendance_recorded_by_id),
             "attendance_recorded_at": _value(row.attendance_recorded_at)}
            for row, kind, title, starts_at, place, cancelled_at in rows]


def _prehire_steps(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.execute(
        sa.select(PreHireStep, Programme.name, Offer.title)
        .outerjoin(Programme, Programme.id == PreHireStep.programme_id)
        .outerjoin(Offer, Offer.id == PreHireStep.offer_id)
        .where(PreHireStep.candidate_id == candidate_id).order_by(PreHireStep.start_date, PreHireStep.id))
    return [{"id": row.id, "kind": _value(row.kind), "status": _value(row.status), "title": row.title,
             "programme": programme, "offer": ({"id": row.offer_id, "title": offer} if row.offer_id else None),
             "organisation": people.organisation(row.organisation_id), "organisation_name": row.organisation_name,
             "start_date": _value(row.start_date), "end_date": _value(row.end_date), "hours": _value(row.hours),
             "comment": row.comment, "created_by": people.user(row.created_by_id),
             "decided_by": people.user(row.decided_by_id), "decided_at": _value(row.decided_at)}
            for row, programme, offer in rows]


def _contracts(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.execute(
        sa.select(EmploymentContract, Contract.reference, Lot.number, Lot.title)
        .join(Lot, Lot.id == EmploymentContract.lot_id).join(Contract, Contract.id == Lot.contract_id)
        .where(EmploymentContract.candidate_id == candidate_id)
        .order_by(EmploymentContract.start_date, EmploymentContract.id))
    return [{"id": row.id, "application_id": row.application_id,
             "lot": {"id": row.lot_id, "label": _lot_label(reference, number, title)},
             "company": people.organisation(row.company_id), "employer": people.organisation(row.employer_id),
             "contract_type": _value(row.contract_type), "mode": _value(row.mode),
             "start_date": _value(row.start_date), "planned_end_date": _value(row.planned_end_date),
             "trial_period_end": _value(row.trial_period_end), "end_date": _value(row.end_date),
             "weekly_hours": row.weekly_hours, "previous_contract_id": row.previous_contract_id,
             "created_by": people.user(row.created_by_id), "created_at": _value(row.created_at)}
            for row, reference, number, title in rows]


def _exits(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.scalars(
        sa.select(Exit).join(EmploymentContract, EmploymentContract.id == Exit.contract_id)
        .where(EmploymentContract.candidate_id == candidate_id).order_by(Exit.exit_date, Exit.id))
    return [{"id": row.id, "contract_id": row.contract_id, "exit_date": _value(row.exit_date),
             "detail": _value(row.detail), "category": _value(row.category), "comment": row.comment,
             "recorded_by": people.user(row.recorded_by_id), "recorded_at": _value(row.recorded_at)}
            for row in rows]


def _follow_ups(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.scalars(
        sa.select(FollowUp).join(Exit, Exit.id == FollowUp.exit_id)
        .join(EmploymentContract, EmploymentContract.id == Exit.contract_id)
        .where(EmploymentContract.candidate_id == candidate_id).order_by(FollowUp.due_on, FollowUp.id))
    return [{"id": row.id, "exit_id": row.exit_id, "due_on": _value(row.due_on), "done_on": _value(row.done_on),
             "in_work": row.in_work, "situation": _value(row.situation), "comment": row.comment,
             "recorded_by": people.user(row.recorded_by_id)} for row in rows]


def _hours(candidate_id: int, people: _People) -> list[dict]:
    """Declared hours, per contract and month, each with its revisions. An entry is the person's
    when its own column or its contract says so (both are read: neither alone is trusted)."""
    person_contracts = sa.select(EmploymentContract.id).where(EmploymentContract.candidate_id == candidate_id)
    mine = sa.or_(HoursEntry.candidate_id == candidate_id, HoursEntry.contract_id.in_(person_contracts))
    revisions: dict[int, list[dict]] = {}
    for row in db.session.scalars(sa.select(HoursRevision).join(HoursEntry, HoursEntry.id == HoursRevision.entry_id)
                                  .where(mine).order_by(HoursRevision.occurred_at, HoursRevision.id)):
        revisions.setdefault(row.entry_id, []).append({
            "id": row.id, "occurred_at": _value(row.occurred_at), "old_hours": _value(row.old_hours),
            "new_hours": _value(row.new_hours), "actor": people.user(row.actor_id), "comment": row.comment})
    rows = db.session.scalars(sa.select(HoursEntry).where(mine).order_by(HoursEntry.month, HoursEntry.contract_id,
                                                                          HoursEntry.kind, HoursEntry.id))
    return [{"id": row.id, "contract_id": row.contract_id, "month": row.month.strftime("%Y-%m"),
             "company": people.organisation(row.company_id), "mode": _value(row.mode), "kind": _value(row.kind),
             "hours": _value(row.hours), "status": _value(row.status),
             "declared_by": people.user(row.declared_by_id), "validated_by": people.user(row.validated_by_id),
             "validated_at": _value(row.validated_at), "revisions": revisions.get(row.id, [])} for row in rows]


def _log(candidate_id: int, people: _People) -> list[dict]:
    rows = db.session.scalars(sa.select(AuditEvent).where(audit_about(candidate_id))
                              .order_by(AuditEvent.occurred_at, AuditEvent.id))
    return [{"id": row.id, "occurred_at": _value(row.occurred_at),
             "action": {"code": row.action, "label": action_label(row.action, row.details)},
             "actor": people.user(row.actor_id), "details": row.details or {}} for row in rows]


def personal_data(candidate_id: int) -> dict[str, Any]:
    """Everything ClauseMatch holds about the person (see the module's docstring).
    Raises CandidateNotFound when there is no such person."""
    commune = aliased(Commune)
    found = db.session.execute(sa.select(Candidate, commune).outerjoin(commune, commune.insee_code ==
                                                                        Candidate.commune_insee)
                               .where(Candidate.id == candidate_id)).one_or_none()
    if found is None:
        raise CandidateNotFound(candidate_id)
    candidate, candidate_commune = found
    people = _People()
    data = {
        "candidate_id": candidate.id,
        "generated_at": _value(utcnow()),
        "identity": _identity(candidate, candidate_commune, people),
        "merged_records": _merged_records(candidate.id, people),
        "consents": _consents(candidate.id, people),
        "eligibility_criteria": _criteria(candidate.id, people),
        "applications": _applications(candidate.id, people),
        "event_participations": _event_participations(candidate.id, people),
        "prehire_steps": _prehire_steps(candidate.id, people),
        "employment_contracts": _contracts(candidate.id, people),
        "exits": _exits(candidate.id, people),
        "follow_ups": _follow_ups(candidate.id, people),
        "hours_entries": _hours(candidate.id, people),
        "access_log": _log(candidate.id, people),
    }
    return people.resolve(data)
