"""run_job and the jobs registry: the period row is the lock between processes (two app
instances on one database: exactly one runs), a manual run runs unless another run of the job
is unfinished (then it is refused in French), failures are recorded, the scheduler registers
every job when enabled, and `flask jobs` speaks French."""
import logging
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from concurrency import race

from clausematch import create_app, scheduler
from clausematch.extensions import db as _db
from clausematch.jobs import ABANDONED_RESULT, JobAlreadyRunning, JobRun, run_job
from clausematch.scheduler import JOBS, find_job, run_scheduled

PARIS = ZoneInfo("Europe/Paris")


def runs(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(sa.select(JobRun.job_name, JobRun.period, JobRun.succeeded, JobRun.result)
                              .order_by(JobRun.id)).all()


def test_a_period_runs_once_and_the_next_period_runs_again(db, caplog):
    caplog.set_level(logging.INFO, logger="clausematch.jobs")
    calls = []
    assert run_job("essai", lambda: calls.append(1) or "fait", period="2026-04-10") == "fait"
    assert run_job("essai", lambda: calls.append(2) or "fait", period="2026-04-10") is None
    assert run_job("essai", lambda: calls.append(3) or "fait", period="2026-04-11") == "fait"
    assert calls == [1, 3]
    assert runs(db) == [("essai", "2026-04-10", True, "fait"), ("essai", "2026-04-11", True, "fait")]
    assert "Tâche essai déjà exécutée pour la période 2026-04-10 : ignorée" in caplog.text


def test_the_same_period_of_another_job_is_independent_and_manual_runs_always_run(db):
    assert run_job("a", lambda: 1, period="2026-04") == 1
    assert run_job("b", lambda: 2, period="2026-04") == 2
    assert [run_job("a", lambda: 3), run_job("a", lambda: 4)] == [3, 4]
    assert [period for _, period, _, _ in runs(db)] == ["2026-04", "2026-04", None, None]


def test_a_failed_run_is_recorded_and_keeps_its_period(db):
    with pytest.raises(ValueError):
        run_job("essai", lambda: int("x"), period="2026-04-10")
    assert run_job("essai", lambda: "ok", period="2026-04-10") is None
    [(name, period, succeeded, result)] = runs(db)
    assert (period, succeeded) == ("2026-04-10", False) and result.startswith("ValueError: invalid literal")


def test_duration_is_end_minus_start(db, time_machine):
    time_machine.move_to("2026-04-10 03:00:00", tick=False)

    def slow():
        time_machine.shift(2.5)
        return "fini"

    run_job("lente", slow)
    run = db.session.scalars(sa.select(JobRun)).one()
    assert run.duration_seconds == 2.5


@pytest.fixture
def second_app(database_url, referential_index):
    """Another web process: its own app, engine and session, on the same database."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield other
    with other.app_context():
        _db.engine.dispose()


def test_two_processes_in_turn_run_a_period_once(db, second_app):
    calls = []
    assert run_job("essai", lambda: calls.append("premier") or "ok", period="2026-04-10") == "ok"
    with second_app.app_context():
        assert run_job("essai", lambda: calls.append("second") or "ok", period="2026-04-10") is None
        _db.session.remove()
    assert calls == ["premier"]


def race_runs(apps: dict, attempt) -> tuple[list[str], dict]:
    """Each app (its own connection, as another process would have) calls `attempt(work)` in its
    own thread, all released together (tests/concurrency.py); returns who did the work and what
    each attempt gave (the French message when it was refused)."""
    calls, names = [], list(apps)

    def work(name):
        calls.append(name)
        time.sleep(0.3)  # the winner is still running when the other one tries
        return name

    outcomes = race([apps[name] for name in names], [lambda name=name: attempt(lambda: work(name)) for name in names])
    return calls, {name: outcome.message if isinstance(outcome, JobAlreadyRunning) else outcome
                   for name, outcome in zip(names, outcomes, strict=True)}


def test_two_processes_at_the_same_time_run_a_period_once(app, db, second_app):
    """Both schedulers fire together: each inserts the period's row; the database lets one through."""
    calls, results = race_runs({"un": app, "deux": second_app},
                          lambda work: run_job("essai", work, period="2026-04-10"))
    assert len(calls) == 1
    assert sorted(results.values(), key=lambda result: result is None) == [calls[0], None]
    assert [(name, period) for name, period, _, _ in runs(db)] == [("essai", "2026-04-10")]


def test_a_manual_run_is_refused_while_another_run_of_the_job_works(db, caplog, time_machine):
    time_machine.move_to("2026-04-10 03:30:00", tick=False)
    caplog.set_level(logging.INFO, logger="clausematch.jobs")
    calls = []
    unfinished = JobRun(job_name="essai", started_at=datetime(2026, 4, 10, 3, 0))
    db.session.add(unfinished)
    db.session.commit()
    with pytest.raises(JobAlreadyRunning, match="La tâche essai est déjà en cours : ce lancement est ignoré."):
        run_job("essai", lambda: calls.append("manuel"))
    assert run_job("essai", lambda: calls.append("planifié"), period="2026-04-10") is None
    assert run_job("autre", lambda: calls.append("autre") or "ok") == "ok"  # another job is free
    assert calls == ["autre"]
    assert "Tâche essai déjà en cours : exécution de la période 2026-04-10 ignorée" in caplog.text
    unfinished.finished_at = datetime(2026, 4, 10, 3, 1)
    db.session.commit()
    assert run_job("essai", lambda: "de nouveau") == "de nouveau"


def test_a_run_left_unfinished_by_a_dead_process_is_closed_by_the_next_one(db, time_machine):
    time_machine.move_to("2026-04-10 12:00:00", tick=False)
    db.session.add(JobRun(job_name="essai", started_at=datetime(2026, 4, 10, 5, 59)))
    db.session.commit()
    assert run_job("essai", lambda: "repris") == "repris"
    assert [(succeeded, result) for _, _, succeeded, result in runs(db)] == [(False, ABANDONED_RESULT),
                                                                             (True, "repris")]


@pytest.mark.postgres
def test_two_manual_runs_at_the_same_time_do_the_work_once(app, db, second_app):
    """Two administrators (or cron and an administrator) start the same job at once, each from its
    own process and connection: one does the work, the other is refused in French."""
    calls, outcomes = race_runs({"un": app, "deux": second_app}, lambda work: run_job("essai", work))
    assert len(calls) == 1
    [winner] = calls
    loser = ({"un", "deux"} - {winner}).pop()
    assert outcomes == {winner: winner, loser: "La tâche essai est déjà en cours : ce lancement est ignoré."}
    assert [(name, period, succeeded) for name, period, succeeded, _ in runs(db)] == [("essai", None, True)]


def test_periods_are_paris_days_and_months():
    follow_ups, reminders = find_job("pathways.follow_ups"), find_job("pathways.hours_reminders")
    moment = datetime(2026, 4, 30, 23, 30, tzinfo=ZoneInfo("UTC")).astimezone(PARIS)  # 1 May, 01:30 in Paris
    assert follow_ups.period(moment) == "2026-05-01"
    assert reminders.period(moment) == "2026-05"


def test_run_scheduled_uses_the_local_date_and_period(db, time_machine, monkeypatch):
    seen = []
    job = scheduler.Job("essai", "Essai", "Chaque nuit", lambda on: seen.append(on) or "vu")
    time_machine.move_to(datetime(2026, 4, 30, 23, 30, tzinfo=ZoneInfo("UTC")), tick=False)
    assert run_scheduled(job) == "vu"
    assert seen == [date(2026, 5, 1)] and runs(db)[0][1] == "2026-05-01"


def test_hours_reminder_is_for_the_month_that_has_just_ended(db, monkeypatch):
    from clausematch.pathways import hours_reminders

    months = []
    monkeypatch.setattr(hours_reminders, "send_hours_reminders", lambda month: months.append(month) or 2)
    job = find_job("pathways.hours_reminders")
    assert str(job.func(date(2026, 1, 1))) == "2 lots relancés pour les heures de 12/2025."
    assert months == [date(2025, 12, 1)]


def test_every_job_has_a_french_label_and_a_unique_name():
    assert len({job.name for job in JOBS}) == len(JOBS)
    assert all(job.label and job.schedule for job in JOBS)


def test_scheduler_registers_every_available_job_when_enabled(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SCHEDULER_ENABLED": True})
    aps = app.extensions["scheduler"]
    try:
        with app.app_context():
            available = scheduler.available_jobs()
            registered = {job.id for job in aps.get_jobs()}
            assert registered == {job.scheduler_id for job in available}
            assert {"expire_offers", "pathways.follow_ups", "applications.stale",
                    "pathways.hours_reminders", "mail.deliver"} <= registered
            minutely = {f.name: str(f) for f in aps.get_job("mail.deliver").trigger.fields}
            assert (minutely["second"], minutely["minute"], minutely["hour"]) == ("0", "*", "*")
            fields = {f.name: str(f) for f in aps.get_job("pathways.hours_reminders").trigger.fields}
            assert (fields["day"], fields["hour"]) == ("1", "8")
            assert scheduler.next_run_time(app, find_job("pathways.follow_ups")) is not None
    finally:
        aps.shutdown(wait=False)
        with app.app_context():
            _db.engine.dispose()


def test_a_job_whose_feature_has_not_landed_is_left_out():
    missing = scheduler.Job("x", "X", "Jamais", lambda on: "", requires="clausematch.nowhere:nothing")
    absent_function = scheduler.Job("y", "Y", "Jamais", lambda on: "", requires="clausematch.scheduler:nothing")
    assert (missing.available, absent_function.available) == (False, False)
    assert find_job("inconnue") is None


# --- flask jobs ------------------------------------------------------------------------------

def test_cli_list_and_run(runner, db):
    listed = runner.invoke(args=["jobs", "list"])
    assert listed.exit_code == 0
    assert ("pathways.follow_ups — Création des suivis à 6 mois après les sorties (chaque nuit à 3 h)"
            " — jamais exécutée") in listed.output
    ran = runner.invoke(args=["jobs", "run", "pathways.follow_ups"])
    assert (ran.exit_code, ran.output.strip()) == (0, "Aucun suivi à 6 mois à créer.")
    assert runner.invoke(args=["jobs", "run", "pathways.follow_ups"]).exit_code == 0  # manual: runs again
    assert "réussie : Aucun suivi à 6 mois à créer." in runner.invoke(args=["jobs", "list"]).output
    assert [period for _, period, _, _ in runs(db)] == [None, None]


def test_cli_unknown_job_and_failure(runner, db, monkeypatch):
    refused_while_running = JobRun(job_name="pathways.follow_ups")  # started now, not finished
    db.session.add(refused_while_running)
    db.session.commit()
    refused = runner.invoke(args=["jobs", "run", "pathways.follow_ups"])
    assert refused.exit_code == 1
    assert "La tâche pathways.follow_ups est déjà en cours : ce lancement est ignoré." in refused.output
    db.session.delete(refused_while_running)
    db.session.commit()

    unknown = runner.invoke(args=["jobs", "run", "inconnue"])
    assert unknown.exit_code != 0 and "Tâche inconnue : inconnue. Tâches disponibles : offers.expire" in unknown.output

    def broken(on):
        raise RuntimeError("base indisponible")

    job = find_job("pathways.follow_ups")
    monkeypatch.setattr(scheduler, "JOBS", tuple(scheduler.Job(j.name, j.label, j.schedule, broken)
                                                 if j is job else j for j in scheduler.JOBS))
    failed = runner.invoke(args=["jobs", "run", "pathways.follow_ups"])
    assert failed.exit_code != 0 and "La tâche pathways.follow_ups a échoué : base indisponible" in failed.output
    assert runs(db)[-1][2] is False


def test_cli_help_is_french(runner):
    assert "Tâches planifiées : liste et lancement manuel." in runner.invoke(args=["jobs", "--help"]).output


def test_flask_jobs_scheduler_runs_every_job_in_its_own_process(app, runner, monkeypatch):
    from apscheduler.schedulers.blocking import BlockingScheduler

    started = []
    monkeypatch.setattr(BlockingScheduler, "start", lambda aps: started.append({job.id for job in aps.get_jobs()}))
    result = runner.invoke(args=["jobs", "scheduler"])
    assert result.exit_code == 0, result.output
    assert started == [{job.scheduler_id for job in scheduler.available_jobs()}]
    assert "mail.deliver" in started[0]
