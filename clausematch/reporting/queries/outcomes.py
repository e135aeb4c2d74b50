"""Outcomes: how the clause contracts in scope ended (exits by category and detail, dated in
the period), and where people were at the six-month follow-up. Two SQL statements; a third under
the PLIE convention (the territory's `exit_convention`), which counts as positive an exit to a
durable job confirmed at the six-month follow-up, or a qualifying training."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.reporting.filters import Scope
from clausematch.reporting.masking import people_count
from clausematch.reporting.queries.scoping import employment_ids, in_period, lot_conditions
from clausematch.reporting.queries.sql import count_if, ratio
from clausematch.vocabulary import EXIT_CATEGORY, ExitCategory, ExitConvention, ExitDetail

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
class PlieFigures:
    """Exits counted by the PLIE convention; `awaiting`: exits to a durable job whose follow-up
    is not done yet (not positive until it confirms the job)."""

    durable_confirmed: int = people_count()
    qualifying_training: int = people_count()
    positive: int = people_count()  # either of the two (an exit counts once)
    others: int = people_count()
    awaiting: int = people_count()
    total: int = people_count()

    def share(self, count):
        return ratio(count, self.total)


@dataclass(frozen=True)
class OutcomesReport:
    total: int = people_count()
    categories: list[OutcomeLine]
    details: list[OutcomeLine]
    follow_ups: FollowUpFigures
    convention: ExitConvention = ExitConvention.DGEFP
    plie: PlieFigures | None = None  # under the PLIE convention only

    def category(self, category: ExitCategory) -> OutcomeLine:
        return next(line for line in self.categories if line.category is category)


def outcomes_report(scope: Scope, convention: ExitConvention = ExitConvention.DGEFP) -> OutcomesReport:
    counts = {ExitDetail(detail): n for detail, n in db.session.execute(
        _exits(scope).with_only_columns(Exit.detail, sa.func.count()).group_by(Exit.detail))}
    total = sum(counts.values())
    details = [OutcomeLine(EXIT_CATEGORY[detail], detail, counts.get(detail, 0), total) for detail in ExitDetail]
    categories = [OutcomeLine(category, None, sum(line.exits for line in details if line.category is category), total)
                  for category in ExitCategory]
    done, in_work, durable, pending = db.session.execute(_follow_ups(scope)).one()
    plie = _plie(scope, total) if convention is ExitConvention.PLIE else None
    return OutcomesReport(total, categories, details,
                          FollowUpFigures(done or 0, in_work or 0, durable or 0, pending or 0), convention, plie)


def _plie(scope: Scope, total: int) -> PlieFigures:
    durable_exit = Exit.detail.in_(DURABLE_DETAILS)
    done = FollowUp.done_on.is_not(None)
    confirmed = sa.and_(durable_exit, done, FollowUp.in_work.is_(True), FollowUp.situation.in_(DURABLE_DETAILS))
    training = Exit.detail == ExitDetail.TRAINING
    row = db.session.execute(_exits(scope).with_only_columns(
        count_if(confirmed), count_if(training), count_if(sa.or_(confirmed, training)),
        count_if(sa.and_(durable_exit, FollowUp.done_on.is_(None))))
        .outerjoin(FollowUp, FollowUp.exit_id == Exit.id)).one()
    confirmed_count, training_count, positive, awaiting = (value or 0 for value in row)
    return PlieFigures(confirmed_count, training_count, positive, total - positive, awaiting, total)


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
