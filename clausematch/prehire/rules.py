"""Rules shared by the pre-hire services: the clock events are read against, the seats an event
holds, and how messages name an event."""
from datetime import datetime

import sqlalchemy as sa

from clausematch import database
from clausematch.extensions import db
from clausematch.prehire.models import Event, EventParticipant, ParticipantStatus

# Participants who hold a seat: registered, and those recorded present.
SEATED = (ParticipantStatus.REGISTERED, ParticipantStatus.ATTENDED)
FULL = "L'événement est complet : toutes ses places sont prises."


def local_now() -> datetime:
    """Now, as the wall clock of the territory reads it (event times are typed and stored so)."""
    return database.local_now().replace(tzinfo=None, microsecond=0)


def has_started(event: Event, now: datetime | None = None) -> bool:
    return event.starts_at <= (now or local_now())


def seats_taken(event_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(EventParticipant.id)).where(
        EventParticipant.event_id == event_id, EventParticipant.status.in_(SEATED))) or 0


def event_label(event: Event) -> str:
    """« Réunion d'information collective « Métiers du BTP » du 12/05/2026 à 09:30 »."""
    return f"{event.kind.label} « {event.title} » du {event.starts_at:%d/%m/%Y à %H:%M}"
