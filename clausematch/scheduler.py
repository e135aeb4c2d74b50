"""The jobs of the platform, listed once in JOBS, and their schedule: APScheduler in the web
process when SCHEDULER_ENABLED=1 (development), in a process of its own with `flask jobs
scheduler` (production, beside gunicorn), never in tests.

This module sits above every feature (its adapters call into them); no feature imports it.
Runs go through clausematch.jobs.run_job, which records them in job_runs and keeps them single.
A scheduled run covers a period ("2026-11-27", "2026-11"): the first web process to insert that
period's row runs the job, the others skip it. A manual run (the admin page's "Lancer
maintenant", `flask jobs run <name>` and its older aliases such as `flask offers expire`) has no
period: it runs unless another run of the job is still working, and is then refused
(JobAlreadyRunning). Each run records its start, end and a short French result, shown on
/admin/taches.
"""
import importlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from clausematch.database import TIMEZONE, local_now
from clausematch.jobs import ABANDONED_AFTER, forget_runs, run_job

log = logging.getLogger(__name__)


# --- The jobs of the platform ------------------------------------------------------------------
# Each adapter takes the local date the run is for and returns the short French result (or a
# value whose str() is that result).
# Imports are inside: each feature's module is loaded only when its job runs.

def _expire_offers(on: date) -> str:
    from clausematch.offers.jobs import expire_offers, expiry_summary

    return expiry_summary(expire_offers(on))


def _create_follow_ups(on: date) -> str:
    from clausematch.pathways.jobs import create_due_follow_ups, follow_ups_summary

    return follow_ups_summary(create_due_follow_ups(on))


def _stale_applications(on: date) -> str:
    from clausematch.applications.stale import handle_stale_applications

    return handle_stale_applications(on).summary()


def _hours_reminders(on: date) -> Any:
    from clausematch.pathways.hours_reminders import RemindersSent, send_hours_reminders

    # On the 1st, companies are reminded of the month that has just ended.
    month = (on.replace(day=1) - timedelta(days=1)).replace(day=1)
    return RemindersSent(month, send_hours_reminders(month))


def _rebuild_matching(on: date) -> str:
    from clausematch.matching.services import rebuild_job

    return rebuild_job()


def _train_matching(on: date) -> str:
    from clausematch.matching.services import train_model_job

    return train_model_job()


def _retention(on: date) -> Any:
    from clausematch.privacy.retention import run

    return run(on)


def _purge_access_log(on: date) -> str:
    from clausematch.privacy.access_log import purge_access_log, purge_summary

    return purge_summary(purge_access_log(on))


# The delivery runs every minute: a day of its runs is kept, not a row per minute forever.
MINUTE_RUNS_KEPT = timedelta(days=1)


def _deliver_mail(on: date) -> Any:
    from clausematch.database import utcnow
    from clausematch.notifications import deliver_outbox

    delivery = deliver_outbox()
    forget_runs("mail.deliver", before=utcnow() - MINUTE_RUNS_KEPT)
    return delivery


@dataclass(frozen=True)
class Job:
    """A job of the platform: what it is called, when it runs and what it calls."""

    name: str
    label: str
    schedule: str
    func: Callable[[date], Any]
    cron: dict[str, int] = field(default_factory=dict)
    monthly: bool = False
    # A job that runs every minute has a period per minute, and a run older than
    # `abandoned_after` is taken as dead (see clausematch.jobs).
    every_minute: bool = False
    abandoned_after: timedelta = ABANDONED_AFTER
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
        """The period a scheduled run at `moment` (local time) covers: its day, its month, or its
        minute."""
        if self.every_minute:
            return moment.strftime("%Y-%m-%dT%H:%M")
        return moment.strftime("%Y-%m" if self.monthly else "%Y-%m-%d")


