"""The job runtime: one run of a job, recorded in job_runs, and the locks that keep it single.

Ground floor: imports only the database, the extensions and the standard library. The list of
the platform's jobs is in clausematch/scheduler.py, above every feature; features never import it.

Two locks, both held by the database through the row a run inserts before it works:
- a scheduled run covers a period ("2026-11-27" for a daily job, "2026-11" for a monthly one).
  (job_name, period) is unique: the first process to insert the period's row runs the job, the
  others skip it;
- a run that has not finished has no finished_at. A partial unique index on job_name where
  finished_at is null (uq_job_runs_running, SQLite and PostgreSQL alike) allows one unfinished
  run per job: a second run started while the first works, manual or scheduled, cannot insert
  its row and does nothing. A manual run (no period) is refused with JobAlreadyRunning, a
  scheduled one is skipped like a period already run (the running one does the same work).
A run whose process died never finishes: after ABANDONED_AFTER (or the job's own, shorter delay
for a job that runs every minute), the next run of the job closes it as failed ("interrompue")
in the same transaction as its own row, and goes ahead.
"""
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

log = logging.getLogger(__name__)

# Longer than any job takes; a run still unfinished after this is a run whose process died.
ABANDONED_AFTER = timedelta(hours=6)
ABANDONED_RESULT = "Interrompue : le processus s'est arrêté avant la fin de la tâche."


class JobRun(db.Model):
    """One run of a job. `period` is unique per job (the scheduled runs' lock; manual runs leave
    it empty); at most one run per job has no finished_at (the lock of every run)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.Index("ix_job_runs_job_started", "job_name", "started_at"),
        sa.Index("uq_job_runs_running", "job_name", unique=True,
                 sqlite_where=sa.text("finished_at IS NULL"), postgresql_where=sa.text("finished_at IS NULL")),
        sa.UniqueConstraint("job_name", "period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_name: Mapped[str] = mapped_column(sa.String(60))
    period: Mapped[str | None] = mapped_column(sa.String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    succeeded: Mapped[bool | None]
    result: Mapped[str] = mapped_column(sa.String(1000), default="")

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class JobAlreadyRunning(Exception):
    """A manual run refused because another run of the same job has not finished."""

    def __init__(self, name: str) -> None:
        self.message = f"La tâche {name} est déjà en cours : ce lancement est ignoré."
        super().__init__(self.message)


def run_job(name: str, func: Callable[[], Any], period: str | None = None,
            abandoned_after: timedelta = ABANDONED_AFTER) -> Any:
    """Run `func` as the job `name` for `period`, recording start, end and result in job_runs.

    The run row is inserted and committed first, in its own transaction: when the database
    refuses it (the period already has its row, or another run of the job is unfinished), a
    scheduled run skips the work and returns None, a manual run (no period) raises
    JobAlreadyRunning. Call it with no pending changes in the session (a job starts from a fresh
    one). A crash still leaves a trace; the error is logged, recorded and raised again for the
    caller (the CLI exits non-zero). The result is recorded as str(result).
    """
    run = _start(name, period, abandoned_after)
    if run is None:
        if period is None:
            log.info("Tâche %s déjà en cours : lancement manuel ignoré", name)
            raise JobAlreadyRunning(name)
        _log_skipped(name, period)
        return None
    try:
        result = func()
    except Exception as error:
        db.session.rollback()
        log.exception("Tâche %s en échec", name)
        _finish(run, succeeded=False, result=f"{type(error).__name__}: {error}")
        raise
    _finish(run, succeeded=True, result=str(result))
    return result


def _start(name: str, period: str | None, abandoned_after: timedelta) -> JobRun | None:
    """The committed row of a new run, or None when the database refuses it."""
    now = utcnow()
    db.session.execute(sa.update(JobRun)
                       .where(JobRun.job_name == name, JobRun.finished_at.is_(None),
                              JobRun.started_at < now - abandoned_after)
                       .values(finished_at=now, succeeded=False, result=ABANDONED_RESULT))
    run = JobRun(job_name=name, period=period, started_at=now)
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return run


def _log_skipped(name: str, period: str) -> None:
    done = db.session.scalar(sa.select(sa.exists().where(JobRun.job_name == name, JobRun.period == period)))
    if done:
        log.info("Tâche %s déjà exécutée pour la période %s : ignorée", name, period)
    else:
        log.info("Tâche %s déjà en cours : exécution de la période %s ignorée", name, period)


def _finish(run: JobRun, succeeded: bool, result: str) -> None:
    run.finished_at = utcnow()
    run.succeeded = succeeded
    run.result = result[:1000]
    db.session.commit()


def last_runs(names: list[str]) -> dict[str, JobRun]:
    """The latest run of each job, in one query."""
    latest = (sa.select(sa.func.max(JobRun.id)).where(JobRun.job_name.in_(names))
              .group_by(JobRun.job_name).scalar_subquery())
    return {run.job_name: run for run in db.session.scalars(sa.select(JobRun).where(JobRun.id.in_(latest)))}


def forget_runs(name: str, before: datetime) -> int:
    """Delete the finished runs of `name` started before `before` (a job that runs every minute
    keeps a day of history, not a row per minute forever); commits."""
    deleted = db.session.execute(sa.delete(JobRun).where(
        JobRun.job_name == name, JobRun.finished_at.is_not(None), JobRun.started_at < before)).rowcount
    db.session.commit()
    return deleted
