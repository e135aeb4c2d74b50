"""Read-only queries of the application lists (facilitator, prescriber, company) and histories.

Every list is one statement selecting the columns it shows, joins included (paginated in SQL by
clausematch.pagination), so a page runs the same number of queries whatever the data.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Company, Organisation, OrganisationKind, User
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.applications.permissions import CLOSED_AFTER_SENDING, COMPANY_STATES
from clausematch.applications.workflow import OPEN
from clausematch.candidates.models import Candidate
from clausematch.candidates.search import name_starts_condition
from clausematch.contracts.models import Contract, Lot
from clausematch.database import utcnow
from clausematch.extensions import db
from clausematch.offers import queries as offer_queries
from clausematch.offers.models import Offer
from clausematch.offers.permissions import territory_of
from clausematch.pagination import Page, paginate

# "Sans nouvelle depuis plus de … jours": the choices of the age filter.
STALE_CHOICES = (15, 30, 60)


@dataclass(frozen=True)
class ApplicationFilters:
    """Filters of the application lists, already checked (None: no filter)."""

    status: ApplicationStatus | None = None
    offer_id: int | None = None
    lot_id: int | None = None
    company_id: int | None = None
    prescriber_id: int | None = None
    stale_days: int | None = None
    name: str = ""  # words beginning the candidate's names (candidates.search.name_starts_condition)

    def as_args(self) -> dict:
        """The filters as query-string arguments (kept by the pagination links)."""
        args = {"etat": self.status, "offre": self.offer_id, "lot": self.lot_id, "entreprise": self.company_id,
                "prescripteur": self.prescriber_id, "sans_nouvelle": self.stale_days, "nom": self.name or None}
        return {name: str(value) for name, value in args.items() if value is not None}


def _listing() -> sa.Select:
    """The columns every list shows; many-to-one joins only, so LIMIT counts applications."""
    company, prescriber = aliased(Organisation), aliased(Organisation)
    return (sa.select(Application.id, Application.status, Application.refusal_reason, Application.created_at,
                      Application.last_event_at, Candidate.id.label("candidate_id"), Candidate.first_name,
                      Candidate.last_name, Offer.id.label("offer_id"), Offer.title.label("offer_title"),
                      Lot.number.label("lot_number"), Contract.reference.label("contract_reference"),
                      company.name.label("company_name"), prescriber.name.label("prescriber_name"))
            .join(Candidate, Application.candidate_id == Candidate.id)
            .join(Offer, Application.offer_id == Offer.id)
            .join(Lot, Offer.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id)
            .join(company, Offer.company_id == company.id)
            .join(prescriber, Application.prescriber_id == prescriber.id)
            .order_by(Application.last_event_at.desc(), Application.id.desc()))


def _filtered(stmt: sa.Select, filters: ApplicationFilters) -> sa.Select:
    if filters.status is not None:
        stmt = stmt.where(Application.status == filters.status)
    if filters.offer_id is not None:
        stmt = stmt.where(Application.offer_id == filters.offer_id)
    if filters.lot_id is not None:
        stmt = stmt.where(Offer.lot_id == filters.lot_id)
    if filters.company_id is not None:
        stmt = stmt.where(Offer.company_id == filters.company_id)
    if filters.prescriber_id is not None:
        stmt = stmt.where(Application.prescriber_id == filters.prescriber_id)
    named = name_starts_condition(filters.name, Application.candidate_id)
    if named is not None:
        stmt = stmt.where(named)
    if filters.stale_days is not None:
        # Only applications still in progress can be waiting for news.
        stmt = stmt.where(Application.status.in_(OPEN),
                          Application.last_event_at < utcnow() - timedelta(days=filters.stale_days))
    return stmt


def territory_scope(user: User) -> sa.ColumnElement[bool]:
    return Offer.territory_id == territory_of(user)


def prescriber_scope(user: User) -> sa.ColumnElement[bool]:
    return Application.prescriber_id.in_(user.organisation_ids)


def company_scope(user: User) -> sa.ColumnElement[bool]:
    """The company's offers, applications sent to it only (permissions.shown_to_company in SQL);
    of a person whose data was anonymised (consent withdrawn…), only the hires."""
    sent = sa.exists().where(ApplicationEvent.application_id == Application.id,
                             ApplicationEvent.to_status == ApplicationStatus.SENT)
    person = aliased(Candidate)
    anonymised = sa.exists().where(person.id == Application.candidate_id, person.anonymised_at.is_not(None))
    return sa.and_(Offer.company_id.in_(user.organisation_ids),
                   sa.or_(Application.status.in_(COMPANY_STATES),
                          sa.and_(Application.status.in_(CLOSED_AFTER_SENDING), sent)),
                   sa.or_(Application.status == ApplicationStatus.HIRED, ~anonymised))


def applications_page(scope: sa.ColumnElement[bool], filters: ApplicationFilters, page: int,
                      per_page: int | None = None) -> Page:
    """One page of the applications in `scope` matching `filters`, most recent news first."""
    return paginate(_filtered(_listing().where(scope), filters), page, per_page)


def status_counts(scope: sa.ColumnElement[bool]) -> dict[ApplicationStatus, int]:
    """How many applications of the scope are in each state (every state present, 0 included)."""
    stmt = (sa.select(Application.status, sa.func.count()).join(Offer, Application.offer_id == Offer.id)
            .where(scope).group_by(Application.status))
    counts = {status: 0 for status in ApplicationStatus}
    counts.update({status: count for status, count in db.session.execute(stmt)})
    return counts


def offer_choices(scope: sa.ColumnElement[bool]) -> list[tuple[int, str]]:
    """(id, label: title, company, commune, lot) of the offers that have applications in the scope."""
    ids = sa.select(Application.offer_id).join(Offer, Application.offer_id == Offer.id).where(scope)
    return offer_queries.offer_choices(Offer.id.in_(ids))


def lot_choices(user: User) -> list[tuple[int, str]]:
    """(id, label) of the lots of the territory that carry offers."""
    stmt = (sa.select(Lot.id, Contract.reference, Lot.number, Lot.title).join(Contract, Lot.contract_id == Contract.id)
            .where(Lot.id.in_(sa.select(Offer.lot_id).where(territory_scope(user))))
            .order_by(Contract.reference, Lot.number))
    return [(row.id, f"{row.reference} — lot {row.number} : {row.title}") for row in db.session.execute(stmt)]


def organisation_choices(user: User, kind: OrganisationKind) -> list[tuple[int, str]]:
    """(id, name) of the territory's companies or prescribers, for the filters."""
    stmt = (sa.select(Organisation.id, Organisation.name)
            .where(Organisation.territory_id == territory_of(user), Organisation.kind == kind)
            .order_by(Organisation.name))
    return [(row.id, row.name) for row in db.session.execute(stmt)]


