"""SCHEDULER_ENABLED=1 on every process is safe: 4 real OS processes (tests/scheduler/scheduler_process.py),
each with its own APScheduler and the real job list, fire every job for the same period at the
same moment on one PostgreSQL database; each job runs exactly once for the period (one job_runs
row each), and its work is done once (the silent application closed once: one event, one e-mail;
the waiting e-mail delivered by one process only). A process killed in the middle of a run
writes nothing of its work; the next period's run (two processes) closes the dead run and does
the work, once.
PostgreSQL pass only (--db postgresql): SQLite serialises writes."""
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from factories import ApplicationFactory, CandidateInTerritoryFactory, OfferInTerritoryFactory

from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.applications.stale import CLOSING_COMMENT
from clausematch.jobs import ABANDONED_RESULT, JobRun
from clausematch.notifications import OutboxMessage
from clausematch.scheduler import available_jobs

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("scheduler_process.py")
PROCESSES = 4
LIMIT = 120  # seconds: a safety net for a process that hangs, not a measure
PARIS = ZoneInfo("Europe/Paris")
# Five seconds past the minute: the real every-minute trigger of mail.deliver is 55 s away.
FIRST_OF_JUNE = datetime(2026, 6, 1, 8, 0, 5, tzinfo=PARIS)
S = ApplicationStatus


def run_processes(database_url: str, moment: datetime, tmp_path: Path, count: int = PROCESSES,
                  mode: str = "all") -> list[subprocess.CompletedProcess]:
    """Start `count` scheduler processes at `moment`, release them together once all are ready
    (GO file), and wait for them."""
    go = tmp_path / f"go-{moment:%Y%m%d}-{mode}"
    ready = [tmp_path / f"ready-{moment:%Y%m%d}-{mode}-{index}" for index in range(count)]
    processes = [subprocess.Popen([sys.executable, str(WORKER), database_url, moment.isoformat(), str(path),
                                   str(go), mode], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for path in ready]
    try:
        deadline = time.monotonic() + LIMIT
        while not all(path.exists() for path in ready):
            assert all(process.poll() is None for process in processes), "a process stopped before it was ready"
            assert time.monotonic() < deadline, "the processes are not ready"
            time.sleep(0.05)
        go.touch()
        outcomes = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=LIMIT)
            outcomes.append(subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr))
        return outcomes
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def delivered(outcomes) -> list[int]:
    assert [outcome.returncode for outcome in outcomes] == [0] * len(outcomes), [o.stderr for o in outcomes]
    return [message_id for outcome in outcomes
            for message_id in json.loads(outcome.stdout.splitlines()[-1])["delivered"]]


def runs_of(db, moment: datetime) -> Counter:
    """(job, succeeded) → number of runs for the period each job has at `moment`."""
    db.session.expire_all()
    rows = db.session.execute(sa.select(JobRun.job_name, JobRun.period, JobRun.succeeded)).all()
    periods = {job.name: job.period(moment) for job in available_jobs()}
    return Counter((name, succeeded) for name, period, succeeded in rows if periods.get(name) == period)


@pytest.fixture
def silent_application(db, personas):
    """An application sent to the company 92 days before FIRST_OF_JUNE and silent since."""
    prescriber = personas["prescriber"]
    application = ApplicationFactory(
        candidate=CandidateInTerritoryFactory(prescriber=prescriber.organisation), offer=OfferInTerritoryFactory(),
        status=S.SENT, proposed_by_id=prescriber.id, last_event_at=datetime(2026, 3, 1),
        created_at=datetime(2026, 3, 1))
    db.session.commit()
    return application


def closing_events(db, application) -> list:
    db.session.expire_all()
    return db.session.execute(sa.select(ApplicationEvent.to_status, ApplicationEvent.comment)
                              .where(ApplicationEvent.application_id == application.id)).all()


def test_four_processes_run_each_job_once_per_period(db, database_url, silent_application, tmp_path):
    waiting = OutboxMessage(recipient="entreprise@exemple.fr", subject="Essai", body="Un e-mail en attente.")
    db.session.add(waiting)
    db.session.commit()

    ids = delivered(run_processes(database_url, FIRST_OF_JUNE, tmp_path))

    assert runs_of(db, FIRST_OF_JUNE) == {(job.name, True): 1 for job in available_jobs()}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == len(available_jobs())
    assert closing_events(db, silent_application) == [(S.REFUSED, CLOSING_COMMENT)]
    # The e-mail waiting before the run and the one telling the prescriber of the closing: each
    # queued once, delivered at most once (the closing may be committed after this minute's delivery).
    messages = db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.attempts).order_by(OutboxMessage.id)).all()
    assert len(messages) == 2 and messages[0] == (waiting.id, 1)
    assert waiting.id in ids and len(ids) == len(set(ids)) == sum(attempts for _, attempts in messages)


def test_a_process_killed_mid_run_leaves_nothing_and_the_next_period_runs_once(db, database_url,
                                                                               silent_application, tmp_path):
    killed_on = FIRST_OF_JUNE.replace(hour=7)
    [killed] = run_processes(database_url, killed_on, tmp_path, count=1, mode="crash")
    assert killed.returncode == 3, killed.stderr  # scheduler_process.CRASH_STATUS: died mid-run

    db.session.expire_all()
    [dead] = db.session.scalars(sa.select(JobRun)).all()
    assert (dead.job_name, dead.period, dead.finished_at) == ("applications.stale", "2026-06-01", None)
    assert db.session.get(Application, silent_application.id).status == S.SENT  # the cut unit of work left nothing
    assert closing_events(db, silent_application) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0

    next_day = killed_on.replace(day=2)
    delivered(run_processes(database_url, next_day, tmp_path, count=2))  # four at once: the test above

    assert runs_of(db, next_day) == {(job.name, True): 1 for job in available_jobs()}
    db.session.refresh(dead)
    assert (dead.succeeded, dead.result) == (False, ABANDONED_RESULT)
    assert closing_events(db, silent_application) == [(S.REFUSED, CLOSING_COMMENT)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
