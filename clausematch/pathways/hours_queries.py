"""Read-only queries of the hours pages: the facilitator's queue (aggregated in SQL and
paginated), a lot-month's entries and totals, and the history of an entry or a lot-month.
Each is a fixed number of statements whatever the number of entries."""
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from clausematch.accounts.models import Organisation, User
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.pathways import hours_permissions as permissions
from clausematch.pathways.hours_totals import LotMonthHours
from clausematch.pathways.models import EmploymentContract, HoursEntry, HoursKind, HoursRevision, HoursStatus


@dataclass(frozen=True)
class PendingFilters:
    """Filters of the hours to validate (None: no filter): the company owing the hours, the lot, the month."""

    company_id: int | None = None
    lot_id: int | None = None
    month: date | None = None

    def as_args(self) -> dict:
        args = {"entreprise": self.company_id, "lot": self.lot_id,
                "mois": self.month and f"{self.month.year:04d}-{self.month.month:02d}"}
        return {key: str(value) for key, value in args.items() if value}


@dataclass(frozen=True)
class PendingLotMonth:
    """One line of the facilitator's queue: a lot-month with declared hours."""

    lot_id: int
    month: date
    lot_number: int
    lot_title: str
    reference: str
    company: str | None
    entries: int
    total: Decimal
    people: int


def _pending(user: User, filters: PendingFilters) -> list[sa.ColumnElement[bool]]:
    """Running totals (pathways/hours_totals.py) of declared hours in the user's territory,
    matching the filters: the queue reads these few rows per lot-month, not the millions of
    entries. The company owing the hours is the lot's titulaire (copied on each entry)."""
    conditions = [Contract.territory_id == territory_of(user), LotMonthHours.status == HoursStatus.DECLARED,
                  LotMonthHours.entries > 0]
    if filters.company_id is not None:
        conditions.append(Lot.company_id == filters.company_id)
    if filters.lot_id is not None:
        conditions.append(LotMonthHours.lot_id == filters.lot_id)
    if filters.month is not None:
        conditions.append(LotMonthHours.month == filters.month)
    return conditions


def pending_page(user: User, page: int, filters: PendingFilters = PendingFilters()) -> Page:
    """Declared hours of the user's territory grouped by lot and month, oldest month first, as
    PendingLotMonth lines; the number of people is counted from the entries of the page's
    lot-months only. Three queries."""
    month = LotMonthHours.month
    stmt = (sa.select(LotMonthHours.lot_id, month, Lot.number.label("lot_number"), Lot.title.label("lot_title"),
                      Contract.reference, Organisation.name.label("company"),
                      sa.func.sum(LotMonthHours.entries).label("entries"),
                      sa.func.sum(LotMonthHours.hours).label("total"))
            .join(Lot, Lot.id == LotMonthHours.lot_id).join(Contract, Contract.id == Lot.contract_id)
            .outerjoin(Organisation, Organisation.id == Lot.company_id)
            .where(*_pending(user, filters))
            .group_by(LotMonthHours.lot_id, month, Lot.number, Lot.title, Contract.reference, Organisation.name)
            .order_by(month, Contract.reference, Lot.number))
    result = paginate(stmt, page)
    people = _people_declared([(row.lot_id, row.month) for row in result.items])
    return replace(result, items=[
        PendingLotMonth(**row._asdict(), people=people.get((row.lot_id, row.month), 0)) for row in result.items])


def _people_declared(lot_months: list[tuple[int, date]]) -> dict[tuple[int, date], int]:
    """How many people have declared hours in each of these lot-months (one query)."""
    if not lot_months:
        return {}
    rows = db.session.execute(
        sa.select(HoursEntry.lot_id, HoursEntry.month, sa.func.count(sa.distinct(HoursEntry.candidate_id)))
        .where(HoursEntry.status == HoursStatus.DECLARED,
               sa.or_(*(sa.and_(HoursEntry.lot_id == lot_id, HoursEntry.month == month)
                        for lot_id, month in lot_months)))
        .group_by(HoursEntry.lot_id, HoursEntry.month))
    return {(lot_id, month): people for lot_id, month, people in rows}


def pending_totals(user: User, filters: PendingFilters = PendingFilters()) -> tuple[int, Decimal]:
    """(entries, hours) waiting for validation in the user's territory (matching the filters)."""
    count, total = db.session.execute(
        sa.select(sa.func.sum(LotMonthHours.entries), sa.func.sum(LotMonthHours.hours))
        .join(Lot, Lot.id == LotMonthHours.lot_id).join(Contract, Contract.id == Lot.contract_id)
        .where(*_pending(user, filters))).one()
    return int(count or 0), Decimal(total or 0)


@dataclass(frozen=True)
class PendingChoices:
    """What the filters offer: the companies, lots and months that have hours waiting."""

    companies: list[tuple[int, str]]
    lots: list[tuple[int, str]]
    months: list[date]


