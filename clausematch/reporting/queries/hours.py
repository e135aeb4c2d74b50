"""Insertion hours realised against objectives, grouped by lot, contract, buyer, company, year
or mode. Realised hours are the credited hours of pathways/counting.py: validated hours
(training hours only where the territory's setting says so), CDI lumps, converted SIAE invoices.
Objectives belong to lots (their clause), so the year and mode groupings show each group's
share of the hours rather than a rate. Over 100 % is a result, never capped.

Grouped by lot, a lot covered by a pool the territory applies (contracts/pools.py) also carries
its pool's rate — realised and objective summed over all the pool's lots, within the same
period, mode and people — and the lots it is pooled with; totals still sum the lots' own hours."""
from dataclasses import dataclass, replace
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Organisation, Territory
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.contracts.pools import pools_of
from clausematch.extensions import db
from clausematch.formats import format_percent
from clausematch.pagination import Page
from clausematch.pathways.counting import pool_figures
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.paging import line_count, window_page
from clausematch.reporting.queries.scoping import (
    credited,
    employment_ids,
    lot_conditions,
    lot_runs_in_period,
    scoped_lot_ids,
)
from clausematch.reporting.queries.sql import decimal, ratio
from clausematch.vocabulary import HOURS_PER_FTE, Mode

GROUPS = {"lot": "Lot", "marche": "Marché", "acheteur": "Acheteur", "entreprise": "Entreprise titulaire",
          "annee": "Année", "mode": "Mode de réalisation"}
LOT_GROUPS = ("lot", "marche", "acheteur", "entreprise")  # groups of lots: they have an objective


@dataclass(frozen=True)
class HoursLine:
    key: object
    label: str
    detail: str
    objective: Decimal | None
    realised: Decimal
    pool_rate: Decimal | None = None  # the pool's realisation rate, when a pool covers the lot
    pooled_with: str = ""  # the other lots of its pool ("A1 lot 2, B3 lot 1")

    @property
    def rate(self) -> Decimal | None:
        return ratio(self.realised, self.objective)

    @property
    def pooled(self) -> bool:
        return bool(self.pooled_with)

    @property
    def pool_text(self) -> str:
        """"mutualisé avec les lots … : X % sur l'ensemble" (empty for a lot judged alone)."""
        if not self.pooled:
            return ""
        rate = format_percent(self.pool_rate) if self.pool_rate is not None else "—"
        return f"mutualisé avec les lots {self.pooled_with} : {rate} sur l'ensemble"

    @property
    def fte(self) -> Decimal:
        return self.realised / HOURS_PER_FTE


@dataclass(frozen=True)
class HoursReport:
    group: str
    lines: list[HoursLine]
    total: HoursLine
    page: Page | None = None  # set when the lines are one page of many
    pooling: bool = False  # grouped by lot in a territory that applies pooling

    def share(self, line: HoursLine) -> Decimal | None:
        return ratio(line.realised, self.total.realised)


def hours_report(scope: Scope, territory: Territory, group: str = "lot", page: int | None = None) -> HoursReport:
    """Lines of one group (one page of them when `page` is given, else all) and the total: one
    statement for the groups of lots (totals as window aggregates), two for years and modes."""
    group = group if group in GROUPS else "lot"
    pooling = group == "lot" and territory.globalise_across_lots
    if group in LOT_GROUPS:
        pooled = _pooled(scope, territory) if pooling else None
        rows, result = window_page(_lot_groups(_per_lot(scope, territory), group, pooled), page)
        objective, realised = (rows[0][-3], rows[0][-2]) if rows else (None, 0)  # no line, no lot
        lines = [_line(group, row[:-3]) for row in rows]
        if pooling:
            lines = _with_pools(lines)
    else:
        rows, result = window_page(_hour_groups(scope, territory, group), page)
        lines = [_line(group, row[:-2]) for row in rows]
        realised = rows[0][-2] if rows else 0
        objective = db.session.scalar(_objective_of_lots(scope, territory))
    total = HoursLine(None, "Total", "", decimal(objective) if objective is not None else None, decimal(realised))
    return HoursReport(group, lines, total, result, pooling)


def _pooled(scope: Scope, territory: Territory) -> sa.Subquery | None:
    """The pools of the scoped lots, their figures within the scope's period, mode and people."""
    start, end = scope.period
    return pool_figures(territory, lots=scoped_lot_ids(scope), start=start, end=end, mode=scope.mode,
                        contracts=employment_ids(scope, "pool_employment"), name="report_pools")


def _with_pools(lines: list[HoursLine]) -> list[HoursLine]:
    """The lines of pooled lots named with the other lots of their pool (one query, only when
    the page has pooled lots)."""
    pooled = [line.key for line in lines if line.pool_rate is not None]
    if not pooled:
        return lines
    partners = {}
    for summary in pools_of(lot_ids=pooled):
        for lot_id, _ in summary.lots:
            partners[lot_id] = summary.label(without=lot_id)
    return [replace(line, pooled_with=partners.get(line.key, "")) if line.pool_rate is not None else line
            for line in lines]


def _realised_by_lot(scope: Scope, territory: Territory) -> sa.Subquery:
    """Credited hours per lot within the period, mode and people in scope."""
    source = credited(scope, territory)
    return (sa.select(source.c.lot_id.label("lot_id"), sa.func.sum(source.c.hours).label("realised"))
            .group_by(source.c.lot_id).subquery("realised_by_lot"))


