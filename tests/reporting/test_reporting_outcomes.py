"""Outcomes on the hand-computed world: exits c4 CDD → CDI (durable, 2025), c5 short CDD
(transition, 2025), c6 professionalisation → CDI (durable, 2026), c6 CDI → unemployment (other,
2026); follow-ups: in work (CDI), out, out, in work (long interim)."""
from decimal import Decimal

import sqlalchemy as sa

from clausematch.pathways.models import Exit, FollowUp
from clausematch.reporting.queries.outcomes import outcomes_report
from clausematch.vocabulary import ExitCategory, ExitConvention, ExitDetail


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


def test_plie_convention_recomputed_by_hand(world, scope_of, db):
    """PLIE: positive = an exit to a durable job confirmed at the six-month follow-up, or a
    qualifying training. c4 (CDI, in a CDI six months after) is positive; c6's CDI exit found out of
    work is not; c6's exit to unemployment is not, though in work six months later; c5 is not."""
    report = outcomes_report(scope_of(), ExitConvention.PLIE)
    plie = report.plie
    assert (plie.durable_confirmed, plie.qualifying_training, plie.positive, plie.others, plie.awaiting,
            plie.total) == (1, 0, 1, 3, 0, 4)
    assert plie.share(plie.positive) == Decimal("0.25")
    # The DGEFP categories are the same figures whatever the convention; DGEFP has no PLIE part.
    assert report.category(ExitCategory.DURABLE).exits == 2
    assert outcomes_report(scope_of()).plie is None

    # c5 leaves for a qualifying training instead; c4's follow-up is not done yet: awaiting, not positive.
    c5_exit = db.session.scalars(sa.select(Exit).where(Exit.detail == ExitDetail.SHORT_CDD)).one()
    c5_exit.detail, c5_exit.category = ExitDetail.TRAINING, ExitCategory.POSITIVE
    c4_follow_up = db.session.scalars(sa.select(FollowUp).where(FollowUp.situation == ExitDetail.CDI)).one()
    c4_follow_up.done_on = c4_follow_up.in_work = c4_follow_up.situation = None
    db.session.commit()
    plie = outcomes_report(scope_of(), ExitConvention.PLIE).plie
    assert (plie.durable_confirmed, plie.qualifying_training, plie.positive, plie.others, plie.awaiting) == \
        (0, 1, 1, 3, 1)

    # A pre-qualifying training is positive for the DGEFP, not for the PLIE.
    c5_exit.detail = ExitDetail.PRE_QUALIFYING_TRAINING
    db.session.commit()
    assert outcomes_report(scope_of()).category(ExitCategory.POSITIVE).exits == 1
    assert outcomes_report(scope_of(), ExitConvention.PLIE).plie.positive == 0


def test_the_outcomes_page_names_the_convention(world, client, login_as, db, territory):
    login_as("facilitator")
    page = client.get("/rapports/sorties").get_data(as_text=True)
    assert "Sorties par catégorie (définitions de la DGEFP)" in page
    assert "convention des PLIE" not in page
    territory.exit_convention = ExitConvention.PLIE
    db.session.commit()
    page = client.get("/rapports/sorties").get_data(as_text=True)
    assert "Sorties positives selon la convention des PLIE" in page
    assert "Emploi durable confirmé au suivi à 6 mois" in page
    assert "Sorties par catégorie (définitions de la DGEFP)" in page
    export = client.get("/rapports/sorties/export.csv").get_data(as_text=True)
    assert "Sortie positive (PLIE)" in export
