"""What the events and steps pages read: the list of events (paginated in SQL, the counts of the
page's events in one aggregate query), an event's participants as a user may see them, the
invitations a prescriber has to answer, a person's events and steps, and the choices of the forms."""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from clausematch.accounts.models import Company, User
from clausematch.candidates.models import Candidate
from clausematch.contracts.permissions import territory_of
from clausematch.extensions import db
from clausematch.offers.models import Offer, OfferStatus, Programme
from clausematch.pagination import Page, paginate
from clausematch.prehire import permissions
from clausematch.prehire.models import Event, EventKind, EventParticipant, ParticipantStatus, PreHireStep
from clausematch.prehire.rules import SEATED, local_now

P = ParticipantStatus
PENDING_SHOWN = 10


@dataclass(frozen=True)
class EventFilters:
    kind: EventKind | None = None
    programme_id: int | None = None

    @property
    def active(self) -> bool:
        return self.kind is not None or self.programme_id is not None


@dataclass(frozen=True)
class EventCounts:
    invited: int = 0
    registered: int = 0
    present: int = 0


@dataclass(frozen=True)
class EventRow:
    event: Event
    counts: EventCounts
    upcoming: bool


def events_page(user: User, filters: EventFilters, page: int | None) -> Page:
    """The territory's events, upcoming first (soonest first), then past ones (latest first)."""
    now = local_now()
    upcoming = Event.starts_at >= now
    stmt = (sa.select(Event).where(Event.territory_id == territory_of(user))
            .order_by(sa.case((upcoming, 0), else_=1), sa.case((upcoming, Event.starts_at)),
                      Event.starts_at.desc(), Event.id.desc()))
    if filters.kind is not None:
        stmt = stmt.where(Event.kind == filters.kind)
    if filters.programme_id is not None:
        stmt = stmt.where(Event.programme_id == filters.programme_id)
    result = paginate(stmt, page)
    counts = event_counts([event.id for event in result.items])
    rows = [EventRow(event, counts.get(event.id, EventCounts()), event.starts_at >= now) for event in result.items]
    return Page(items=rows, page=result.page, per_page=result.per_page, total=result.total)


def event_counts(event_ids: list[int]) -> dict[int, EventCounts]:
    """{event id: invited (everyone asked, whatever the answer), registered (a seat: registered or
    present), present}, in one GROUP BY."""
    if not event_ids:
        return {}
    status = EventParticipant.status
    rows = db.session.execute(
        sa.select(EventParticipant.event_id, sa.func.count(EventParticipant.invited_at),
                  sa.func.count(sa.case((status.in_(SEATED), 1))),
                  sa.func.count(sa.case((status == P.ATTENDED, 1))))
        .where(EventParticipant.event_id.in_(event_ids)).group_by(EventParticipant.event_id))
    return {event_id: EventCounts(invited, registered, present) for event_id, invited, registered, present in rows}


def visible_participants(user: User, event: Event) -> list[EventParticipant]:
    """The facilitators see every participant; a prescriber, the people their organisation follows."""
    stmt = (sa.select(EventParticipant).join(Candidate, EventParticipant.candidate_id == Candidate.id)
            .where(EventParticipant.event_id == event.id)
            .order_by(Candidate.last_name, Candidate.first_name, Candidate.id))
    if not permissions.is_territory_facilitator(user, event.territory_id):
        stmt = stmt.where(Candidate.prescriber_id.in_(user.organisation_ids or {-1}))
    return list(db.session.scalars(stmt))


@dataclass(frozen=True)
class PendingInvitation:
    participant_id: int
    event_id: int
    event_title: str
    event_kind: EventKind
    starts_at: datetime
    candidate_id: int
    candidate_name: str


def pending_invitations(user: User, limit: int = PENDING_SHOWN) -> tuple[list[PendingInvitation], int]:
    """The invitations the user's organisation has to answer (events to come, not cancelled),
    soonest first, at most `limit`, and how many there are: two queries."""
    conditions = [Candidate.prescriber_id.in_(user.organisation_ids or {-1}), EventParticipant.status == P.INVITED,
                  Event.cancelled_at.is_(None), Event.starts_at >= local_now()]
    base = (sa.select(EventParticipant.id, Event.id, Event.title, Event.kind, Event.starts_at, Candidate.id,
                      Candidate.first_name, Candidate.last_name)
            .join(Event, EventParticipant.event_id == Event.id)
            .join(Candidate, EventParticipant.candidate_id == Candidate.id).where(*conditions))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(base.order_by(Event.starts_at, Event.id, Candidate.last_name).limit(limit))
    items = [PendingInvitation(pid, eid, title, kind, starts, cid, f"{first} {last}")
             for pid, eid, title, kind, starts, cid, first, last in rows]
    return items, total


def open_events(user: User, limit: int = 50) -> list[Event]:
    """Events of the user's territory still to come and not cancelled, soonest first."""
    return list(db.session.scalars(
        sa.select(Event).where(Event.territory_id == territory_of(user), Event.cancelled_at.is_(None),
                               Event.starts_at >= local_now())
        .order_by(Event.starts_at, Event.id).limit(limit)))


def candidate_participations(candidate_id: int) -> list[EventParticipant]:
    return list(db.session.scalars(
        sa.select(EventParticipant).join(Event, EventParticipant.event_id == Event.id)
        .where(EventParticipant.candidate_id == candidate_id).order_by(Event.starts_at, Event.id)))


def candidate_steps(candidate_id: int) -> list[PreHireStep]:
    return list(db.session.scalars(sa.select(PreHireStep).where(PreHireStep.candidate_id == candidate_id)
                                   .order_by(PreHireStep.start_date, PreHireStep.id)))


# --- Choices of the forms ---------------------------------------------------------------------

def programme_choices(user: User) -> list[tuple[int, str]]:
    return [(p.id, p.name) for p in db.session.execute(
        sa.select(Programme.id, Programme.name).where(Programme.territory_id == territory_of(user))
        .order_by(Programme.name))]


def offer_choices(user: User, keep: list[int] | None = None, limit: int = 300) -> list[tuple[int, str]]:
    """Published offers of the territory (and the ones already chosen), by title."""
    condition = Offer.status == OfferStatus.PUBLISHED
    if keep:
        condition = sa.or_(condition, Offer.id.in_(keep))
    rows = db.session.execute(
        sa.select(Offer.id, Offer.title, Company.name).join(Company, Offer.company_id == Company.id)
        .where(Offer.territory_id == territory_of(user), condition).order_by(Offer.title, Offer.id).limit(limit))
    return [(offer_id, f"{title} — {company} (offre n° {offer_id})") for offer_id, title, company in rows]


def company_choices(territory_id: int, limit: int = 500) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in db.session.execute(
        sa.select(Company.id, Company.name).where(Company.territory_id == territory_id)
        .order_by(Company.name).limit(limit))]


@dataclass(frozen=True)
class CancellationReach:
    """Who a cancellation tells: the people invited or registered, and their organisations."""

    invited: int
    registered: int
    organisations: int


def cancellation_reach(event_id: int) -> CancellationReach:
    row = db.session.execute(
        sa.select(sa.func.count(sa.case((EventParticipant.status == P.INVITED, 1))),
                  sa.func.count(sa.case((EventParticipant.status == P.REGISTERED, 1))),
                  sa.func.count(sa.distinct(Candidate.prescriber_id)))
        .join(Candidate, EventParticipant.candidate_id == Candidate.id)
        .where(EventParticipant.event_id == event_id, EventParticipant.status.in_((P.INVITED, P.REGISTERED)))).one()
    return CancellationReach(*row)