@dataclass(frozen=True)
class HistoryLine:
    """One event as the facilitator and prescriber pages show it."""

    event: ApplicationEvent
    actor_name: str | None
    actor_role: object | None


def history(application_id: int) -> list[HistoryLine]:
    """The application's events, oldest first, with who made each one."""
    stmt = (sa.select(ApplicationEvent, User.full_name, User.role)
            .outerjoin(User, User.id == ApplicationEvent.actor_id)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))
    return [HistoryLine(event, name, role) for event, name, role in db.session.execute(stmt)]


# The order in which an application's states are listed: furthest along first.
STATUS_ORDER = [ApplicationStatus.HIRED, ApplicationStatus.INTERVIEW, ApplicationStatus.SENT,
                ApplicationStatus.SHORTLISTED, ApplicationStatus.VALIDATED, ApplicationStatus.SUBMITTED,
                ApplicationStatus.REFUSED, ApplicationStatus.WITHDRAWN]


def application_states(candidate_ids: list[int]) -> dict[int, list[tuple[ApplicationStatus, int]]]:
    """For each candidate, how many applications are in each state (one grouped statement)."""
    if not candidate_ids:
        return {}
    stmt = (sa.select(Application.candidate_id, Application.status, sa.func.count())
            .where(Application.candidate_id.in_(candidate_ids))
            .group_by(Application.candidate_id, Application.status))
    states: dict[int, list] = defaultdict(list)
    for candidate_id, status, count in db.session.execute(stmt):
        states[candidate_id].append((status, count))
    return {cid: sorted(pairs, key=lambda pair: STATUS_ORDER.index(pair[0])) for cid, pairs in states.items()}


@dataclass(frozen=True)
class ApplicationLine:
    id: int
    status: ApplicationStatus
    offer_title: str
    company: str
    created_at: datetime
    last_event_at: datetime


def candidate_applications(candidate_id: int) -> list[ApplicationLine]:
    stmt = (sa.select(Application.id, Application.status, Offer.title, Company.name, Application.created_at,
                      Application.last_event_at)
            .join(Offer, Offer.id == Application.offer_id)
            .join(Company, Company.id == Offer.company_id)
            .where(Application.candidate_id == candidate_id)
            .order_by(Application.last_event_at.desc(), Application.id.desc()))
    return [ApplicationLine(*row) for row in db.session.execute(stmt)]
