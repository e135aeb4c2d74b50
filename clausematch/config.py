"""Configuration read from the environment, with safe defaults for development."""
import os
from datetime import timedelta
from pathlib import Path

INSTANCE_DIR = Path(__file__).resolve().parent.parent / "instance"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Hosting platforms often hand out postgres:// URLs; SQLAlchemy wants the driver named.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgres://")
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        return url
    return f"sqlite:///{INSTANCE_DIR / 'clausematch.sqlite'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Logins expire after this much inactivity (checked server-side on every request).
    SESSION_INACTIVITY_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_TIMEOUT_MINUTES", "30")))
    # The cookie outlives the inactivity timeout so that the server-side check is the one that
    # fires, with its "session expired" message.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    WTF_CSRF_TIME_LIMIT = None
    INVITATION_VALIDITY = timedelta(days=int(os.environ.get("INVITATION_VALIDITY_DAYS", "7")))
    PASSWORD_RESET_VALIDITY = timedelta(hours=int(os.environ.get("PASSWORD_RESET_VALIDITY_HOURS", "2")))
    # Outbox delivery: "log" writes e-mails to the application log (development); "none" only
    # keeps them in the outbox table (tests). An SMTP transport can be plugged in later.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "log")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "ClauseMatch <ne-pas-repondre@clausematch.fr>")
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "0") == "1"
    PAGE_SIZE = 25


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret"
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    MAIL_TRANSPORT = "none"
    SCHEDULER_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"