def pending_choices(user: User) -> PendingChoices:
    """Three grouped statements over the running totals of the territory's declared hours."""
    waiting = _pending(user, PendingFilters())
    base = (sa.select().select_from(LotMonthHours).join(Lot, Lot.id == LotMonthHours.lot_id)
            .join(Contract, Contract.id == Lot.contract_id).where(*waiting))
    companies = db.session.execute(
        base.add_columns(Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == Lot.company_id)
        .group_by(Organisation.id, Organisation.name).order_by(Organisation.name)).all()
    lots = db.session.execute(
        base.add_columns(Lot.id, Contract.reference, Lot.number, Lot.title)
        .group_by(Lot.id, Contract.reference, Lot.number, Lot.title).order_by(Contract.reference, Lot.number)).all()
    months = db.session.scalars(base.add_columns(LotMonthHours.month).group_by(LotMonthHours.month)
                                .order_by(LotMonthHours.month)).all()
    return PendingChoices(companies=[(row.id, row.name) for row in companies],
                          lots=[(row.id, f"{row.reference} — lot {row.number} : {row.title}") for row in lots],
                          months=list(months))


@dataclass(frozen=True)
class LotMonth:
    entries: list[HoursEntry]
    totals: dict[HoursStatus, Decimal]
    counts: dict[HoursStatus, int]

    @property
    def declared(self) -> int:
        return self.counts.get(HoursStatus.DECLARED, 0)


def lot_month(lot: Lot, month: date, user: User) -> LotMonth:
    """Every entry of the lot-month with its person and contract (a company sees its own
    contracts only), and totals by status computed in SQL; two queries."""
    scope = [HoursEntry.lot_id == lot.id, HoursEntry.month == month]
    if not permissions.can_validate_on_lot(user, lot):
        scope.append(HoursEntry.contract_id.in_(
            sa.select(EmploymentContract.id).where(permissions.declarable_contracts(user))))
    entries = list(db.session.scalars(
        sa.select(HoursEntry).join(Candidate, Candidate.id == HoursEntry.candidate_id)
        .options(joinedload(HoursEntry.contract).joinedload(EmploymentContract.candidate))
        .where(*scope).order_by(Candidate.last_name, Candidate.first_name, HoursEntry.contract_id, HoursEntry.kind)))
    rows = db.session.execute(sa.select(HoursEntry.status, sa.func.count(HoursEntry.id), sa.func.sum(HoursEntry.hours))
                              .where(*scope).group_by(HoursEntry.status))
    counts, totals = {}, {}
    for status, count, total in rows:
        counts[status], totals[status] = count, Decimal(total or 0)
    return LotMonth(entries, totals, counts)


@dataclass(frozen=True)
class HistoryLine:
    revision: HoursRevision
    actor: str | None
    person: str
    kind: HoursKind
    month: date
    entry_id: int


def _history(*conditions) -> sa.Select:
    actor = aliased(User)
    return (sa.select(HoursRevision, actor.full_name, Candidate.first_name, Candidate.last_name, HoursEntry.kind,
                      HoursEntry.month, HoursEntry.id)
            .join(HoursEntry, HoursEntry.id == HoursRevision.entry_id)
            .join(Candidate, Candidate.id == HoursEntry.candidate_id)
            .outerjoin(actor, actor.id == HoursRevision.actor_id)
            .where(*conditions)
            .order_by(HoursRevision.occurred_at.desc(), HoursRevision.id.desc()))


def _lines(rows) -> list[HistoryLine]:
    return [HistoryLine(revision, actor, f"{first} {last}", kind, month, entry_id)
            for revision, actor, first, last, kind, month, entry_id in rows]


def entry_history(entry: HoursEntry) -> list[HistoryLine]:
    """Every revision of one entry, the latest first; one query."""
    return _lines(db.session.execute(_history(HoursRevision.entry_id == entry.id)))


def lot_month_history(lot: Lot, month: date, user: User, page: int) -> Page:
    """The revisions of a lot-month's entries, latest first, paginated (a company sees those of
    its own contracts only)."""
    conditions = [HoursEntry.lot_id == lot.id, HoursEntry.month == month]
    if not permissions.can_validate_on_lot(user, lot):
        conditions.append(HoursEntry.contract_id.in_(
            sa.select(EmploymentContract.id).where(permissions.declarable_contracts(user))))
    result = paginate(_history(*conditions), page)
    return Page(items=_lines(result.items), page=result.page, per_page=result.per_page, total=result.total)


def latest_comments(entry_ids: list[int]) -> dict[int, str]:
    """The comment of each entry's latest revision (a rejection's reason), one query."""
    if not entry_ids:
        return {}
    latest = (sa.select(HoursRevision.entry_id, sa.func.max(HoursRevision.id).label("last_id"))
              .where(HoursRevision.entry_id.in_(entry_ids)).group_by(HoursRevision.entry_id).subquery())
    rows = db.session.execute(sa.select(HoursRevision.entry_id, HoursRevision.comment)
                              .join(latest, latest.c.last_id == HoursRevision.id))
    return dict(rows.all())
