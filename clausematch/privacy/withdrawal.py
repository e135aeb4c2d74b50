"""The person withdraws their consent (issue 14): the prescriber records it, ClauseMatch applies it.

`record_withdrawal` is one unit of work:
- the person's record is locked first (database.lock, as erasure.lock_candidate), then the rule is checked under
  the lock: who may (the prescriber organisation owning the record, the facilitators of its
  territory), a record one can act on (not merged, not anonymised: a second withdrawal is refused
  saying when the first was recorded), a date neither in the future nor before the consent was
  given, a known channel;
- the withdrawal is written on every consent still running (date, channel, who, when);
- every open application is closed by the system with the neutral reason "Candidature close"
  (applications.workflow, RefusalReason.CLOSED): the company is told no cause, nobody receives
  a message naming the person;
- the invitations and registrations to events not started yet are taken off the lists;
- the identity is wiped (erasure.anonymise_in_session, reason CONSENT_WITHDRAWN): the record
  leaves the matching index (the change log is written by the row's update, and the index reads
  only `Candidate.is_active` records), every list and search, and nobody can propose it again;
- audit "consent.withdrawn" with the channel and the date (no personal data); one commit.
Hires already made stay: their employment contracts and declared hours are kept, attached to
the anonymous record, and still counted by the reports (the clause's accountability).

Lock order: the person, then their applications. A proposal or a shortlist locks the offer, then
the person: a proposal racing the withdrawal either commits first (its application is then closed
here) or waits and is refused (services.check_can_be_proposed). A hire locks the offer, then the
application: it either comes first (the application is hired, not open, and stays) or finds the
application closed.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from clausematch import audit
from clausematch.accounts.authors import done_by
from clausematch.accounts.models import User
from clausematch.applications import workflow
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.candidates.models import Candidate, Consent
from clausematch.candidates.permissions import is_candidate_prescriber, is_territory_facilitator
from clausematch.database import LabelledEnum, lock, locked, today, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.prehire.models import Event, EventParticipant, ParticipantStatus
from clausematch.prehire.rules import local_now
from clausematch.privacy.erasure import Reason, anonymise_in_session

CLOSING_COMMENT = "Candidature close."
UPCOMING = (ParticipantStatus.INVITED, ParticipantStatus.REGISTERED, ParticipantStatus.DECLINED)


class WithdrawalChannel(LabelledEnum):
    """How the person expressed the withdrawal (consents.withdrawal_channel, 40 characters)."""
    SIGNED_LETTER = "signed_letter", "Écrit signé"
    EMAIL = "email", "Courriel"
    POST = "post", "Courrier"
    ORAL_INTERVIEW = "oral_interview", "Oral, en entretien (noté par le conseiller)"
    OTHER = "other", "Autre"


def channel_label(value: str | None) -> str:
    try:
        return WithdrawalChannel(value).label
    except ValueError:
        return value or ""


@dataclass(frozen=True)
class WithdrawalOutcome:
    candidate_id: int
    withdrawn_on: date
    channel: WithdrawalChannel
    closed_applications: int
    removed_invitations: int


def can_record_withdrawal(user: User, candidate: Candidate) -> bool:
    """The owning prescriber organisation's members and the territory's facilitators, on a record
    one can still act on."""
    return candidate.is_active and (is_candidate_prescriber(user, candidate)
                                    or is_territory_facilitator(user, candidate.territory_id))


def may_see_withdrawal(user: User, candidate: Candidate) -> bool:
    """Who may open the form at all (then told why it cannot be recorded, e.g. already withdrawn)."""
    return is_candidate_prescriber(user, candidate) or is_territory_facilitator(user, candidate.territory_id)


def last_withdrawal(candidate: Candidate) -> Consent | None:
    """The consent whose withdrawal was recorded last, or None."""
    withdrawn = [c for c in candidate.consents if c.withdrawn_on is not None]
    return max(withdrawn, key=lambda c: (c.withdrawal_recorded_at or c.recorded_at, c.id), default=None)


def blocked_reason(candidate: Candidate, reader: User | None = None) -> str | None:
    """Why no withdrawal can be recorded on this record any more (merged, already withdrawn or
    anonymised), in French; None when one can."""
    if candidate.merged_into_id is not None:
        return "Cette fiche a été fusionnée avec une autre : enregistrez le retrait sur la fiche conservée."
    if candidate.anonymised_at is not None:
        previous = last_withdrawal(candidate)
        if previous is not None:
            by = done_by(previous.withdrawal_recorded_by_id, reader,
                         previous.withdrawal_recorded_at or candidate.anonymised_at)
            return (f"Le retrait du consentement de cette personne a déjà été enregistré {by} (retrait daté du "
                    f"{format_date(previous.withdrawn_on)}) : ses données sont anonymisées, il n'y a plus rien à "
                    "faire.")
        return "Les données de cette personne ont déjà été anonymisées : il n'y a plus rien à faire."
    return None


def check_withdrawal(candidate: Candidate, withdrawn_on: date | None, channel: str | None, on: date,
                     reader: User | None = None) -> WithdrawalChannel:
    """Every refusal at once (FieldErrors) for withdrawing `candidate`'s consent on `withdrawn_on`
    through `channel`, judged on `on`; returns the channel."""
    blocked = blocked_reason(candidate, reader)
    if blocked is not None:
        raise DomainError(blocked)
    collect = Collector()
    running = [c for c in candidate.consents if c.withdrawn_on is None]
    if withdrawn_on is None:
        collect.add("Indiquez la date à laquelle la personne a retiré son consentement.", field="withdrawn_on")
    elif withdrawn_on > on:
        collect.add(f"La date du retrait ne peut pas être dans le futur (aujourd'hui : {format_date(on)}).",
                    field="withdrawn_on")
    elif running and withdrawn_on < max(c.given_on for c in running):
        given = max(c.given_on for c in running)
        collect.add(f"La date du retrait ne peut pas précéder le consentement, donné le {format_date(given)} : "
                    "vérifiez la date.", field="withdrawn_on")
    chosen = None
    try:
        chosen = WithdrawalChannel(channel or "")
    except ValueError:
        collect.add("Choisissez comment la personne a exprimé son retrait.", field="channel")
    collect.raise_if_any()
    return chosen


def record_withdrawal(actor: User, candidate_id: int, withdrawn_on: date | None, channel: str | None
                      ) -> WithdrawalOutcome:
    """Record that the person withdrew their consent and apply it (see the module): one commit."""
    # erasure.lock_candidate's row lock, through database.lock so that SQLite's unit of work takes
    # the write lock before reading (the later locks of this unit of work then find it held).
    candidate = lock(db.session, Candidate, candidate_id)
    if candidate is None:
        db.session.rollback()
        raise DomainError("Cette personne n'existe pas.")
    if not may_see_withdrawal(actor, candidate):
        db.session.rollback()
        raise NotAllowed("Seuls la structure qui suit cette personne et les facilitateurs du territoire "
                         "enregistrent le retrait de son consentement.")
    try:
        chosen = check_withdrawal(candidate, withdrawn_on, channel, today(), actor)
    except DomainError:
        db.session.rollback()
        raise
    now = utcnow()
    for consent in candidate.consents:
        if consent.withdrawn_on is None:
            consent.withdrawn_on, consent.withdrawal_channel = withdrawn_on, chosen.value
            consent.withdrawal_recorded_by_id, consent.withdrawal_recorded_at = actor.id, now
    closed = _close_open_applications(candidate.id)
    removed = _remove_from_upcoming_events(candidate.id, actor)
    anonymise_in_session(candidate, actor.id, Reason.CONSENT_WITHDRAWN)
    audit.record("consent.withdrawn", "candidate", candidate.id, actor_id=actor.id, candidate_id=candidate.id,
                 channel=chosen.value,
                 withdrawn_on=withdrawn_on.isoformat(), closed_applications=closed, removed_invitations=removed)
    db.session.commit()
    return WithdrawalOutcome(candidate.id, withdrawn_on, chosen, closed, removed)


def _close_open_applications(candidate_id: int) -> int:
    """Refuse (by the system, neutral reason) every open application of the person, locked in id order."""
    applications = list(locked(db.session, (
        sa.select(Application).where(Application.candidate_id == candidate_id,
                                     Application.status.in_(workflow.OPEN))
        .order_by(Application.id))))
    for application in applications:
        workflow.change_status(application, ApplicationStatus.REFUSED, None, CLOSING_COMMENT,
                               refusal_reason=RefusalReason.CLOSED)
    return len(applications)


def _remove_from_upcoming_events(candidate_id: int, actor: User) -> int:
    """Take the person off the lists of the events not started nor cancelled (the rows go, the
    audit keeps the event and the former answer; attended events stay for the programmes' counts)."""
    participants = list(locked(db.session, (
        sa.select(EventParticipant).join(Event, Event.id == EventParticipant.event_id)
        .where(EventParticipant.candidate_id == candidate_id, EventParticipant.status.in_(UPCOMING),
               Event.cancelled_at.is_(None), Event.starts_at > local_now())
        .order_by(EventParticipant.id))))
    for participant in participants:
        audit.record("event.participant_removed", "event", participant.event_id, actor_id=actor.id,
                     candidate_id=candidate_id, from_status=participant.status.value, reason="consent_withdrawn")
        db.session.delete(participant)
    return len(participants)
