"""PostgreSQL restarting under the application, for real: a throwaway cluster (tests/postgres_cluster.py)
is stopped, started and restarted while an app is connected to it. While it is down, pages answer
the French 503 page with Retry-After and /healthz a 503 JSON; once it is back, the next request
succeeds (pool_pre_ping drops the dead connections); a form whose transaction is cut between its
two writes (its backend terminated from another connection) leaves nothing half-written.
PostgreSQL pass only (--db postgresql)."""
import html as html_lib
import logging

import pytest
import sqlalchemy as sa
from factories import TEST_PASSWORD, FacilitatorTeamFactory, UserFactory
from postgres_cluster import bindir, throwaway_cluster

from clausematch import create_app
from clausematch.accounts.models import Role, Territory
from clausematch.audit import AuditEvent
from clausematch.extensions import db as _db

pytestmark = pytest.mark.postgres

EMAIL = "facilitatrice@exemple.fr"
SETTINGS = {"eligibility_validity_months": "6", "default_labour_share": "50", "default_insertion_rate": "7,5",
            "default_hourly_cost": "32,50", "cdi_lump_hours": "1607", "exit_convention": "dgefp",
            "inactivity_months": "24", "accountability_years": "5", "access_log_months": "12"}


@pytest.fixture
def cluster():
    assert bindir() is not None, "PostgreSQL (initdb, pg_ctl) doit être installé : /usr/lib/postgresql/*/bin"
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def cluster_app(cluster):
    """An app on the throwaway cluster, with a facilitator signed in on its test client. No
    application context stays pushed: each request has its own, as in production, and gives its
    connection back to the pool when it ends."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": cluster.url})
    with app.app_context():
        _db.create_all()
        UserFactory(role=Role.FACILITATOR, email=EMAIL, organisation=FacilitatorTeamFactory())
        _db.session.commit()
    app.client = app.test_client()
    assert app.client.post("/connexion", data={"email": EMAIL, "password": TEST_PASSWORD}).status_code == 302
    yield app
    with app.app_context():
        _db.engine.dispose()


def settings_saved(app) -> tuple:
    """The territory's insertion rate and the number of settings audit events, read afresh."""
    with app.app_context():
        rate = _db.session.scalar(sa.select(Territory.default_insertion_rate))
        audited = _db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action == "territory_settings_updated"))
        return str(rate), audited


def assert_unavailable_page(response) -> None:
    html = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert '<html lang="fr"' in html and "<h1>Service momentanément indisponible</h1>" in html
    assert "rien n'en a été enregistré à moitié" in html
    assert "Connecté en tant que" not in html  # drawn as for a visitor: the menu would query the database


def test_while_the_server_is_down_pages_answer_503_in_french_then_the_pool_reconnects(cluster, cluster_app, caplog):
    client = cluster_app.client
    assert client.get("/parametres").status_code == 200  # a pooled connection now exists

    cluster.restart()
    assert client.get("/parametres").status_code == 200  # pre-ping: the dead pooled connection is replaced

    cluster.stop()
    caplog.set_level(logging.WARNING, logger="clausematch.web.errors")
    assert_unavailable_page(client.get("/parametres"))
    assert_unavailable_page(client.post("/parametres", data=SETTINGS))
    for health in (client.get("/healthz"), cluster_app.test_client().get("/healthz")):  # signed in or not
        assert health.status_code == 503
        assert health.get_json() == {"status": "error", "database": "OperationalError"}
    api_like = client.get("/parametres", headers={"Accept": "application/json"})
    assert api_like.status_code == 503 and api_like.get_json()["error"] == "Service momentanément indisponible"
    assert "Base de données injoignable (OperationalError) pendant GET settings.edit : réponse 503" in caplog.text
    assert EMAIL not in caplog.text  # no SQL parameters, no personal data

    cluster.start()
    assert client.get("/parametres").status_code == 200
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["database"] == "ok"


def test_a_form_cut_between_its_two_writes_leaves_nothing_and_the_next_one_saves(cluster, cluster_app):
    """The settings form writes the territory and its audit event in one unit of work: the
    backend is terminated just before the second of the two statements runs."""
    client = cluster_app.client
    before = settings_saved(cluster_app)
    assert before == ("0.0500", 0)
    with cluster_app.app_context():
        engine = _db.engine
    killer = sa.create_engine(cluster.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    writes, cut = [], []

    def cut_before_second_write(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(("UPDATE territories", "INSERT INTO audit_events")):
            writes.append(statement.split(" (")[0])
            if len(writes) == 2 and not cut:
                pid = cursor.connection.info.backend_pid
                with killer.connect() as other:  # waits (up to 10 s) for the backend to be gone
                    cut.append(other.scalar(sa.text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}))

    sa.event.listen(engine, "before_cursor_execute", cut_before_second_write)
    try:
        assert_unavailable_page(client.post("/parametres", data=SETTINGS))
    finally:
        sa.event.remove(engine, "before_cursor_execute", cut_before_second_write)
        killer.dispose()
    assert cut == [True] and len(writes) == 2
    assert settings_saved(cluster_app) == before  # the first write was rolled back with the cut transaction

    assert client.post("/parametres", data=SETTINGS).status_code == 302  # reconnected, saved whole
    assert settings_saved(cluster_app) == ("0.0750", 1)
