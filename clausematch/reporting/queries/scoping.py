"""A Scope turned into SQL conditions, shared by every report.

Lots are scoped by their contract's territory and buyer, the contract, the lot and its titulaire.
People are scoped through the hires: a programme or an offer selects the employment contracts
born of its applications, followed through extensions and conversions (a CDD turned CDI counts
for the offer that brought the person in).
"""
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Territory
from clausematch.applications.models import Application
from clausematch.contracts.models import Contract, Lot
from clausematch.offers.models import Offer
from clausematch.pathways.counting import counted_hours, credited_hours
from clausematch.pathways.hours_totals import LotMonthHours
from clausematch.pathways.models import EmploymentContract, HoursEntry
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.sql import month_floor, unordered

FAR_FUTURE = date(9999, 12, 31)


def lot_conditions(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Conditions on Lot and Contract (the statement joins both)."""
    conditions = [Contract.territory_id == scope.territory_id]
    if scope.buyer_id:
        conditions.append(Contract.buyer_id == scope.buyer_id)
    if scope.contract_id:
        conditions.append(Lot.contract_id == scope.contract_id)
    if scope.lot_id:
        conditions.append(Lot.id == scope.lot_id)
    if scope.company_id:
        conditions.append(Lot.company_id == scope.company_id)
    return conditions


def lot_runs_in_period(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """The lot's dates overlap the period (a lot without end date runs on)."""
    start, end = scope.period
    conditions = []
    if end:
        conditions.append(Lot.start_date <= end)
    if start:
        conditions.append(sa.func.coalesce(Lot.end_date, Contract.end_date, FAR_FUTURE) >= start)
    return conditions


def in_period(column, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """A DATE column within the period."""
    start, end = scope.period
    return ([column >= start] if start else []) + ([column <= end] if end else [])


def timestamp_in_period(column, scope: Scope) -> list[sa.ColumnElement[bool]]:
    """A TIMESTAMP column within the period (whole days)."""
    start, end = scope.period
    conditions = []
    if start:
        conditions.append(column >= datetime.combine(start, time.min))
    if end:
        conditions.append(column < datetime.combine(end + timedelta(days=1), time.min))
    return conditions


def scoped_applications(scope: Scope, *, with_period: bool = True) -> sa.Select:
    """Applications (id, candidate_id) to offers in scope; the period is the orientation date."""
    stmt = (sa.select(Application.id.label("id"), Application.candidate_id.label("candidate_id"))
            .join(Offer, Offer.id == Application.offer_id)
            .join(Lot, Lot.id == Offer.lot_id).join(Contract, Contract.id == Lot.contract_id)
            .where(Offer.territory_id == scope.territory_id, *lot_conditions(scope)))
    if scope.programme_id:
        stmt = stmt.where(Offer.programme_id == scope.programme_id)
    if scope.offer_id:
        stmt = stmt.where(Application.offer_id == scope.offer_id)
    if with_period:
        stmt = stmt.where(*timestamp_in_period(Application.created_at, scope))
    return stmt


def employment_chain(application_ids: sa.Select, name: str = "employment_chain") -> sa.CTE:
    """Recursive CTE (id, candidate_id, contract_type): the contracts hired through these
    applications, then every extension or conversion that follows them. It starts from the
    applications' contracts (unique index on application_id) and walks down to their successors
    (unique index on previous_contract_id): the work follows the contracts in scope, not the
    whole table (a territory's funnel at 416 667 contracts: 470 ms walking up from every
    contract, docs/explain/rapport-entonnoir.txt)."""
    chain = (sa.select(EmploymentContract.id.label("id"), EmploymentContract.candidate_id.label("candidate_id"),
                       EmploymentContract.contract_type.label("contract_type"))
             .where(EmploymentContract.application_id.in_(application_ids))
             .cte(name, recursive=True))
    successor = aliased(EmploymentContract)
    return chain.union_all(sa.select(successor.id, successor.candidate_id, successor.contract_type)
                           .join(chain, successor.previous_contract_id == chain.c.id))


def employment_ids(scope: Scope, name: str) -> sa.Select | None:
    """Ids of the employment contracts a programme or offer filter selects; None without such
    a filter (every contract on the scoped lots then counts). `name` names the CTE: one
    statement may hold several."""
    if not (scope.programme_id or scope.offer_id):
        return None
    applications = scoped_applications(scope, with_period=False).with_only_columns(Application.id)
    chain = employment_chain(applications, name)
    return sa.select(chain.c.id)


def scoped_lot_ids(scope: Scope) -> sa.Select:
    """Ids of the lots in scope."""
    return sa.select(Lot.id).join(Contract, Contract.id == Lot.contract_id).where(*lot_conditions(scope))


def credited(scope: Scope, territory: Territory, name: str = "credited") -> sa.Subquery:
    """The credited hours (pathways/counting.py: worked hours that count, CDI lumps, converted
    SIAE invoices) of the lots, period, mode and people in scope: rows (lot_id, month, mode,
    hours) every report groups. The worked hours come from the running totals per lot and month
    unless the scope picks employment contracts (a programme, an offer), which only the entries
    carry."""
    start, end = scope.period
    return credited_hours(territory, lots=scoped_lot_ids(scope), start=start, end=end, mode=scope.mode,
                          contracts=employment_ids(scope, f"{name}_employment"), name=name)


def credited_on_lots(scope: Scope, territory: Territory, name: str = "credited") -> sa.Subquery:
    """The credited hours of the lots in scope, whatever the period, mode or people (the alerts
    judge a lot on all its hours)."""
    return credited_hours(territory, lots=scoped_lot_ids(scope), name=name)


def hours_on_scoped_lots(scope: Scope, source=HoursEntry) -> sa.ColumnElement[bool]:
    """Hours (entries, or their totals) on a lot in scope, without joining: a few lots (a
    contract, a lot) are read through the lot index, a whole territory or buyer by one scan."""
    lots = (sa.select(Lot.id).join(Contract, Contract.id == Lot.contract_id).where(*lot_conditions(scope)))
    column = source.lot_id if (scope.lot_id or scope.contract_id) else unordered(source.lot_id)
    return column.in_(lots)


def hour_conditions(scope: Scope, territory: Territory, source=HoursEntry, name: str = "hours_employment") -> list:
    """Conditions on HoursEntry, or on LotMonthHours: worked hours that count, on the scoped
    lots, in the period, mode and people in scope — a person's own hours (publics); the lots'
    figures read `credited`, which adds the CDI lumps and the SIAE invoices. `name` names the
    CTE of a programme or offer filter (one statement may hold several)."""
    conditions = [*counted_hours(territory, source), hours_on_scoped_lots(scope, source)]
    if source is LotMonthHours:
        conditions.append(LotMonthHours.entries > 0)
    if scope.mode:
        conditions.append(source.mode == scope.mode)
    start, end = scope.period
    if start:
        conditions.append(source.month >= month_floor(start))
    if end:
        conditions.append(source.month <= end)
    contracts = employment_ids(scope, name)
    if contracts is not None:
        if source is not HoursEntry:
            raise ValueError("a programme or an offer picks entries: read them from HoursEntry")
        conditions.append(HoursEntry.contract_id.in_(contracts))
    return conditions
