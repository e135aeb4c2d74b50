"""Which hours count towards a clause's objective, and how far they go (docs/domain.md, "Heures
qui comptent"): one rule for the contract pages, the home pages, the alerts and the reports.

`credited_hours` is the one SQL building block every place that counts a lot's hours reads:
rows (lot_id, month, mode, hours), a UNION ALL of
  1. the validated hours that count (training hours only when the territory counts them), from
     the running totals per lot and month (pathways/hours_totals.py), or from the entries when
     the scope picks employment contracts (a programme, an offer);
  2. minus the counted hours worked under a CDI on a lot whose clause credits a CDI lump: the
     lump *replaces* them (they stay visible on the person's pathway, never counted twice);
  3. the CDI lump, once per person and lot (a CDD converted into a CDI, or a chain of CDIs,
     credits it once), in the month the first CDI starts, with that contract's mode;
  4. the validated SIAE subcontracting / co-contracting invoices, converted into hours at the
     hourly cost frozen on the invoice (mode subcontracting_siae; not a person's hours, so left
     out when the scope picks people).
Readers group and filter these rows in SQL (period, mode, lot, contract, buyer, company): totals
never double count, and a territory without lump or invoice gets exactly its validated hours.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from clausematch.accounts.models import Territory
from clausematch.contracts.models import Clause, HoursPoolLot
from clausematch.pathways.hours_totals import LotMonthHours
from clausematch.pathways.models import (
    EmploymentContract,
    HoursEntry,
    HoursKind,
    HoursStatus,
    SubcontractingInvoice,
)
from clausematch.vocabulary import ContractType, Mode

HOURS_TYPE = sa.Numeric(14, 2)


def counted_hours(territory: Territory, source=HoursEntry) -> list[sa.ColumnElement[bool]]:
    """Conditions on HoursEntry — or on its running totals, `source=LotMonthHours`
    (pathways/hours_totals.py), which have the same status and kind — for worked hours that
    count: validated, and training hours only when the territory's convention counts them (a
    setting, never a constant)."""
    conditions = [source.status == HoursStatus.VALIDATED]
    if not territory.count_training_hours:
        conditions.append(source.kind == HoursKind.WORK)
    return conditions


def effective_lump(territory: Territory) -> sa.ColumnElement:
    """SQL: the CDI lump of the clause in the statement — its own value, else the territory's
    (0 or NULL: no lump)."""
    if territory.cdi_lump_hours is None:
        return Clause.cdi_lump_hours
    return sa.func.coalesce(Clause.cdi_lump_hours, territory.cdi_lump_hours)


def first_cdi_on_lot() -> sa.ColumnElement[bool]:
    """SQL, on EmploymentContract: this CDI is the person's first on its lot (a CDD converted into
    a CDI, or a chain of CDIs, credits the lump once)."""
    earlier = aliased(EmploymentContract)
    return ~sa.exists().where(
        earlier.candidate_id == EmploymentContract.candidate_id, earlier.lot_id == EmploymentContract.lot_id,
        earlier.contract_type == ContractType.CDI,
        sa.or_(earlier.start_date < EmploymentContract.start_date,
               sa.and_(earlier.start_date == EmploymentContract.start_date, earlier.id < EmploymentContract.id)))


class month_start(FunctionElement):
    """The first day of the month of a DATE expression, on both databases."""

    type = sa.Date()
    inherit_cache = True
    name = "month_start"


@compiles(month_start)
def _month_start_postgresql(element, compiler, **kw):
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(month_start, "sqlite")
def _month_start_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


def credited_hours(territory: Territory, *, lots: sa.Select | None = None, start: date | None = None,
                   end: date | None = None, mode: Mode | None = None, contracts: sa.Select | None = None,
                   name: str = "credited") -> sa.Subquery:
    """The credited hours (see the module docstring) as a subquery (lot_id, month, mode, hours),
    restricted inside each part to the lots in `lots` (a select of lot ids), the months from
    `start`'s month to `end`, one mode, and the employment contracts in `contracts` (a select of
    their ids; invoices are then left out)."""
    def restrict(lot_id, month, mode_column, contract_id=None) -> list:
        conditions = []
        if lots is not None:
            conditions.append(lot_id.in_(lots))
        if start is not None:
            conditions.append(month >= start.replace(day=1))
        if end is not None:
            conditions.append(month <= end)
        if mode is not None and mode_column is not None:
            conditions.append(mode_column == mode)
        if contracts is not None and contract_id is not None:
            conditions.append(contract_id.in_(contracts))
        return conditions

    def hours(value) -> sa.ColumnElement:
        return sa.cast(value, HOURS_TYPE)

    if contracts is None:
        worked = (sa.select(LotMonthHours.lot_id.label("lot_id"), LotMonthHours.month.label("month"),
                            LotMonthHours.mode.label("mode"), hours(LotMonthHours.hours).label("hours"))
                  .where(LotMonthHours.entries > 0, *counted_hours(territory, LotMonthHours),
                         *restrict(LotMonthHours.lot_id, LotMonthHours.month, LotMonthHours.mode)))
    else:
        worked = (sa.select(HoursEntry.lot_id.label("lot_id"), HoursEntry.month.label("month"),
                            HoursEntry.mode.label("mode"), hours(HoursEntry.hours).label("hours"))
                  .where(*counted_hours(territory),
                         *restrict(HoursEntry.lot_id, HoursEntry.month, HoursEntry.mode, HoursEntry.contract_id)))
    lump = effective_lump(territory)
    replaced = (sa.select(HoursEntry.lot_id, HoursEntry.month, HoursEntry.mode, hours(-HoursEntry.hours))
                .join(EmploymentContract, EmploymentContract.id == HoursEntry.contract_id)
                .join(Clause, Clause.lot_id == HoursEntry.lot_id)
                .where(EmploymentContract.contract_type == ContractType.CDI, lump > 0, *counted_hours(territory),
                       *restrict(HoursEntry.lot_id, HoursEntry.month, HoursEntry.mode, HoursEntry.contract_id)))
    first_cdi = first_cdi_on_lot()
    cdi_month = month_start(EmploymentContract.start_date)
    lumps = (sa.select(EmploymentContract.lot_id, cdi_month, EmploymentContract.mode, hours(lump))
             .join(Clause, Clause.lot_id == EmploymentContract.lot_id)
             .where(EmploymentContract.contract_type == ContractType.CDI, lump > 0, first_cdi,
                    *restrict(EmploymentContract.lot_id, cdi_month, EmploymentContract.mode, EmploymentContract.id)))
    parts = [worked, replaced, lumps]
    if contracts is None:
        invoice_mode = sa.cast(sa.literal(Mode.SUBCONTRACTING_SIAE.value), LotMonthHours.mode.type)
        if mode in (None, Mode.SUBCONTRACTING_SIAE):
            parts.append(sa.select(SubcontractingInvoice.lot_id, SubcontractingInvoice.month, invoice_mode,
                                   hours(SubcontractingInvoice.converted_hours))
                         .where(SubcontractingInvoice.status == HoursStatus.VALIDATED,
                                *restrict(SubcontractingInvoice.lot_id, SubcontractingInvoice.month, None)))
    return sa.union_all(*parts).subquery(name)


def pool_figures(territory: Territory, *, lots: sa.Select, start: date | None = None, end: date | None = None,
                 mode: Mode | None = None, contracts: sa.Select | None = None,
                 name: str = "pooled") -> sa.Subquery | None:
    """Pooling (globalisation, contracts/pools.py): for each lot of `lots` covered by a pool, a
    row (lot_id, pool_id, pool_objective, pool_realised) — the objectives of ALL the pool's lots
    (even outside `lots`: another contract, another buyer) and their credited hours within the
    same months, mode and contracts, summed. None when the territory does not apply pooling
    (its setting `globalise_across_lots` off: the pools stay recorded, every lot stands alone).
    Readers join it on lot_id to judge a pooled lot on its pool; totals keep summing the lots'
    own hours, so nothing is counted twice."""
    if not territory.globalise_across_lots:
        return None
    pools = sa.select(HoursPoolLot.pool_id).where(HoursPoolLot.lot_id.in_(lots))
    pool_lots = sa.select(HoursPoolLot.lot_id).where(HoursPoolLot.pool_id.in_(pools))
    credited = credited_hours(territory, lots=pool_lots, start=start, end=end, mode=mode, contracts=contracts,
                              name=f"{name}_credited")
    per_lot = (sa.select(credited.c.lot_id.label("lot_id"), sa.func.sum(credited.c.hours).label("hours"))
               .group_by(credited.c.lot_id).subquery(f"{name}_per_lot"))
    per_pool = (sa.select(HoursPoolLot.pool_id.label("pool_id"),
                          sa.func.coalesce(sa.func.sum(Clause.hours_objective), 0).label("objective"),
                          sa.func.coalesce(sa.func.sum(per_lot.c.hours), 0).label("realised"))
                .outerjoin(Clause, Clause.lot_id == HoursPoolLot.lot_id)
                .outerjoin(per_lot, per_lot.c.lot_id == HoursPoolLot.lot_id)
                .where(HoursPoolLot.pool_id.in_(pools)).group_by(HoursPoolLot.pool_id).subquery(f"{name}_per_pool"))
    member = aliased(HoursPoolLot)
    return (sa.select(member.lot_id.label("lot_id"), per_pool.c.pool_id, per_pool.c.objective.label("pool_objective"),
                      per_pool.c.realised.label("pool_realised"))
            .join(per_pool, per_pool.c.pool_id == member.pool_id).where(member.lot_id.in_(lots)).subquery(name))


def judged_hours(realised: sa.ColumnElement, objective: sa.ColumnElement,
                 pooled: sa.Subquery | None) -> sa.ColumnElement:
    """SQL (float): the hours a lot is judged on — its own credited hours, or, when a pool
    covers it (`pooled`, outer-joined on the lot), its objective × the pool's realisation rate:
    the pool's rate applied to the lot, so the judged hours of a pool's lots add up to the pool's
    realised hours (never counted twice)."""
    own = sa.cast(realised, sa.Float)
    if pooled is None:
        return own
    rate = sa.cast(pooled.c.pool_realised, sa.Float) / sa.cast(pooled.c.pool_objective, sa.Float)
    return sa.case((pooled.c.pool_objective > 0, sa.cast(objective, sa.Float) * rate), else_=own)


def converted_hours(amount_ht: Decimal, hourly_cost: Decimal) -> Decimal:
    """Invoiced amount ÷ hourly cost, to the hundredth of an hour (12 000 € at 30 €/h → 400 h)."""
    return (Decimal(amount_ht) / Decimal(hourly_cost)).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def realisation_rate(realised: Decimal | None, objective: Decimal | None) -> Decimal | None:
    """Realised ÷ objective as a share (1.14 for 114 %), never capped (over-achievement is
    normal); None without objective."""
    if not objective:
        return None
    return Decimal(realised or 0) / Decimal(objective)
