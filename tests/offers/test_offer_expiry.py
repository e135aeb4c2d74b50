"""Nightly expiry of published offers: frozen time, idempotence, history, job record, CLI."""
from datetime import date

import pytest
import sqlalchemy as sa

from clausematch.jobs import JobRun, run_job
from clausematch.offers.jobs import EXPIRY_COMMENT, expire_offers
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.scheduler import find_job, run_now

S = OfferStatus


@pytest.fixture
def offers(make_offer, time_machine):
    time_machine.move_to("2026-04-10 01:30", tick=False)
    return {
        "expired": make_offer(status=S.PUBLISHED, publication_end=date(2026, 4, 9)),
        "ends_today": make_offer(status=S.PUBLISHED, publication_end=date(2026, 4, 10)),
        "no_end": make_offer(status=S.PUBLISHED, publication_end=None),
        "draft_expired": make_offer(status=S.DRAFT, publication_end=date(2026, 1, 1)),
        "filled_expired": make_offer(status=S.FILLED, publication_end=date(2026, 1, 1)),
    }


def statuses(db, offers):
    db.session.expire_all()
    return {name: db.session.get(Offer, offer.id).status for name, offer in offers.items()}


def changes(db):
    return list(db.session.scalars(sa.select(OfferStatusChange).order_by(OfferStatusChange.id)))


def test_expire_closes_only_published_offers_past_their_end(db, offers):
    assert expire_offers(date(2026, 4, 10)) == 1
    assert statuses(db, offers) == {"expired": S.CLOSED, "ends_today": S.PUBLISHED, "no_end": S.PUBLISHED,
                                    "draft_expired": S.DRAFT, "filled_expired": S.FILLED}
    [change] = changes(db)
    assert (change.offer_id, change.from_status, change.to_status) == (offers["expired"].id, S.PUBLISHED, S.CLOSED)
    assert change.actor_id is None
    assert change.comment == EXPIRY_COMMENT == "Clôture automatique : date de fin de publication dépassée"


def test_expire_is_idempotent(db, offers):
    assert expire_offers(date(2026, 4, 10)) == 1
    assert expire_offers(date(2026, 4, 10)) == 0
    assert len(changes(db)) == 1


def expire_offers_job() -> str:
    return run_now(find_job("offers.expire"))


def test_the_next_night_closes_the_offer_that_ended_the_day_before(db, offers, time_machine):
    expire_offers_job()
    time_machine.move_to("2026-04-11 02:00", tick=False)
    assert expire_offers_job() == "1 offre clôturée (fin de publication dépassée)."
    assert statuses(db, offers)["ends_today"] == S.CLOSED


def test_job_records_each_run(db, offers):
    done, again = "1 offre clôturée (fin de publication dépassée).", "Aucune offre à clôturer."
    assert [expire_offers_job(), expire_offers_job()] == [done, again]
    runs = list(db.session.scalars(sa.select(JobRun).order_by(JobRun.id)))
    assert [(r.job_name, r.succeeded, r.result) for r in runs] == [("offers.expire", True, done),
                                                                  ("offers.expire", True, again)]
    assert all(r.finished_at is not None and r.finished_at >= r.started_at for r in runs)


def test_run_job_records_a_failure_and_raises(db, caplog):
    def broken():
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        run_job("essai", broken)
    run = db.session.scalars(sa.select(JobRun)).one()
    assert (run.job_name, run.succeeded, run.result) == ("essai", False, "RuntimeError: boom")
    assert "Tâche essai en échec" in caplog.text


def test_cli_expire_prints_a_french_count(runner, db, offers):
    result = runner.invoke(args=["offers", "expire"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "1 offre clôturée (fin de publication dépassée)."
    again = runner.invoke(args=["offers", "expire"])
    assert again.output.strip() == "Aucune offre à clôturer."
    runs = db.session.execute(sa.select(JobRun.job_name, JobRun.period, JobRun.result).order_by(JobRun.id)).all()
    assert runs == [("offers.expire", None, "1 offre clôturée (fin de publication dépassée)."),
                    ("offers.expire", None, "Aucune offre à clôturer.")]  # the same job as `flask jobs run`


def test_cli_plural(runner, db, make_offer, time_machine):
    time_machine.move_to("2026-04-10 08:00", tick=False)
    for _ in range(3):
        make_offer(status=S.PUBLISHED, publication_end=date(2026, 3, 31))
    result = runner.invoke(args=["offers", "expire"])
    assert result.output.strip() == "3 offres clôturées (fin de publication dépassée)."


def test_scheduler_stays_off_in_tests(app):
    assert app.config["SCHEDULER_ENABLED"] is False
    assert "scheduler" not in app.extensions


def test_scheduler_registers_the_nightly_job_when_enabled(database_url):
    from clausematch import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SCHEDULER_ENABLED": True})
    scheduler = app.extensions["scheduler"]
    try:
        job = scheduler.get_job("expire_offers")
        fields = {f.name: str(f) for f in job.trigger.fields}
        assert (fields["hour"], fields["minute"]) == ("2", "0")
        assert str(job.trigger.timezone) == "Europe/Paris"
    finally:
        scheduler.shutdown(wait=False)


def test_cli_help_is_french(runner):
    assert "Clôture les offres publiées dont la fin de publication est dépassée" in \
        runner.invoke(args=["offers", "--help"]).output
