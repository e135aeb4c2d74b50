"""The daily job on orientations left without news (the issue's "stale applications").

An open application (submitted, validated, shortlisted, sent, interview) whose last event is:
- older than 30 days: the facilitators of the offer's territory and the prescriber side (who
  proposed the candidate, the candidate's referent) get one in-app reminder. "Once" means once
  per silence: the reminder is kept in the audit trail and a new one is only sent if the
  application moved since (its last_event_at is after the reminder);
- older than 60 days: it is closed as refused, reason "sans réponse dans les délais", through the
  applications workflow as the system (actor None), which logs, audits and tells the prescriber.
Safe to re-run, and to run several times at once: the applications are locked (database.locked,
in id order) before they are checked, so a run that waited for another one finds them reminded
or closed and skips them; reminded applications are skipped, closed ones are no longer open.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from clausematch.applications import workflow
from clausematch.applications.links import application_path
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.audit import AuditEvent, record
from clausematch.candidates.models import Candidate
from clausematch.database import locked
from clausematch.extensions import db
from clausematch.notifications import notify
from clausematch.offers.models import Offer

REMINDER_DAYS = 30
CLOSE_DAYS = 60
REMINDER_ACTION = "application.stale_reminder"
CLOSING_COMMENT = f"Clôture automatique : aucune nouvelle depuis {CLOSE_DAYS} jours."
S = ApplicationStatus
OPEN = (S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW)


@dataclass(frozen=True)
class StaleResult:
    reminded: int
    closed: int

    def summary(self) -> str:
        reminded = {0: "aucune relance", 1: "1 candidature relancée"}.get(
            self.reminded, f"{self.reminded} candidatures relancées")
        closed = {0: "aucune clôture", 1: "1 candidature close sans réponse"}.get(
            self.closed, f"{self.closed} candidatures closes sans réponse")
        return f"{reminded.capitalize()}, {closed}."


def handle_stale_applications(on: date) -> StaleResult:
    """Close the applications silent for more than 60 days on `on`, then remind about those
    silent for more than 30; one commit."""
    start_of_day = datetime.combine(on, time.min)
    closed = close_silent(start_of_day - timedelta(days=CLOSE_DAYS))
    reminded = remind_silent(start_of_day - timedelta(days=REMINDER_DAYS))
    db.session.commit()
    return StaleResult(reminded=reminded, closed=closed)


def _silent_since(before: datetime) -> sa.Select:
    return (sa.select(Application).where(Application.status.in_(OPEN), Application.last_event_at < before)
            .options(joinedload(Application.offer), joinedload(Application.candidate))
            .order_by(Application.id))


def close_silent(before: datetime) -> int:
    """Refuse (no answer) every open application whose last event is before `before`, as the system."""
    applications = list(locked(db.session, _silent_since(before)))
    for application in applications:
        workflow.change_status(application, S.REFUSED, None, CLOSING_COMMENT, refusal_reason=RefusalReason.NO_ANSWER)
    return len(applications)


def remind_silent(before: datetime) -> int:
    """One reminder per silence for every open application whose last event is before `before`."""
    already = (sa.select(AuditEvent.id)
               .where(AuditEvent.entity_type == "application", AuditEvent.entity_id == Application.id,
                      AuditEvent.action == REMINDER_ACTION, AuditEvent.occurred_at >= Application.last_event_at)
               .exists())
    applications = list(locked(db.session, _silent_since(before).where(~already)))
    if applications:
        # Asked again now that the rows are ours: a run that held them may have reminded them
        # (its reminders are new rows, not a change of these: the locked read cannot tell).
        still = set(db.session.scalars(sa.select(Application.id).where(
            Application.id.in_([a.id for a in applications]), ~already)))
        applications = [a for a in applications if a.id in still]
    if not applications:
        return 0
    facilitators = _facilitators_by_territory({a.offer.territory_id for a in applications})
    active = _active_users({i for a in applications for i in (a.proposed_by_id, a.candidate.referent_id) if i})
    for application in applications:
        prescriber_side = [i for i in (application.proposed_by_id, application.candidate.referent_id) if i in active]
        message = _reminder_text(application)
        for user_id in dict.fromkeys([*facilitators.get(application.offer.territory_id, []), *prescriber_side]):
            notify(user_id, message, application_path(application.id))
        record(REMINDER_ACTION, "application", application.id, candidate_id=application.candidate_id,
               days=REMINDER_DAYS)
    return len(applications)


def _facilitators_by_territory(territory_ids: set[int]) -> dict[int, list[int]]:
    rows = db.session.execute(
        sa.select(Organisation.territory_id, User.id).join(Membership, Membership.organisation_id == Organisation.id)
        .join(User, Membership.user_id == User.id)
        .where(Organisation.kind == OrganisationKind.FACILITATOR, Organisation.territory_id.in_(territory_ids),
               User.role == Role.FACILITATOR, User.is_active).order_by(User.id))
    result: dict[int, list[int]] = {}
    for territory_id, user_id in rows:
        result.setdefault(territory_id, []).append(user_id)
    return result


def _active_users(ids: set[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(User.id).where(User.id.in_(ids), User.is_active)))


def _reminder_text(application: Application) -> str:
    candidate: Candidate = application.candidate
    offer: Offer = application.offer
    initial = candidate.last_name.strip()[:1].upper()
    name = f"{candidate.first_name} {initial}." if initial else candidate.first_name
    return (f"Sans nouvelle depuis {REMINDER_DAYS} jours : la candidature de {name} à l'offre « {offer.title} » "
            f"(« {application.status.label} ») attend une suite. Sans suite, elle sera close "
            f"au bout de {CLOSE_DAYS} jours.")

