"""Events: a facilitator of the territory plans, edits and cancels them.

Services take plain values and the acting user, check the rules (permissions again, references
of the territory, dates, capacity), raise DomainError with French messages and commit once.
`check_event` gathers every refusal of the form at once (FieldErrors), reading only; the
invitations, answers and attendance are in participation.py, individual steps in steps.py.

Dates: an event may be recorded up to a year after it took place (a facilitator records a session
held before ClauseMatch was used) and planned up to two years ahead; its end, when given, is not
before its start. Times are the territory's wall clock (rules.local_now).
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from clausematch import versioning
from clausematch.accounts.models import User
from clausematch.audit import record
from clausematch.contracts.permissions import territory_of
from clausematch.database import lock, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers.models import Offer, Programme
from clausematch.prehire import permissions
from clausematch.prehire.models import Event, EventKind
from clausematch.prehire.rules import local_now, seats_taken
from clausematch.referential.resolve import resolve_commune, territory_departments

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 300
DESCRIPTION_MAX_LENGTH = 5000
MAX_CAPACITY = 10_000
REASON_MAX_LENGTH = 300
RECORDED_AFTER = timedelta(days=366)  # how long after it an event may still be recorded
PLANNED_AHEAD = timedelta(days=731)


@dataclass
class EventData:
    """What a person typed in the event form, as plain values."""

    kind: str | None
    title: str
    starts_at: datetime | None
    place: str
    ends_at: datetime | None = None
    description: str = ""
    commune_text: str = ""
    commune_insee: str | None = None
    capacity: int | None = None
    programme_id: int | None = None
    offer_ids: list[int] = field(default_factory=list)


def check_event(data: EventData, user: User, event_id: int | None = None) -> dict:
    """Every rule of the event form, all refusals at once (FieldErrors); the columns as kept.
    Reads only. `event_id`: the event being edited (None: a new one)."""
    event = _event_or_error(event_id) if event_id is not None else None
    if event is None and not permissions.can_manage_events(user):
        raise NotAllowed("Seule l'équipe de facilitation du territoire organise des événements.")
    if event is not None:
        if not permissions.can_edit_event(user, event):
            raise NotAllowed("Cet événement relève d'un autre territoire.")
        if event.cancelled_at is not None:
            raise DomainError("Cet événement est annulé : il ne peut plus être modifié.")
    territory_id = event.territory_id if event is not None else territory_of(user)
    collect = Collector()
    title = _text(collect, data.title, "title", "Indiquez l'intitulé de l'événement.", TITLE_MAX_LENGTH,
                  "L'intitulé")
    place = _text(collect, data.place, "place", "Indiquez le lieu (adresse ou salle).", PLACE_MAX_LENGTH,
                  "Le lieu")
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        collect.add(f"La description ne doit pas dépasser {DESCRIPTION_MAX_LENGTH} caractères.", field="description")
    kind = None
    try:
        kind = EventKind(data.kind)
    except ValueError:
        collect.add("Choisissez le type d'événement.", field="kind")
    collect(_dates, data.starts_at, data.ends_at, event)
    commune = None
    if (data.commune_text or "").strip():
        commune = collect(resolve_commune, data.commune_text, data.commune_insee, territory_departments(territory_id))
    capacity = collect(_capacity, data.capacity, event)
    programme_id = collect(_programme, data.programme_id, territory_id)
    offers = collect(_offers, data.offer_ids, territory_id)
    collect.raise_if_any()
    return {"kind": kind, "title": title, "description": description, "starts_at": data.starts_at,
            "ends_at": data.ends_at, "place": place, "commune_insee": commune.insee_code if commune else None,
            "capacity": capacity, "programme_id": programme_id, "offers": offers}


def create_event(data: EventData, user: User) -> Event:
    values = check_event(data, user)
    event = Event(territory_id=territory_of(user), created_by_id=user.id, **values)
    db.session.add(event)
    db.session.flush()
    record("event.created", "event", event.id, actor_id=user.id, kind=event.kind.value)
    db.session.commit()
    return event


def update_event(event_id: int, data: EventData, user: User, version: int | None = None) -> Event:
    """Change an event's content; `version`: the one the edit form was loaded at (versioning.py).
    The event is locked: a capacity lowered below the seats taken is refused on the latest count."""
    event = lock(db.session, Event, event_id)
    values = check_event(data, user, event_id)
    changed = sorted(name for name, value in values.items() if getattr(event, name) != value)
    for name, value in values.items():
        setattr(event, name, value)
    versioning.claim(event, version)
    record("event.updated", "event", event.id, actor_id=user.id, fields=changed)
    db.session.commit()
    return event


def check_cancel(event_id: int, reason: str | None, user: User) -> str:
    """The cancellation's rules, all refusals at once (FieldErrors); the reason as kept. Reads only."""
    event = _event_or_error(event_id)
    return _checked_cancel(event, reason, user)


