"""Per-IP throttling of the forms that take a password or an e-mail address (Flask-Limiter):
in memory by default, in Redis in production; off in the rest of the suite."""
import socket
import uuid

import pytest

from clausematch import create_app
from clausematch.extensions import db as _db

OFFICE = {"REMOTE_ADDR": "198.51.100.7"}
NEXT_DOOR = {"REMOTE_ADDR": "198.51.100.8"}
TOO_MANY = "Trop de tentatives"


@pytest.fixture
def throttled_app(database_url, referential_index):
    def build(**config):
        from clausematch.referential import search

        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True, **config})
        app.extensions[search.EXTENSION_KEY] = referential_index
        built.append(app)
        return app

    built = []
    yield build
    for app in built:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def post_many(client, path: str, count: int, environ: dict, **data) -> list[int]:
    return [client.post(path, data=data, environ_base=environ).status_code for _ in range(count)]


def test_login_allows_twenty_posts_a_minute_per_address_then_a_french_429(throttled_app, personas):
    client = throttled_app().test_client()
    statuses = post_many(client, "/connexion", 20, OFFICE, email="personne@exemple.fr", password="x" * 12)
    assert statuses == [200] * 20
    refused = client.post("/connexion", data={"email": "a@exemple.fr", "password": "y"}, environ_base=OFFICE)
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert TOO_MANY in page and "Patientez quelques minutes" in page
    assert int(refused.headers["Retry-After"]) > 0
    assert client.get("/connexion", environ_base=OFFICE).status_code == 200  # reading the page is free
    assert client.post("/connexion", data={"email": "a@exemple.fr", "password": "y"},
                       environ_base=NEXT_DOOR).status_code == 200  # another address is not affected


@pytest.mark.parametrize("path", ["/mot-de-passe-oublie", "/mot-de-passe/lien-inconnu", "/invitation/lien-inconnu"])
def test_reset_and_invitation_forms_allow_ten_posts_a_minute(throttled_app, path):
    client = throttled_app().test_client()
    statuses = post_many(client, path, 11, OFFICE, email="personne@exemple.fr", password="p" * 12, confirm="p" * 12)
    assert 429 not in statuses[:10]
    assert statuses[10] == 429


def test_the_suite_is_not_throttled(client, personas):
    statuses = post_many(client, "/connexion", 30, OFFICE, email="personne@exemple.fr", password="x" * 12)
    assert 429 not in statuses


def redis_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="Redis absent sur 127.0.0.1:6379")
def test_counters_shared_through_redis_across_processes(throttled_app, personas):
    """Two application processes (two apps here) behind the same address share one budget."""
    config = {"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379",
              "RATELIMIT_KEY_PREFIX": f"clausematch-test-{uuid.uuid4().hex}"}
    first, second = throttled_app(**config).test_client(), throttled_app(**config).test_client()
    assert post_many(first, "/connexion", 10, OFFICE, email="a@exemple.fr", password="y") == [200] * 10
    assert post_many(second, "/connexion", 10, OFFICE, email="a@exemple.fr", password="y") == [200] * 10
    assert first.post("/connexion", data={"email": "a@exemple.fr"}, environ_base=OFFICE).status_code == 429
    assert second.post("/connexion", data={"email": "a@exemple.fr"}, environ_base=OFFICE).status_code == 429


def closed_port() -> int:
    """A local TCP port nothing listens on (bound then released, so refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_storage_down_keeps_throttling_in_memory_with_a_warning(throttled_app, personas, caplog):
    """Redis unreachable: the login page answers as usual, the per-address budget still holds
    (counted in this process's memory), and the log says so without naming anyone."""
    app = throttled_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}")
    client = app.test_client()
    with caplog.at_level("WARNING"):
        statuses = post_many(client, "/connexion", 20, OFFICE, email="personne@exemple.fr", password="x" * 12)
        refused = client.post("/connexion", data={"email": "personne@exemple.fr", "password": "y"},
                              environ_base=OFFICE)
    assert statuses == [200] * 20
    assert "mot de passe incorrect" in client.post(
        "/connexion", data={"email": "a@exemple.fr", "password": "y"}, environ_base=NEXT_DOOR).get_data(as_text=True)
    assert refused.status_code == 429 and TOO_MANY in refused.get_data(as_text=True)
    warnings = [record.getMessage() for record in caplog.records if record.levelname == "WARNING"]
    assert any("falling back to in-memory storage" in message for message in warnings)
    logged = caplog.text
    assert "personne@exemple.fr" not in logged and OFFICE["REMOTE_ADDR"] not in logged
