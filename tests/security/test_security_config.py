"""Configuration fails closed: production (the default) refuses to start without a real
SECRET_KEY; `make run` is development, the suite is testing; requests are capped in size."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clausematch import create_app

DEVELOPMENT_SECRET_KEY = "dev-only-change-me"  # the public key of development (clausematch/config.py)

ROOT = Path(__file__).resolve().parents[2]


# What the production checks read; a test sets exactly the ones it names.
CHECKED = ("CLAUSEMATCH_ENV", "SECRET_KEY", "PUBLIC_BASE_URL", "PORT", "MAIL_TRANSPORT", "SMTP_HOST",
           "SESSION_COOKIE_SECURE")
REAL_KEY = "une-vraie-clé-longue-et-aléatoire-0123456789"
PRODUCTION = {"SECRET_KEY": REAL_KEY, "PUBLIC_BASE_URL": "https://clausematch.exemple.fr",
              "SMTP_HOST": "smtp.exemple.fr"}


def start(environment: dict, show: str = "CLAUSEMATCH_ENV") -> subprocess.CompletedProcess:
    """`create_app()` in a fresh interpreter with exactly these variables among CHECKED; prints the
    configuration values named in `show` (space separated)."""
    env = {k: v for k, v in os.environ.items() if k not in CHECKED}
    env.update(environment, DATABASE_URL="sqlite://")
    code = ("from clausematch import create_app; app = create_app(); "
            f"print(' '.join(str(app.config[name]) for name in {show.split()!r}))")
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)


def test_production_is_the_default_and_refuses_to_start_without_a_secret_key():
    result = start({})
    assert result.returncode != 0
    assert "RuntimeError: SECRET_KEY manquante" in result.stderr


def test_production_refuses_the_development_key():
    result = start({"SECRET_KEY": DEVELOPMENT_SECRET_KEY})
    assert result.returncode != 0
    assert "SECRET_KEY refusée" in result.stderr


def test_production_starts_with_a_real_key_a_public_address_and_an_smtp_server():
    result = start(PRODUCTION)
    assert (result.returncode, result.stdout.strip()) == (0, "production")
    assert start(PRODUCTION, show="MAIL_TRANSPORT").stdout.strip() == "smtp"


def test_production_refuses_to_start_without_its_public_address():
    result = start({**PRODUCTION, "PUBLIC_BASE_URL": ""})
    assert result.returncode != 0
    assert "RuntimeError: PUBLIC_BASE_URL manquante : en production" in result.stderr


def test_production_sends_by_smtp_unless_told_otherwise():
    result = start({**PRODUCTION, "SMTP_HOST": ""})
    assert result.returncode != 0
    assert "RuntimeError: SMTP_HOST manquant : avec MAIL_TRANSPORT=smtp" in result.stderr
    logged = start({**PRODUCTION, "SMTP_HOST": "", "MAIL_TRANSPORT": "log"}, show="MAIL_TRANSPORT")
    assert (logged.returncode, logged.stdout.strip()) == (0, "log")


def test_an_unknown_mail_transport_is_refused():
    result = start({"CLAUSEMATCH_ENV": "development", "MAIL_TRANSPORT": "pigeon"})
    assert result.returncode != 0 and "MAIL_TRANSPORT inconnu : « pigeon »" in result.stderr


def test_in_development_links_follow_the_port():
    assert start({"CLAUSEMATCH_ENV": "development", "PORT": "8123"}, show="PUBLIC_BASE_URL").stdout.strip() \
        == "http://127.0.0.1:8123"
    assert start({"CLAUSEMATCH_ENV": "development"}, show="PUBLIC_BASE_URL").stdout.strip() == "http://127.0.0.1:5000"
    assert start({"CLAUSEMATCH_ENV": "development"}, show="MAIL_TRANSPORT").stdout.strip() == "log"


def test_development_starts_with_the_development_key():
    result = start({"CLAUSEMATCH_ENV": "development"})
    assert (result.returncode, result.stdout.strip()) == (0, "development")


COOKIES = "SESSION_COOKIE_SECURE REMEMBER_COOKIE_SECURE SESSION_COOKIE_HTTPONLY SESSION_COOKIE_SAMESITE"


@pytest.mark.parametrize(("environment", "expected"), [
    (PRODUCTION, "True True True Lax"),  # production, the default: HTTPS-only cookies
    ({**PRODUCTION, "CLAUSEMATCH_ENV": "production"}, "True True True Lax"),
    ({**PRODUCTION, "SESSION_COOKIE_SECURE": "0"}, "False False True Lax"),  # plain-HTTP test deployment
    ({"CLAUSEMATCH_ENV": "development"}, "False False True Lax"),
    ({"CLAUSEMATCH_ENV": "development", "SESSION_COOKIE_SECURE": "1"}, "True True True Lax"),
    ({"CLAUSEMATCH_ENV": "testing"}, "False False True Lax"),
])
def test_cookies_are_https_only_by_default_in_production_only(environment, expected):
    result = start(environment, show=COOKIES)
    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr


def test_production_sends_the_session_cookie_secure_httponly_and_lax(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CLAUSEMATCH_ENV": "production",
                      "SECRET_KEY": REAL_KEY, "SESSION_COOKIE_SECURE": True, "WTF_CSRF_ENABLED": True})
    response = app.test_client().get("/connexion", base_url="https://localhost")  # the CSRF token opens a session
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("session="))
    assert "; Secure" in cookie and "; HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        from clausematch.extensions import db

        db.engine.dispose()


def test_an_unknown_environment_is_refused():
    with pytest.raises(RuntimeError, match="CLAUSEMATCH_ENV inconnu"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "CLAUSEMATCH_ENV": "prod"})


def test_make_run_is_development_and_the_suite_is_testing(app):
    assert app.config["CLAUSEMATCH_ENV"] == "testing"
    makefile = (ROOT / "Makefile").read_text()
    assert "run migration: export CLAUSEMATCH_ENV := development" in makefile


def test_https_is_not_forced_in_testing(client):
    response = client.get("/connexion")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers


def test_production_behind_https_forces_https_but_not_for_the_health_check(database_url):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "CLAUSEMATCH_ENV": "production",
                      "SECRET_KEY": "une-vraie-clé-longue-et-aléatoire-0123456789", "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    response = client.get("/connexion")
    assert response.status_code == 302 and response.headers["Location"].startswith("https://")
    assert client.get("/connexion", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/healthz").status_code == 200
    with app.app_context():
        from clausematch.extensions import db

        db.engine.dispose()


def test_a_request_over_five_megabytes_gets_the_french_413_page(app, client):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    response = client.post("/connexion", data={"email": "a@exemple.fr", "password": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Fichier trop volumineux" in response.get_data(as_text=True)
