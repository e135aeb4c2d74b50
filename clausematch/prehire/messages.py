"""Who hears about an invitation, a withdrawn invitation or a cancelled event, and what they are told.

The prescriber organisation that follows the person answers for them: each of its active
prescribers gets an in-app notification linking to the event page (which shows them their own
people only), and one e-mail per change through the outbox (clausematch/notifications.py,
`queue_email`), listing the people of theirs it concerns. Users have no e-mail preference to
respect: every prescriber told in the application is told by e-mail too, as for applications.
Messages name the person by first name and initial (candidates.naming), never anything else about
them; the e-mail gives the event's kind, title, date and place, and the link."""
import sqlalchemy as sa
from flask import current_app, render_template

from clausematch.accounts.models import Membership, Role, User
from clausematch.candidates import naming
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.notifications import notify, queue_email
from clausematch.prehire.models import Event, EventParticipant, ParticipantStatus
from clausematch.prehire.rules import event_label

SUBJECT_TITLE_LENGTH = 80


def event_path(event_id: int) -> str:
    return f"/evenements/{event_id}"


def prescribers_of(organisation_ids: set[int], actor: User | None) -> dict[int, list[User]]:
    """{organisation id: its active prescribers}, the actor left out; one query."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(Membership.organisation_id, User).join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(organisation_ids), User.role == Role.PRESCRIBER, User.is_active)
        .order_by(User.id))
    found: dict[int, list[User]] = {}
    for organisation_id, user in rows:
        if actor is None or user.id != actor.id:
            found.setdefault(organisation_id, []).append(user)
    return found


def invited(event: Event, candidates: list[Candidate], actor: User) -> None:
    recipients = prescribers_of({c.prescriber_id for c in candidates}, actor)
    for candidate in candidates:
        text = (f"Invitation {naming.of_name(naming.short_name(candidate))} à l'événement {event_label(event)} : "
                "indiquez si la personne viendra.")
        for user in recipients.get(candidate.prescriber_id, []):
            notify(user.id, text, event_path(event.id))
    _email_each(event, candidates, recipients, f"Invitation à un événement : {_subject_event(event)}",
                "invited")


def removed(event: Event, candidate: Candidate, previous: ParticipantStatus, actor: User) -> None:
    """An invitation withdrawn (or a registered person taken off the list) before the event."""
    what = "L'inscription" if previous == ParticipantStatus.REGISTERED else "L'invitation"
    text = (f"{what} {naming.of_name(naming.short_name(candidate))} à l'événement {event_label(event)} a été "
            "retirée par l'équipe de facilitation.")
    recipients = prescribers_of({candidate.prescriber_id}, actor)
    for user in recipients.get(candidate.prescriber_id, []):
        notify(user.id, text, event_path(event.id))
    _email_each(event, [candidate], recipients, f"{what} retirée : {_subject_event(event)}", "removed",
                registered=previous == ParticipantStatus.REGISTERED)


def event_cancelled(event: Event, actor: User, reason: str = "") -> None:
    """The prescribers of the people invited or registered: one notification and one e-mail each."""
    candidates = list(db.session.scalars(
        sa.select(Candidate).join(EventParticipant, EventParticipant.candidate_id == Candidate.id)
        .where(EventParticipant.event_id == event.id,
               EventParticipant.status.in_((ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)))
        .order_by(Candidate.first_name, Candidate.last_name, Candidate.id)))
    recipients = prescribers_of({c.prescriber_id for c in candidates}, actor)
    text = f"L'événement {event_label(event)} est annulé." + (f" Motif : {reason}" if reason else "")
    for users in recipients.values():
        for user in users:
            notify(user.id, text, event_path(event.id))
    _email_each(event, candidates, recipients, f"Événement annulé : {_subject_event(event)}", "cancelled",
                reason=reason)


def _email_each(event: Event, candidates: list[Candidate], recipients: dict[int, list[User]], subject: str,
                kind: str, **values) -> None:
    """One e-mail per recipient, naming the people of theirs the change concerns."""
    people: dict[int, list[str]] = {}
    for candidate in candidates:
        for user in recipients.get(candidate.prescriber_id, []):
            people.setdefault(user.id, []).append(naming.short_name(candidate))
    users = {user.id: user for group in recipients.values() for user in group}
    link = current_app.config["PUBLIC_BASE_URL"].rstrip("/") + event_path(event.id)
    for user_id, names in people.items():
        queue_email(users[user_id].email, subject, render_template(
            f"prehire/emails/{kind}.txt", user=users[user_id], event=event, label=event_label(event),
            people=names, link=link, **values), link=event_path(event.id))


def _subject_event(event: Event) -> str:
    title = event.title if len(event.title) <= SUBJECT_TITLE_LENGTH \
        else event.title[:SUBJECT_TITLE_LENGTH - 1].rstrip() + "…"
    return f"« {title} » du {event.starts_at:%d/%m/%Y à %H:%M}"
