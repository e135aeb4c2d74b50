"""Scheduled jobs: APScheduler in the web process when SCHEDULER_ENABLED=1, never in tests.

Every job of the platform is listed once in JOBS. A scheduled run calls `run_job` with the
period it covers ("2026-11-27", "2026-11"): the first web process to insert that period's
JobRun row runs the job, the others skip it — the database is the lock. Manual runs (the admin
page's "Lancer maintenant", `flask jobs run <name>`) have no period and always run. Each run
records its start, end and a short French result, shown on /admin/taches.
"""
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

log = logging.getLogger(__name__)

TIMEZONE = "Europe/Paris"


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

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


def run_job(name: str, func: Callable[[], Any], period: str | None = None) -> Any:
    """Run `func` as the job `name` for `period`, recording start, end and result in job_runs.

    The run row is inserted and committed first, in its own transaction: if another process
    already holds (`name`, `period`), the unique constraint refuses the row and this call skips
    the work and returns None. Call it with no pending changes in the session (a job starts
    from a fresh one). A crash still leaves a trace; the error is logged, recorded and raised
    again for the caller (the CLI exits non-zero).
    """
    run = JobRun(job_name=name, period=period, started_at=utcnow())
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("Tâche %s déjà exécutée pour la période %s : ignorée", name, period)
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


def _finish(run: JobRun, succeeded: bool, result: str) -> None:
    run.finished_at = utcnow()
    run.succeeded = succeeded
    run.result = result[:1000]
    db.session.commit()


# --- The jobs of the platform ------------------------------------------------------------------
# Each adapter takes the local date the run is for and returns the short French result.
# Imports are inside: each feature's module is loaded only when its job runs.

def _expire_offers(on: date) -> str:
    from clausematch.offers.jobs import expire_offers, expiry_summary

    return expiry_summary(expire_offers(on))


def _create_follow_ups(on: date) -> str:
    from clausematch.pathways.jobs import create_due_follow_ups, follow_ups_summary

    return follow_ups_summary(create_due_follow_ups(on))


def _stale_applications(on: date) -> str:
    from clausematch.pathways.stale_applications import handle_stale_applications

    return handle_stale_applications(on).summary()


def _hours_reminders(on: date) -> str:
    from clausematch.pathways.hours_reminders import send_hours_reminders

    # On the 1st, companies are reminded of the month that has just ended.
    month = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    count = send_hours_reminders(month)
    if count == 0:
        return f"Aucun lot à relancer pour {month:%m/%Y}."
    return f"{count} lot{'s' if count > 1 else ''} relancé{'s' if count > 1 else ''} pour les heures de {month:%m/%Y}."


def _rebuild_matching(on: date) -> str:
    from clausematch.matching.services import rebuild_index

    return str(rebuild_index())


def _train_matching(on: date) -> str:
    from clausematch.matching.services import train_model_job

    return train_model_job()


@dataclass(frozen=True)
class Job:
    """A job of the platform: what it is called, when it runs and what it calls."""

    name: str
    label: str
    schedule: str
    func: Callable[[date], str]
    cron: dict[str, int] = field(default_factory=dict)
    monthly: bool = False
    # The APScheduler id, when it differs from `name`.
    schedule_id: str | None = None
    # "module:function" the job needs; a job whose feature has not landed is left out.
    requires: str | None = None

    @property
    def scheduler_id(self) -> str:
        return self.schedule_id or self.name

    @property
    def available(self) -> bool:
        if self.requires is None:
            return True
        module_name, attribute = self.requires.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError:
            return False
        return callable(getattr(module, attribute, None))

    def period(self, moment: datetime) -> str:
        """The period a scheduled run at `moment` (local time) covers: its day, or its month."""
        return moment.strftime("%Y-%m" if self.monthly else "%Y-%m-%d")


