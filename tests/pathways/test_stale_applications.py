"""The daily job on orientations without news: one reminder after 30 days, closed as refused
(no answer) after 60, with frozen time; safe to re-run."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import ApplicationFactory, CandidateInTerritoryFactory, OfferInTerritoryFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.applications.stale import CLOSING_COMMENT, StaleResult, handle_stale_applications
from clausematch.audit import AuditEvent
from clausematch.notifications import Notification, OutboxMessage

S = ApplicationStatus
TODAY = date(2026, 4, 10)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-04-10 07:00", tick=False)


@pytest.fixture
def offer(db, pathway_lot):
    offer = OfferInTerritoryFactory(lot=pathway_lot, title="Coffreur bancheur")
    db.session.commit()
    return offer


@pytest.fixture
def make_application(db, personas, offer, person):
    def make(status: ApplicationStatus, last_event_at: datetime, **columns):
        """candidate=None: another person of the same prescriber (one application per person and offer)."""
        candidate = columns.pop("candidate", person) or CandidateInTerritoryFactory(
            prescriber=personas["prescriber"].organisation)
        application = ApplicationFactory(offer=offer, candidate=candidate, status=status,
                                         proposed_by_id=personas["prescriber"].id, last_event_at=last_event_at,
                                         created_at=last_event_at, **columns)
        db.session.commit()
        return application
    return make


def notifications(db) -> list[tuple[int, str]]:
    return db.session.execute(sa.select(Notification.user_id, Notification.message).order_by(Notification.id)).all()


def test_reminder_after_30_days_goes_to_facilitators_and_prescriber_once(db, personas, make_application, territory):
    second_facilitator = UserFactory(role=Role.FACILITATOR, organisation=personas["facilitator"].organisation)
    UserFactory(role=Role.FACILITATOR, organisation=personas["facilitator"].organisation, is_active=False)
    db.session.commit()
    stale = make_application(S.SENT, datetime(2026, 3, 10, 18, 0))  # 30 days and 13 hours before the run
    make_application(S.SENT, datetime(2026, 3, 11, 9, 0), candidate=None)  # 29 days: not yet
    result = handle_stale_applications(TODAY)
    assert result == StaleResult(reminded=1, closed=0)
    sent = notifications(db)
    assert sorted(user_id for user_id, _ in sent) == sorted(
        [personas["facilitator"].id, second_facilitator.id, personas["prescriber"].id])
    message = sent[0][1]
    assert "Sans nouvelle depuis 30 jours" in message and "Awa D." in message and "Diallo" not in message
    assert "Coffreur bancheur" in message
    assert handle_stale_applications(TODAY) == StaleResult(reminded=0, closed=0)
    assert len(notifications(db)) == 3
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "application.stale_reminder")).one()
    assert (audit.entity_id, audit.actor_id) == (stale.id, None)


def test_a_new_silence_after_a_move_gets_a_new_reminder(db, personas, make_application, time_machine):
    application = make_application(S.SUBMITTED, datetime(2026, 3, 1))
    handle_stale_applications(TODAY)
    application.status, application.last_event_at = S.VALIDATED, datetime(2026, 4, 10, 8, 0)
    db.session.commit()
    time_machine.move_to("2026-05-12 07:00", tick=False)
    assert handle_stale_applications(date(2026, 5, 12)).reminded == 1
    assert len(notifications(db)) == 4  # 2 people × 2 silences


def test_closed_after_60_days_with_reason_no_answer(db, personas, make_application):
    application = make_application(S.INTERVIEW, datetime(2026, 2, 8, 23, 0))  # 60 days and 8 hours
    make_application(S.SHORTLISTED, datetime(2026, 2, 10), candidate=None)  # 59 days: reminded only
    result = handle_stale_applications(TODAY)
    assert result == StaleResult(reminded=1, closed=1)
    db.session.expire_all()
    closed = db.session.get(Application, application.id)
    assert (closed.status, closed.refusal_reason) == (S.REFUSED, RefusalReason.NO_ANSWER)
    assert closed.last_event_at == datetime(2026, 4, 10, 7, 0)
    event = db.session.scalars(
        sa.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)).one()
    assert (event.from_status, event.to_status, event.actor_id, event.comment, event.refusal_reason) == \
        (S.INTERVIEW, S.REFUSED, None, CLOSING_COMMENT, RefusalReason.NO_ANSWER)
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "application.status_changed")).one()
    assert (audit.actor_id, audit.details["refusal_reason"]) == (None, "no_answer")
    # The prescriber is told like for any refusal, in the app and by e-mail.
    assert any("a été refusée. Motif : sans réponse dans les délais." in m for _, m in notifications(db))
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
    assert handle_stale_applications(TODAY) == StaleResult(reminded=0, closed=0)


@pytest.mark.parametrize("status", [S.HIRED, S.REFUSED, S.WITHDRAWN])
def test_final_applications_are_left_alone(db, make_application, status):
    make_application(status, datetime(2025, 1, 1), refusal_reason=RefusalReason.OTHER if status == S.REFUSED else None)
    assert handle_stale_applications(TODAY) == StaleResult(reminded=0, closed=0)
    assert notifications(db) == []


def test_summary_is_french():
    assert StaleResult(0, 0).summary() == "Aucune relance, aucune clôture."
    assert StaleResult(1, 1).summary() == "1 candidature relancée, 1 candidature close sans réponse."
    assert StaleResult(3, 2).summary() == "3 candidatures relancées, 2 candidatures closes sans réponse."


# --- Run several times at the same moment (PostgreSQL: tests/concurrency.py) ---------------------

@pytest.fixture
def silent(make_application):
    """Three applications to close (61 days) and three to remind (31 days), one person each."""
    return ([make_application(S.SENT, datetime(2026, 2, 8), candidate=None) for _ in range(3)],
            [make_application(S.SUBMITTED, datetime(2026, 3, 10), candidate=None) for _ in range(3)])


# Refusals, reminders, notifications (closing: the proposer; reminder: facilitator and proposer),
# e-mails (one per closed application, to its proposer).
ONE_RUN = (3, 3, 3 + 3 * 2, 3)


def effects(db) -> tuple[int, int, int, int]:
    """(refusal events, reminder audits, notifications, e-mails)."""
    db.session.expire_all()

    def count(model, *conditions):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))
    return (count(ApplicationEvent, ApplicationEvent.to_status == S.REFUSED),
            count(AuditEvent, AuditEvent.action == "application.stale_reminder"),
            count(Notification), count(OutboxMessage))


def test_one_run_closes_three_and_reminds_three(db, silent):
    """What one run does to the rows of `silent`: the figures the parallel runs below must match."""
    assert handle_stale_applications(TODAY) == StaleResult(reminded=3, closed=3)
    assert effects(db) == ONE_RUN


@pytest.mark.postgres
def test_four_runs_at_once_do_the_work_once(app, db, silent):
    from concurrency import failures, race

    outcomes = race([app] * 4, [lambda: handle_stale_applications(TODAY)] * 4)

    assert failures(outcomes) == []
    assert sorted(outcomes, key=lambda r: r.closed) == [StaleResult(0, 0)] * 3 + [StaleResult(reminded=3, closed=3)]
    assert effects(db) == ONE_RUN


@pytest.mark.postgres
def test_four_processes_starting_the_job_at_once_run_it_once(app, db, silent):
    """Two schedulers and two manual runs (CLI, "Lancer maintenant"): the job_runs lock lets one through."""
    from concurrency import failures, race

    from clausematch.scheduler import find_job, run_now, run_scheduled

    job = find_job("applications.stale")
    outcomes = race([app] * 4, [lambda: run_scheduled(job)] * 2 + [lambda: run_now(job)] * 2)

    assert failures(outcomes) == []
    assert effects(db) == ONE_RUN
