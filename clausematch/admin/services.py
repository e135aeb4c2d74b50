"""The scheduled jobs as administrators see and run them."""
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from clausematch import scheduler
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role
from clausematch.audit import record
from clausematch.errors import DomainError, NotAllowed
from clausematch.jobs import JobAlreadyRunning, JobRun, last_runs
from clausematch.scheduler import Job


def can_run_jobs(user: User) -> bool:
    """Running a job by hand is a platform operation: administrators only."""
    return has_role(user, Role.ADMIN)


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last_run: JobRun | None
    next_run: datetime | None


def jobs_overview() -> list[JobStatus]:
    """Every job with its latest run (one query) and its next run when a scheduler runs here."""
    jobs = scheduler.available_jobs()
    runs = last_runs([job.name for job in jobs])
    return [JobStatus(job, runs.get(job.name), scheduler.next_run_time(current_app, job)) for job in jobs]


def run_job_now(name: str, actor: User) -> JobRun:
    """Run the job `name` now, on behalf of an administrator; returns its recorded run, failed or not.
    Raises JobAlreadyRunning, with nothing recorded, while another run of the job is at work."""
    if not can_run_jobs(actor):
        raise NotAllowed("Seuls les administrateurs peuvent lancer une tâche.")
    job = scheduler.find_job(name)
    if job is None:
        raise DomainError("Cette tâche n'existe pas.")
    # Committed with the run's row, before the work starts.
    record("job.run_manually", "job_run", None, actor_id=actor.id, job=job.name)
    try:
        scheduler.run_now(job)
    except JobAlreadyRunning:
        raise
    except Exception:  # noqa: BLE001 — run_job has logged and recorded the failure; the page shows it
        pass
    return last_runs([job.name])[job.name]
