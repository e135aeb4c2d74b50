"""Who hears about an invitation or a cancelled event, and what they are told.

The prescriber organisation that follows the person answers for them: each of its active
prescribers gets an in-app notification linking to the event page (which shows them their own
people only). Messages name the person by first name and initial (candidates.naming), never
anything else about them."""
import sqlalchemy as sa

from clausematch.accounts.models import Membership, Role, User
from clausematch.candidates import naming
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.notifications import notify
from clausematch.prehire.models import Event, EventParticipant, ParticipantStatus
from clausematch.prehire.rules import event_label


def event_path(event_id: int) -> str:
    return f"/evenements/{event_id}"


def prescribers_of(organisation_ids: set[int], actor: User | None) -> dict[int, list[int]]:
    """{organisation id: ids of its active prescribers}, the actor left out; one query."""
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(Membership.organisation_id, User.id).join(User, Membership.user_id == User.id)
        .where(Membership.organisation_id.in_(organisation_ids), User.role == Role.PRESCRIBER, User.is_active)
        .order_by(User.id))
    found: dict[int, list[int]] = {}
    for organisation_id, user_id in rows:
        if actor is None or user_id != actor.id:
            found.setdefault(organisation_id, []).append(user_id)
    return found


def invited(event: Event, candidates: list[Candidate], actor: User) -> None:
    recipients = prescribers_of({c.prescriber_id for c in candidates}, actor)
    for candidate in candidates:
        text = (f"Invitation {naming.of_name(naming.short_name(candidate))} à l'événement {event_label(event)} : "
                "indiquez si la personne viendra.")
        for user_id in recipients.get(candidate.prescriber_id, []):
            notify(user_id, text, event_path(event.id))


def event_cancelled(event: Event, actor: User) -> None:
    """The prescribers of the people invited or registered: one notification per organisation."""
    organisation_ids = set(db.session.scalars(
        sa.select(Candidate.prescriber_id).join(EventParticipant, EventParticipant.candidate_id == Candidate.id)
        .where(EventParticipant.event_id == event.id,
               EventParticipant.status.in_((ParticipantStatus.INVITED, ParticipantStatus.REGISTERED)))))
    text = f"L'événement {event_label(event)} est annulé."
    for user_ids in prescribers_of(organisation_ids, actor).values():
        for user_id in user_ids:
            notify(user_id, text, event_path(event.id))
