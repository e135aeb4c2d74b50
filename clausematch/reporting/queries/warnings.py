"""Early warning: running lots whose credited hours (pathways/counting.py) lag behind the pace needed to reach their
objective by the lot's end — the realised share of the objective is below the elapsed share of
the lot's duration minus a tolerance (40 % of the hours at 80 % of the time, with a 20-point
tolerance, is flagged). The gap is the hours missing against a steady pace: objective × elapsed
share − realised. Computed in SQL, so the list can be paged and ordered by gap.

A lot covered by a pool the territory applies (contracts/pools.py) is judged on its pool: its
judged hours are its objective × the pool's realisation rate (pathways/counting.py
`judged_hours`), so a lot behind in a pool that is on pace is not flagged."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Organisation, Territory
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.database import as_date, today
from clausematch.extensions import db
from clausematch.pagination import Page
from clausematch.pathways.counting import judged_hours, pool_figures
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.paging import line_count, window_page
from clausematch.reporting.queries.scoping import credited_on_lots, lot_conditions, scoped_lot_ids
from clausematch.reporting.queries.sql import day_number, decimal, ratio

DEFAULT_TOLERANCE = Decimal("0.20")
HOME_LIMIT = 5


@dataclass(frozen=True)
class LaggingLot:
    lot_id: int
    contract_id: int
    reference: str
    number: int
    title: str
    company: str | None
    start_date: date
    end_date: date
    objective: Decimal
    realised: Decimal
    elapsed: Decimal  # share of the lot's duration gone by
    gap: Decimal  # hours behind a steady pace
    pool_share: Decimal | None = None  # the pool's realisation rate when a pool covers the lot

    @property
    def realised_share(self) -> Decimal | None:
        return self.pool_share if self.pool_share is not None else ratio(self.realised, self.objective)

    @property
    def expected(self) -> Decimal:
        return self.objective * self.elapsed


@dataclass(frozen=True)
class Warnings:
    lots: list[LaggingLot]
    total: int
    tolerance: Decimal
    on: date
    page: Page | None = None


def lagging_lots(scope: Scope, territory: Territory, *, tolerance: Decimal = DEFAULT_TOLERANCE,
                 page: int | None = None, limit: int | None = None, on: date | None = None) -> Warnings:
    """Lagging lots, largest gap first: one page, the first `limit`, or all of them; the total
    counted in the same statement."""
    on = on or today()
    stmt = _statement(scope, territory, tolerance, on)
    if page is not None:
        rows, result = window_page(stmt, page)
    else:
        rows, result = db.session.execute(stmt.limit(limit) if limit else stmt).all(), None
    total = rows[0][-1] if rows else 0
    return Warnings([_lagging(row[:-1]) for row in rows], total, tolerance, on, result)


def _statement(scope: Scope, territory: Territory, tolerance: Decimal, on: date) -> sa.Select:
    credited = credited_on_lots(scope, territory)
    realised = (sa.select(credited.c.lot_id.label("lot_id"), sa.func.sum(credited.c.hours).label("hours"))
                .group_by(credited.c.lot_id).subquery("realised"))
    end = sa.func.coalesce(Lot.end_date, Contract.end_date)
    elapsed = (sa.literal(_days(on)) - day_number(Lot.start_date)) / (day_number(end) - day_number(Lot.start_date))
    hours = sa.func.coalesce(realised.c.hours, 0)
    objective = sa.cast(Clause.hours_objective, sa.Float)
    pooled = pool_figures(territory, lots=scoped_lot_ids(scope), name="warning_pools")
    judged = judged_hours(hours, Clause.hours_objective, pooled)
    gap = objective * elapsed - judged
    pool_share = (sa.cast(pooled.c.pool_realised, sa.Float)
                  / sa.func.nullif(sa.cast(pooled.c.pool_objective, sa.Float), 0) if pooled is not None else sa.null())
    company = aliased(Organisation)
    stmt = (sa.select(Lot.id, Contract.id, Contract.reference, Lot.number, Lot.title, company.name, Lot.start_date,
                      end.label("end_date"), Clause.hours_objective, hours, elapsed.label("elapsed"), gap.label("gap"),
                      pool_share.label("pool_share"), line_count())
            .join(Contract, Contract.id == Lot.contract_id).join(Clause, Clause.lot_id == Lot.id)
            .outerjoin(realised, realised.c.lot_id == Lot.id)
            .outerjoin(company, company.id == Lot.company_id))
    if pooled is not None:
        stmt = stmt.outerjoin(pooled, pooled.c.lot_id == Lot.id)
    return (stmt.where(*lot_conditions(scope), Clause.hours_objective > 0, Lot.start_date < on, end > on,
                       judged < objective * (elapsed - float(tolerance)))
            .order_by(gap.desc(), Lot.id))


def _days(day: date) -> float:
    """The Python twin of day_number(): days since 1 January 2000."""
    return float((day - date(2000, 1, 1)).days)


def _lagging(row) -> LaggingLot:
    lot_id, contract_id, reference, number, title, company, start, end, objective, realised, elapsed, gap, pool = row
    return LaggingLot(lot_id, contract_id, reference, number, title, company, as_date(start), as_date(end),
                      decimal(objective), decimal(realised), Decimal(str(round(elapsed, 4))), decimal(gap),
                      Decimal(str(round(pool, 4))) if pool is not None else None)