JOBS: tuple[Job, ...] = (
    Job("offers.expire", "Clôture des offres dont la publication est terminée", "Chaque nuit à 2 h",
        _expire_offers, cron={"hour": 2, "minute": 0}, schedule_id="expire_offers"),
    Job("pathways.follow_ups", "Création des suivis à 6 mois après les sorties", "Chaque nuit à 3 h",
        _create_follow_ups, cron={"hour": 3, "minute": 0}),
    Job("matching.rebuild", "Reconstruction de l'index de rapprochement candidats-offres", "Chaque nuit à 4 h",
        _rebuild_matching, cron={"hour": 4, "minute": 0}, requires="clausematch.matching.services:rebuild_index"),
    Job("matching.train", "Réentraînement du modèle de classement sur les embauches et refus enregistrés",
        "Chaque lundi à 5 h", _train_matching, cron={"day_of_week": 0, "hour": 5, "minute": 0},
        requires="clausematch.matching.services:train_model_job"),
    Job("applications.stale", "Relance (30 jours) et clôture (60 jours) des candidatures sans nouvelle",
        "Chaque jour à 7 h", _stale_applications, cron={"hour": 7, "minute": 0}),
    Job("pathways.hours_reminders", "Rappel aux entreprises des heures du mois à déclarer",
        "Le 1er de chaque mois à 8 h", _hours_reminders, cron={"day": 1, "hour": 8, "minute": 0}, monthly=True,
        requires="clausematch.pathways.hours_reminders:send_hours_reminders"),
)


def available_jobs() -> list[Job]:
    return [job for job in JOBS if job.available]


def find_job(name: str) -> Job | None:
    """The available job called `name`, or None."""
    return next((job for job in available_jobs() if job.name == name), None)


def local_now() -> datetime:
    return datetime.now(ZoneInfo(TIMEZONE))


def run_scheduled(job: Job, moment: datetime | None = None) -> Any:
    """The scheduler's run of `job`: for the period of `moment` (default now), once whatever the
    number of processes. Returns the French result, or None when another process ran it."""
    moment = moment or local_now()
    return run_job(job.name, lambda: job.func(moment.date()), period=job.period(moment))


def run_now(job: Job) -> Any:
    """A manual run (admin page, CLI): no period, so it always runs, for today's local date."""
    return run_job(job.name, lambda: job.func(local_now().date()))


def last_runs(names: list[str]) -> dict[str, JobRun]:
    """The latest run of each job, in one query."""
    latest = (sa.select(sa.func.max(JobRun.id)).where(JobRun.job_name.in_(names))
              .group_by(JobRun.job_name).scalar_subquery())
    return {run.job_name: run for run in db.session.scalars(sa.select(JobRun).where(JobRun.id.in_(latest)))}


def next_run_time(app, job: Job) -> datetime | None:
    """When the running scheduler will next start `job` (None when no scheduler runs here)."""
    scheduler = app.extensions.get("scheduler")
    scheduled = scheduler.get_job(job.scheduler_id) if scheduler is not None else None
    return scheduled.next_run_time if scheduled is not None else None


def init_app(app) -> None:
    if not app.config.get("SCHEDULER_ENABLED"):
        return
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone=TIMEZONE)

    def deliver_mail():
        from clausematch.notifications import deliver_outbox

        with app.app_context():
            deliver_outbox()

    scheduler.add_job(deliver_mail, "interval", minutes=1, id="deliver_outbox", coalesce=True, max_instances=1)
    for job in available_jobs():
        # A run missed by less than an hour (restart) still happens; the period lock keeps it single.
        scheduler.add_job(_scheduled_call(app, job), "cron", id=job.scheduler_id, coalesce=True,
                          max_instances=1, misfire_grace_time=3600, **job.cron)
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("Planificateur démarré")


def _scheduled_call(app, job: Job) -> Callable[[], None]:
    def call() -> None:
        with app.app_context():
            try:
                run_scheduled(job)
            except Exception:  # noqa: BLE001 — already logged and recorded by run_job
                pass
    return call
