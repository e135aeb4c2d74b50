"""Outcomes on the hand-computed world: exits c4 CDD → CDI (durable, 2025), c5 short CDD
(transition, 2025), c6 professionalisation → CDI (durable, 2026), c6 CDI → unemployment (other,
2026); follow-ups: in work (CDI), out, out, in work (long interim)."""
from decimal import Decimal

from clausematch.reporting.queries.outcomes import outcomes_report
from clausematch.vocabulary import ExitCategory, ExitDetail


def test_exits_by_category_and_detail(world, scope_of):
    report = outcomes_report(scope_of())
    assert report.total == 4
    assert {line.category: line.exits for line in report.categories} == {
        ExitCategory.DURABLE: 2, ExitCategory.TRANSITION: 1, ExitCategory.POSITIVE: 0, ExitCategory.OTHER: 1}
    details = {line.detail: line.exits for line in report.details if line.exits}
    assert details == {ExitDetail.CDI: 2, ExitDetail.SHORT_CDD: 1, ExitDetail.UNEMPLOYMENT: 1}
    assert report.category(ExitCategory.DURABLE).share == Decimal("0.5")


def test_situation_at_six_months(world, scope_of):
    follow_ups = outcomes_report(scope_of()).follow_ups
    assert (follow_ups.done, follow_ups.in_work, follow_ups.in_durable_work, follow_ups.pending) == (4, 2, 2, 0)
    assert follow_ups.in_work_share == Decimal("0.5")


def test_period_is_the_exit_date(world, scope_of):
    assert outcomes_report(scope_of(year=2026)).total == 2
    assert outcomes_report(scope_of(year=2026)).category(ExitCategory.OTHER).exits == 1


def test_pending_follow_up_and_empty_scope(world, scope_of, db):
    from clausematch.pathways.models import FollowUp

    follow_up = db.session.scalars(FollowUp.__table__.select().with_only_columns(FollowUp.id)).first()
    db.session.get(FollowUp, follow_up).done_on = None
    db.session.get(FollowUp, follow_up).in_work = None
    db.session.commit()
    assert outcomes_report(scope_of()).follow_ups.pending == 1
    empty = outcomes_report(scope_of(buyer_id=world.buyer_b.id))
    assert empty.total == 0 and empty.follow_ups.in_work_share is None
    assert all(line.share is None for line in empty.categories)