JOBS: tuple[Job, ...] = (
    Job("offers.expire", "Clôture des offres dont la publication est terminée", "Chaque nuit à 2 h",
        _expire_offers, cron={"hour": 2, "minute": 0}, schedule_id="expire_offers"),
    Job("pathways.follow_ups", "Création des suivis à 6 mois après les sorties", "Chaque nuit à 3 h",
        _create_follow_ups, cron={"hour": 3, "minute": 0}),
    Job("matching.rebuild", "Reconstruction de l'index de rapprochement candidats-offres", "Chaque nuit à 4 h",
        _rebuild_matching, cron={"hour": 4, "minute": 0}, requires="clausematch.matching.services:rebuild_job"),
    Job("matching.train", "Réentraînement du modèle de classement sur les embauches et refus enregistrés",
        "Chaque lundi à 5 h", _train_matching, cron={"day_of_week": 0, "hour": 5, "minute": 0},
        requires="clausematch.matching.services:train_model_job"),
    Job("privacy.access_log", "Suppression des entrées du journal des accès plus anciennes que la durée de "
        "conservation du territoire", "Chaque nuit à 1 h 30", _purge_access_log, cron={"hour": 1, "minute": 30},
        requires="clausematch.privacy.access_log:purge_access_log"),
    Job("applications.stale", "Relance (30 jours) et clôture (60 jours) des candidatures sans nouvelle",
        "Chaque jour à 7 h", _stale_applications, cron={"hour": 7, "minute": 0}),
    Job("pathways.hours_reminders", "Rappel aux entreprises des heures du mois à déclarer",
        "Le 1er de chaque mois à 8 h", _hours_reminders, cron={"day": 1, "hour": 8, "minute": 0}, monthly=True,
        requires="clausematch.pathways.hours_reminders:send_hours_reminders"),
    Job("privacy.retention", "Conservation des données : prévenir le prescripteur 30 jours avant, puis anonymiser "
        "les personnes sans activité depuis la durée fixée par le territoire", "Chaque nuit à 1 h", _retention,
        cron={"hour": 1, "minute": 0}, requires="clausematch.privacy.retention:run"),
    Job("mail.deliver", "Envoi des e-mails en attente (nouvel essai des échecs, de plus en plus espacé)",
        "Chaque minute", _deliver_mail, cron={"second": 0}, every_minute=True,
        abandoned_after=timedelta(minutes=15)),
)


def available_jobs() -> list[Job]:
    return [job for job in JOBS if job.available]


def find_job(name: str) -> Job | None:
    """The available job called `name`, or None."""
    return next((job for job in available_jobs() if job.name == name), None)


def run_scheduled(job: Job, moment: datetime | None = None) -> Any:
    """The scheduler's run of `job`: for the period of `moment` (default now), once whatever the
    number of processes. Returns the French result, or None when another process ran it."""
    moment = moment or local_now()
    return run_job(job.name, lambda: job.func(moment.date()), period=job.period(moment),
                   abandoned_after=job.abandoned_after)


def run_now(job: Job, on: date | None = None) -> Any:
    """A manual run (admin page, CLI) for `on` (default: today's local date). It has no period;
    while another run of the job works it is refused with clausematch.jobs.JobAlreadyRunning."""
    day = on or local_now().date()
    return run_job(job.name, lambda: job.func(day), abandoned_after=job.abandoned_after)


def next_run_time(app, job: Job) -> datetime | None:
    """When the running scheduler will next start `job` (None when no scheduler runs here)."""
    scheduler = app.extensions.get("scheduler")
    scheduled = scheduler.get_job(job.scheduler_id) if scheduler is not None else None
    return scheduled.next_run_time if scheduled is not None else None


def init_app(app) -> None:
    """SCHEDULER_ENABLED=1: the jobs run in a thread of this process (`make run`). Under gunicorn
    (`make serve`, SCHEDULER_AFTER_FORK=1 set by gunicorn.conf.py) the app is loaded in the master:
    no thread may run there at fork time, so each worker starts its own (`start`, post_fork hook);
    the period lock runs each job once whatever the number of workers. `flask jobs scheduler` is
    the other way: a process of its own."""
    if app.config.get("SCHEDULER_ENABLED") and not app.config.get("SCHEDULER_AFTER_FORK"):
        start(app)


def start(app) -> None:
    """Run the jobs in a background thread of this process."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = _with_jobs(app, BackgroundScheduler(timezone=TIMEZONE))
    scheduler.start()
    app.extensions["scheduler"] = scheduler
    log.info("Planificateur démarré (processus %s)", os.getpid())


def run_in_foreground(app) -> None:
    """`flask jobs scheduler`: this process runs the jobs, and only that, until it is stopped."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    log.info("Planificateur démarré (processus dédié)")
    _with_jobs(app, BlockingScheduler(timezone=TIMEZONE)).start()


def _with_jobs(app, scheduler):
    for job in available_jobs():
        # A run missed by less than an hour (restart) still happens; the period lock keeps it single.
        scheduler.add_job(_scheduled_call(app, job), "cron", id=job.scheduler_id, coalesce=True,
                          max_instances=1, misfire_grace_time=3600, **job.cron)
    return scheduler


def _scheduled_call(app, job: Job) -> Callable[[], None]:
    def call() -> None:
        with app.app_context():
            try:
                run_scheduled(job)
            except Exception:  # noqa: BLE001 — already logged and recorded by run_job
                pass
    return call
