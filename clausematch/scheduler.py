"""Scheduled jobs: APScheduler in the web process when SCHEDULER_ENABLED=1, never in tests.

Each job is a plain function also exposed as a `flask` command; `run_job` records every run
in `job_runs` so an admin can see last run, duration and result.
"""
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

log = logging.getLogger(__name__)


class JobRun(db.Model):
    """One run of a scheduled job. `period` ("2026-11-27" for a daily job, "2026-11" for a monthly
    one) is unique per job: the first web process to insert it runs the job, the others skip —
    the database is the lock. Manual runs leave it empty."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.Index("ix_job_runs_job_started", "job_name", "started_at"),
        sa.UniqueConstraint("job_name", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    period: Mapped[str | None] = mapped_column(sa.String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    succeeded: Mapped[bool | None]
    result: Mapped[str] = mapped_column(sa.String(1000), default="")


def run_job(name: str, func: Callable[[], Any]) -> Any:
    """Run `func` as the job `name`, recording start, end and result (or error) in job_runs.

    The run row is committed before the work starts, so a crash still leaves a trace; the
    error is logged, recorded and raised again for the caller (the CLI exits non-zero).
    """
    run = JobRun(job_name=name, started_at=utcnow())
    db.session.add(run)
    db.session.commit()
    try:
        result = func()
    except Exception as error:
        db.session.rollback()
        log.exception("Tâche %s en échec", name)
        _finish(run, succeeded=False, result=f"{type(error).__name__}: {error}")
        raise
    _finish(run, succeeded=True, result=str(result))
    return result


def _finish(run: JobRun, succeeded: bool, result: str) -> None:
    run.finished_at = utcnow()
    run.succeeded = succeeded
    run.result = result[:1000]
    db.session.commit()


def init_app(app) -> None:
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="Europe/Paris")

    def deliver_mail():
        from clausematch.notifications import deliver_outbox

        with app.app_context():
            deliver_outbox()

    scheduler.add_job(deliver_mail, "interval", minutes=1, id="deliver_outbox", coalesce=True, max_instances=1)

    def expire_offers():
        from clausematch.offers.jobs import expire_offers_job

        with app.app_context():
            expire_offers_job()

    # Nightly at 02:00 Paris time; a run missed by less than an hour (restart) still happens.
    scheduler.add_job(expire_offers, "cron", hour=2, minute=0, id="expire_offers", coalesce=True,
                      max_instances=1, misfire_grace_time=3600)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("Planificateur démarré")
