"""Scheduled jobs: APScheduler in the web process when SCHEDULER_ENABLED=1, never in tests.

Each job is a plain function also exposed as a `flask` command; `run_job` records every run
in `job_runs` so an admin can see last run, duration and result.
"""
import logging
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

log = logging.getLogger(__name__)


class JobRun(db.Model):
    __tablename__ = "job_runs"
    __table_args__ = (sa.Index("ix_job_runs_job_started", "job_name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    succeeded: Mapped[bool | None]
    result: Mapped[str] = mapped_column(sa.String(1000), default="")


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
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("Planificateur démarré")
