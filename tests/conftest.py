"""Shared fixtures: one database per run (SQLite file, or PostgreSQL with --db=postgresql),
schema from the models, reference data loaded once; every test starts from empty domain tables.
"""
import os
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from database_support import counting_statements, empty_domain_tables

from clausematch import create_app
from clausematch.extensions import db as _db
from clausematch.referential.loading import load_reference_data

sys.path.insert(0, str(Path(__file__).parent))  # tests/factories.py importable as `factories`

DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pytest_configure(config):
    # The suite runs as `testing` (TestConfig says so too), and so do the processes it starts.
    os.environ["CLAUSEMATCH_ENV"] = "testing"


def pytest_addoption(parser):
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite",
                     help="Base de données des tests (PostgreSQL : TEST_POSTGRES_URL, serveur d'administration).")


def postgres_admin_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_ADMIN_URL)


def postgres_available() -> bool:
    try:
        engine = sa.create_engine(postgres_admin_url())
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def create_postgres_database(prefix: str) -> tuple[str, callable]:
    """Create a throwaway database on the PostgreSQL server; returns its URL and a dropper."""
    admin = sa.create_engine(postgres_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


@pytest.fixture(scope="session")
def database_url(request, tmp_path_factory):
    if request.config.getoption("--db") == "postgresql":
        url, drop = create_postgres_database("clausematch_test")
    else:
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}", lambda: None
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _db.create_all()
        load_reference_data()
        _db.engine.dispose()
    yield url
    drop()


@pytest.fixture(scope="session")
def referential_index(database_url):
    """The in-memory reference search index, built once per run (reference data never changes
    in tests) and handed to every app: building it takes seconds."""
    from clausematch.referential import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        index = search.ReferentialIndex.from_database()
        _db.session.remove()
        _db.engine.dispose()
    return index


@pytest.fixture
def app(database_url, referential_index):
    from clausematch.referential import search

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    app.extensions[search.EXTENSION_KEY] = referential_index
    with app.app_context():
        yield app
        _db.session.remove()
        empty_domain_tables(_db)
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def count_queries(db):
    """`with count_queries() as statements:` … `len(statements)`: the SQL statements run on
    db.engine inside the block (pages and lists run a bounded number of them)."""
    return lambda: counting_statements(db.engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- Personas: one user per role, each in an organisation of the same territory -------------

class AuthActions:
    """Log a client in and out through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = None):
        from factories import TEST_PASSWORD

        return self.client.post("/connexion", data={"email": user.email, "password": password or TEST_PASSWORD})

    def logout(self):
        return self.client.post("/deconnexion")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def territory(db):
    from factories import TerritoryFactory

    return TerritoryFactory(name="Plaine Commune")


@pytest.fixture
def personas(db, territory):
    """A dict role value -> User, each member of its own organisation in `territory`."""
    from factories import BuyerFactory, CompanyFactory, FacilitatorTeamFactory, PrescriberFactory, UserFactory

    from clausematch.accounts.models import Role

    users = {
        "facilitator": UserFactory(role=Role.FACILITATOR, email="facilitateur@exemple.fr",
                                   organisation=FacilitatorTeamFactory(territory=territory)),
        "prescriber": UserFactory(role=Role.PRESCRIBER, email="prescripteur@exemple.fr",
                                  organisation=PrescriberFactory(territory=territory)),
        "company": UserFactory(role=Role.COMPANY, email="entreprise@exemple.fr",
                               organisation=CompanyFactory(territory=territory)),
        "buyer": UserFactory(role=Role.BUYER, email="acheteur@exemple.fr",
                             organisation=BuyerFactory(territory=territory)),
        "admin": UserFactory(role=Role.ADMIN, email="admin@exemple.fr"),
    }
    db.session.commit()
    return users


@pytest.fixture
def login_as(app, client, personas):
    """login_as("company") logs the test client in as that persona, without the form."""
    from flask_login.utils import _create_identifier

    def login(role_or_user):
        from clausematch.database import utcnow

        user = personas[role_or_user] if isinstance(role_or_user, str) else role_or_user
        user.last_seen_at = utcnow()  # as a real login does: the server-side idle clock starts now
        _db.session.commit()
        # Same remote address and user agent as the client, or "strong" session protection
        # drops the login on the first request.
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
        return user
    return login


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` release real parallel connections together: SQLite serialises
    writes, so on SQLite they are deselected (not skipped); the PostgreSQL pass runs them."""
    if config.getoption("--db") == "postgresql":
        return
    deselected = [item for item in items if item.get_closest_marker("postgres")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


# --- Strict mode (CLAUSEMATCH_STRICT=1, set by .ci/run): nothing may be skipped --------------

def strict_mode() -> bool:
    return os.environ.get("CLAUSEMATCH_STRICT") == "1"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """In strict mode a skipped test (no Chromium, no server...) is reported as a failure."""
    report = yield
    if strict_mode() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"Mode strict (CLAUSEMATCH_STRICT=1) : test ignoré, donc en échec. Raison : {reason}"
    return report


def pytest_sessionfinish(session, exitstatus):
    """Skips that are not tests (a module skipped while collecting) fail a strict run too."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    passing = exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    if strict_mode() and passing and reporter is not None and reporter.stats.get("skipped"):
        reporter.write_line("Mode strict (CLAUSEMATCH_STRICT=1) : des tests ont été ignorés, échec.", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    """How many requests the bad-input fuzz test sent (tests/test_fuzz_routes.py, `record_property`)."""
    reports = [report for key in ("passed", "failed") for report in terminalreporter.stats.get(key, [])
               if report.when == "call"]
    total = sum(dict(report.user_properties).get("fuzz_requests", 0) for report in reports)
    if total:
        terminalreporter.write_line(f"Saisies invalides (hypothesis) : {total} requêtes sur chaque route × rôle, "
                                    "aucune réponse 5xx.")
