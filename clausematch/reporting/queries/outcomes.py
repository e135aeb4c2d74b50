"""Outcomes: how the clause contracts in scope ended (exits by category and detail, dated in
the period), and where people were at the six-month follow-up. Two SQL statements."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.reporting.filters import Scope
from clausematch.reporting.masking import people_count
from clausematch.reporting.queries.scoping import employment_ids, in_period, lot_conditions
from clausematch.reporting.queries.sql import count_if, ratio
from clausematch.vocabulary import EXIT_CATEGORY, ExitCategory, ExitDetail

DURABLE_DETAILS = [detail for detail, category in EXIT_CATEGORY.items() if category is ExitCategory.DURABLE]


@dataclass(frozen=True)
class OutcomeLine:
    category: ExitCategory
    detail: ExitDetail | None  # None on a category's subtotal line
    exits: int = people_count()
    total: int = people_count()

    @property
    def label(self) -> str:
        return self.detail.label if self.detail else self.category.label

    @property
    def share(self):
        return ratio(self.exits, self.total)


@dataclass(frozen=True)
class FollowUpFigures:
    done: int = people_count()
    in_work: int = people_count()
    in_durable_work: int = people_count()
    pending: int = people_count()

    @property
    def in_work_share(self):
        return ratio(self.in_work, self.done)

    @property
    def durable_share(self):
        return ratio(self.in_durable_work, self.done)


@dataclass(frozen=True)
class OutcomesReport:
    total: int = people_count()
    categories: list[OutcomeLine]
    details: list[OutcomeLine]
    follow_ups: FollowUpFigures

    def category(self, category: ExitCategory) -> OutcomeLine:
        return next(line for line in self.categories if line.category is category)


def outcomes_report(scope: Scope) -> OutcomesReport:
    counts = {ExitDetail(detail): n for detail, n in db.session.execute(
        _exits(scope).with_only_columns(Exit.detail, sa.func.count()).group_by(Exit.detail))}
    total = sum(counts.values())
    details = [OutcomeLine(EXIT_CATEGORY[detail], detail, counts.get(detail, 0), total) for detail in ExitDetail]
    categories = [OutcomeLine(category, None, sum(line.exits for line in details if line.category is category), total)
                  for category in ExitCategory]
    done, in_work, durable, pending = db.session.execute(_follow_ups(scope)).one()
    return OutcomesReport(total, categories, details,
                          FollowUpFigures(done or 0, in_work or 0, durable or 0, pending or 0))


def _exits(scope: Scope) -> sa.Select:
    """Exits of the scoped contracts dated in the period (columns set by the caller)."""
    conditions = [*lot_conditions(scope), *in_period(Exit.exit_date, scope)]
    if scope.mode:
        conditions.append(EmploymentContract.mode == scope.mode)
    contracts = employment_ids(scope, "exit_employment")
    if contracts is not None:
        conditions.append(EmploymentContract.id.in_(contracts))
    return (sa.select(Exit.id).join(EmploymentContract, EmploymentContract.id == Exit.contract_id)
            .join(Lot, Lot.id == EmploymentContract.lot_id).join(Contract, Contract.id == Lot.contract_id)
            .where(*conditions))


def _follow_ups(scope: Scope) -> sa.Select:
    """Follow-ups of those exits: done, in work, in durable work (a durable situation), pending."""
    done = FollowUp.done_on.is_not(None)
    in_work = sa.and_(done, FollowUp.in_work.is_(True))
    return (_exits(scope).with_only_columns(
        count_if(done), count_if(in_work), count_if(sa.and_(in_work, FollowUp.situation.in_(DURABLE_DETAILS))),
        count_if(sa.not_(done)))
        .join(FollowUp, FollowUp.exit_id == Exit.id))
