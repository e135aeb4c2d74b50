"""/admin/taches: every job with its last run, duration and result; "Lancer maintenant" runs it
(manual run, no period), audited; administrators only."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from factories import JobRunFactory
from markupsafe import escape

from clausematch import scheduler
from clausematch.audit import AuditEvent
from clausematch.jobs import JobRun


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_page_lists_every_job_with_its_last_run(db, client, admin):
    JobRunFactory(job_name="pathways.follow_ups", period="2026-04-09", started_at=datetime(2026, 4, 9, 1, 0),
                  finished_at=datetime(2026, 4, 9, 1, 0, 3), result="Ancien résultat")
    JobRunFactory(job_name="pathways.follow_ups", period="2026-04-10", started_at=datetime(2026, 4, 10, 1, 0),
                  finished_at=datetime(2026, 4, 10, 1, 0, 2), result="2 suivis à 6 mois créés.")
    JobRunFactory(job_name="applications.stale", started_at=datetime(2026, 4, 10, 5, 0), finished_at=None,
                  succeeded=None)
    db.session.commit()
    html = client.get("/admin/taches").get_data(as_text=True)
    for job in scheduler.available_jobs():
        assert str(escape(job.label)) in html and f"flask jobs run {job.name}" in html
    assert "Réussie : 2 suivis à 6 mois créés." in html and "Ancien résultat" not in html
    assert "2,0&nbsp;s" in html and "période 2026-04-10" in html and "10/04/2026 01:00" in html
    assert "En cours" in html and "Jamais" in html
    assert "Planificateur arrêté" in html  # no scheduler in tests


def test_page_runs_a_fixed_number_of_queries(db, count_queries, client, admin):
    db.session.commit()
    db.session.expire_all()
    with count_queries() as few:
        assert client.get("/admin/taches").status_code == 200
    for job in scheduler.available_jobs():
        for _ in range(5):
            JobRunFactory(job_name=job.name, finished_at=datetime(2026, 4, 10, 1, 0))
    db.session.commit()
    db.session.expire_all()
    with count_queries() as many:
        assert client.get("/admin/taches").status_code == 200
    assert len(many) == len(few)


def test_run_now_runs_the_job_manually_and_is_audited(db, client, personas, admin):
    response = client.post("/admin/taches/pathways.follow_ups/lancer")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/taches")
    run = db.session.scalars(sa.select(JobRun)).one()
    assert (run.job_name, run.period, run.succeeded, run.result) == \
        ("pathways.follow_ups", None, True, "Aucun suivi à 6 mois à créer.")
    audit = db.session.scalars(sa.select(AuditEvent)).one()
    assert (audit.action, audit.actor_id, audit.details) == \
        ("job.run_manually", personas["admin"].id, {"job": "pathways.follow_ups"})
    page = client.get("/admin/taches").get_data(as_text=True)
    assert "Tâche exécutée : Aucun suivi à 6 mois à créer." in page and "lancement manuel" in page
    client.post("/admin/taches/pathways.follow_ups/lancer")
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 2  # one after the other, both run


def test_run_now_is_refused_while_the_job_is_running(db, client, admin):
    db.session.add(JobRun(job_name="pathways.follow_ups"))  # started now, not finished
    db.session.commit()
    response = client.post("/admin/taches/pathways.follow_ups/lancer", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "La tâche pathways.follow_ups est déjà en cours : ce lancement est ignoré." in page
    assert "a échoué" not in page
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 1


def test_a_failing_job_is_reported_on_the_page(db, client, admin, monkeypatch):
    def broken(on):
        raise RuntimeError("base indisponible")

    monkeypatch.setattr(scheduler, "JOBS", (scheduler.Job("essai", "Tâche d'essai", "Jamais", broken),))
    response = client.post("/admin/taches/essai/lancer", follow_redirects=True)
    assert "La tâche a échoué : RuntimeError: base indisponible" in response.get_data(as_text=True)
    assert db.session.scalars(sa.select(JobRun.succeeded)).one() is False


def test_unknown_job_is_404(db, client, admin):
    assert client.post("/admin/taches/inconnue/lancer").status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "prescriber", "company", "buyer"])
def test_others_may_not_see_nor_run_jobs(db, client, login_as, role):
    login_as(role)
    assert client.get("/admin/taches").status_code == 403
    assert client.post("/admin/taches/pathways.follow_ups/lancer").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(JobRun.id))) == 0


def test_admin_home_links_to_the_jobs_page(db, client, admin):
    html = client.get("/admin").get_data(as_text=True)
    assert 'href="/admin/taches"' in html