def _checked_cancel(event: Event, reason: str | None, user: User) -> str:
    if not permissions.can_edit_event(user, event):
        raise NotAllowed("Cet événement relève d'un autre territoire.")
    if event.cancelled_at is not None:
        raise DomainError(f"Cet événement a déjà été annulé le {format_date(event.cancelled_at)}.")
    text = (reason or "").strip()
    if not text:
        raise DomainError("Indiquez le motif de l'annulation : les prescripteurs le liront.", field="reason")
    if len(text) > REASON_MAX_LENGTH:
        raise DomainError(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères.", field="reason")
    return text


def cancel_event(event_id: int, user: User, reason: str | None) -> Event:
    """Cancel an event (it stays listed, marked cancelled); the prescribers of the people invited
    or registered are told, with the reason, in the application and by e-mail."""
    from clausematch.prehire import messages  # the messages name the event as saved here

    event = lock(db.session, Event, event_id)
    if event is None:
        raise DomainError("Cet événement n'existe pas.")
    text = _checked_cancel(event, reason, user)
    event.cancelled_at = utcnow()
    record("event.cancelled", "event", event.id, actor_id=user.id)
    messages.event_cancelled(event, user, text)
    db.session.commit()
    return event


def _event_or_error(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise DomainError("Cet événement n'existe pas.")
    return event


def _text(collect: Collector, value: str | None, field_name: str, missing: str, limit: int, label: str) -> str:
    text = (value or "").strip()
    if not text:
        collect.add(missing, field=field_name)
    elif len(text) > limit:
        collect.add(f"{label} ne doit pas dépasser {limit} caractères.", field=field_name)
    return text


def _dates(starts_at: datetime | None, ends_at: datetime | None, event: Event | None) -> None:
    collect = Collector()
    now = local_now()
    if starts_at is None:
        collect.add("Indiquez la date et l'heure de début, par exemple 12/05/2026 09:30.", field="starts_at")
    elif starts_at != (event.starts_at if event else None):
        if starts_at < now - RECORDED_AFTER:
            collect.add("Un événement passé s'enregistre au plus un an après : vérifiez l'année du début.",
                        field="starts_at")
        elif starts_at > now + PLANNED_AHEAD:
            collect.add("Un événement se prévoit au plus deux ans à l'avance : vérifiez l'année du début.",
                        field="starts_at")
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        collect.add(f"La fin ne peut pas précéder le début ({format_date(starts_at)}).", field="ends_at")
    collect.raise_if_any()


def _capacity(capacity: int | None, event: Event | None) -> int | None:
    if capacity is None:
        return None
    if not 1 <= capacity <= MAX_CAPACITY:
        raise DomainError(f"La capacité est d'au moins 1 place (et {MAX_CAPACITY} au plus) ; laissez le champ "
                          "vide s'il n'y a pas de limite.", field="capacity")
    if event is not None:
        taken = seats_taken(event.id)
        if capacity < taken:
            raise DomainError(f"{taken} personnes sont déjà inscrites : la capacité ne peut pas être inférieure.",
                              field="capacity")
    return capacity


def _programme(programme_id: int | None, territory_id: int | None) -> int | None:
    if programme_id is None:
        return None
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.territory_id != territory_id:
        raise DomainError("Choisissez un des programmes de votre territoire.", field="programme_id")
    return programme.id


def _offers(offer_ids: list[int] | None, territory_id: int | None) -> list[Offer]:
    ids = list(dict.fromkeys(offer_ids or []))
    if not ids:
        return []
    offers = list(db.session.scalars(sa.select(Offer).where(Offer.id.in_(ids), Offer.territory_id == territory_id)
                                     .order_by(Offer.id)))
    if len(offers) != len(ids):
        raise DomainError("Choisissez des offres de votre territoire.", field="offer_ids")
    return offers