def _per_lot(scope: Scope, territory: Territory) -> sa.Subquery:
    """One row per lot in scope: its objective (clause) and realised hours. A lot is in when it
    has hours in scope, or a clause and dates overlapping the period (unless the scope picks
    people — programme, offer, mode — where only lots with their hours make sense)."""
    realised = _realised_by_lot(scope, territory)
    has_hours = realised.c.realised.is_not(None)
    shows = has_hours if scope.narrows_people else sa.or_(
        has_hours, sa.and_(Clause.id.is_not(None), *lot_runs_in_period(scope)))
    return (sa.select(Lot.id.label("lot_id"), Lot.number, Lot.title, Lot.contract_id, Lot.company_id,
                      Contract.reference, Contract.object, Contract.buyer_id,
                      Clause.hours_objective.label("objective"),
                      sa.func.coalesce(realised.c.realised, 0).label("realised"))
            .join(Contract, Contract.id == Lot.contract_id)
            .outerjoin(Clause, Clause.lot_id == Lot.id)
            .outerjoin(realised, realised.c.lot_id == Lot.id)
            .where(*lot_conditions(scope), shows).subquery("per_lot"))


def _lot_groups(per_lot: sa.Subquery, group: str, pooled: sa.Subquery | None = None) -> sa.Select:
    """Lines per lot, contract, buyer or company, then the total objective and realised hours
    and the number of lines, as window aggregates over every line. Per lot, with `pooled`
    (pool_figures), each line also carries its pool's realised hours and objective."""
    objective, realised = sa.func.sum(per_lot.c.objective), sa.func.sum(per_lot.c.realised)
    if group == "lot":
        company = aliased(Organisation)
        pool_columns = ((pooled.c.pool_objective, pooled.c.pool_realised) if pooled is not None
                        else (sa.null(), sa.null()))
        stmt = (sa.select(per_lot.c.lot_id, per_lot.c.reference, per_lot.c.number, per_lot.c.title,
                          company.name, per_lot.c.objective, per_lot.c.realised, *pool_columns,
                          objective.over(), realised.over(), line_count())
                .outerjoin(company, company.id == per_lot.c.company_id)
                .order_by(per_lot.c.reference, per_lot.c.number, per_lot.c.lot_id))
        return stmt.outerjoin(pooled, pooled.c.lot_id == per_lot.c.lot_id) if pooled is not None else stmt
    totals = (sa.func.sum(objective).over(), sa.func.sum(realised).over(), line_count())
    if group == "marche":
        return (sa.select(per_lot.c.contract_id, per_lot.c.reference, per_lot.c.object, objective, realised, *totals)
                .group_by(per_lot.c.contract_id, per_lot.c.reference, per_lot.c.object)
                .order_by(per_lot.c.reference, per_lot.c.contract_id))
    column = per_lot.c.buyer_id if group == "acheteur" else per_lot.c.company_id
    organisation = aliased(Organisation)
    return (sa.select(column, organisation.name, objective, realised, *totals)
            .outerjoin(organisation, organisation.id == column)
            .group_by(column, organisation.name).order_by(organisation.name, column))


def _hour_groups(scope: Scope, territory: Territory, group: str) -> sa.Select:
    """Year or mode: the credited hours themselves grouped, on the scoped lots."""
    source = credited(scope, territory)
    key = sa.extract("year", source.c.month) if group == "annee" else source.c.mode
    realised = sa.func.sum(source.c.hours)
    return (sa.select(key.label("key"), realised, sa.func.sum(realised).over(), line_count())
            .group_by(key).order_by(key))


def _objective_of_lots(scope: Scope, territory: Territory) -> sa.Select:
    """The objective of the lots _per_lot lists, without summing their hours: their lots with
    credited hours come from one uncorrelated pass over those hours."""
    source = credited(scope, territory)
    has_hours = Lot.id.in_(sa.select(source.c.lot_id))
    shows = has_hours if scope.narrows_people else sa.or_(sa.and_(sa.true(), *lot_runs_in_period(scope)), has_hours)
    return (sa.select(sa.func.sum(Clause.hours_objective)).join(Lot, Lot.id == Clause.lot_id)
            .join(Contract, Contract.id == Lot.contract_id).where(*lot_conditions(scope), shows))


def _line(group: str, row) -> HoursLine:
    if group == "lot":
        lot_id, reference, number, title, company, objective, realised, pool_objective, pool_realised = row
        pool_rate = ratio(decimal(pool_realised), decimal(pool_objective)) if pool_objective is not None else None
        return HoursLine(lot_id, f"{reference} – lot {number}", f"{title} ({company or 'non attribué'})",
                         _objective(objective), decimal(realised), pool_rate, "")
    if group == "marche":
        contract_id, reference, object_, objective, realised = row
        return HoursLine(contract_id, reference, object_, _objective(objective), decimal(realised))
    if group in ("acheteur", "entreprise"):
        key, name, objective, realised = row
        return HoursLine(key, name or "Non attribué", "", _objective(objective), decimal(realised))
    key, realised = row
    if group == "annee":
        return HoursLine(int(key), str(int(key)), "", None, decimal(realised))
    mode = Mode(key)
    return HoursLine(mode.value, mode.label, "", None, decimal(realised))


def _objective(value) -> Decimal | None:
    return decimal(value) if value is not None else None
