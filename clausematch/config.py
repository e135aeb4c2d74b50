"""Configuration read from the environment. CLAUSEMATCH_ENV says where the application runs:
`development` (set by `make run`), `testing` (the test suite) or `production`, the default (set
by `make serve`). Production fails closed: no start without a real SECRET_KEY, a PUBLIC_BASE_URL
for the links of the e-mails, and an SMTP server unless MAIL_TRANSPORT says otherwise
(check_production)."""
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


ENVIRONMENTS = ("development", "testing", "production")
MAIL_TRANSPORTS = ("log", "smtp", "none")
DEVELOPMENT_SECRET_KEY = "dev-only-change-me"
MEGABYTE = 1024 * 1024


def _flag(name: str, default: bool) -> bool:
    """An on/off variable: "1" is on, "0" is off; unset (or empty) takes `default`."""
    value = os.environ.get(name, "").strip()
    return default if value == "" else value == "1"


class Config:
    CLAUSEMATCH_ENV = os.environ.get("CLAUSEMATCH_ENV", "production")
    # None in production unless set: check_production() then refuses to start.
    SECRET_KEY = os.environ.get("SECRET_KEY") or (
        DEVELOPMENT_SECRET_KEY if CLAUSEMATCH_ENV in ("development", "testing") else None)
    # Uploads (CSV of hours) and forms: larger requests get the French 413 page.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(5 * MEGABYTE)))
    # Per-IP throttling of the login, password and invitation forms (web/security.py).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # Storage down (Redis unreachable): Flask-Limiter logs a warning (no address, no e-mail) and
    # keeps counting in this process's memory, retrying the storage now and then; any other error
    # of the limiter is logged and the request goes on, never a 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    # Number of reverse proxies in front of the application whose X-Forwarded-For/-Proto are
    # trusted (the client's address is what the throttling counts per).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Logins expire after this much inactivity (checked server-side on every request).
    SESSION_INACTIVITY_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_TIMEOUT_MINUTES", "30")))
    # The cookie outlives the inactivity timeout so that the server-side check is the one that
    # fires, with its "session expired" message.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # HTTPS-only cookies in production unless SESSION_COOKIE_SECURE=0 says otherwise (a test
    # deployment over plain HTTP); off by default in development and tests. The "remember me"
    # cookie of Flask-Login (not offered today) would follow the same rule.
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", CLAUSEMATCH_ENV == "production")
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    INVITATION_VALIDITY = timedelta(days=int(os.environ.get("INVITATION_VALIDITY_DAYS", "7")))
    PASSWORD_RESET_VALIDITY = timedelta(hours=int(os.environ.get("PASSWORD_RESET_VALIDITY_HOURS", "2")))
    # Outbox delivery (clausematch/mail.py): "smtp" (production default) sends through SMTP_HOST;
    # "log" (development default) writes e-mails to the application log; "none" only keeps them
    # in the outbox table (tests).
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT") or (
        "log" if CLAUSEMATCH_ENV in ("development", "testing") else "smtp")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "ClauseMatch <ne-pas-repondre@clausematch.fr>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("SMTP_PORT", "587"))
    SMTP_USERNAME = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD", "")
    SMTP_STARTTLS = os.environ.get("SMTP_STARTTLS", "1") == "1"
    # The links of the e-mails. Development follows PORT (make run); production requires it.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL") or (
        f"http://127.0.0.1:{os.environ.get('PORT') or '5000'}"
        if CLAUSEMATCH_ENV in ("development", "testing") else None)
    SCHEDULER_ENABLED = os.environ.get("SCHEDULER_ENABLED", "0") == "1"
    # Set by gunicorn.conf.py: the scheduler starts in each worker after the fork, not in the master.
    SCHEDULER_AFTER_FORK = os.environ.get("SCHEDULER_AFTER_FORK", "0") == "1"
    PAGE_SIZE = 25


class TestConfig(Config):
    CLAUSEMATCH_ENV = "testing"
    TESTING = True
    # Off so that the suite is never throttled; the tests of the throttling turn it on.
    RATELIMIT_ENABLED = False
    SECRET_KEY = "test-secret"
    SESSION_COOKIE_SECURE = REMEMBER_COOKIE_SECURE = False  # the test client speaks plain HTTP
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    WTF_CSRF_ENABLED = False
    MAIL_TRANSPORT = "none"
    SCHEDULER_ENABLED = False
    PUBLIC_BASE_URL = "http://localhost"


def check_production(config) -> None:
    """Refuse to start a misconfigured application (a French message, at start-up)."""
    environment = config.get("CLAUSEMATCH_ENV")
    if environment not in ENVIRONMENTS:
        raise RuntimeError(f"CLAUSEMATCH_ENV inconnu : « {environment} ». Valeurs possibles : "
                           + ", ".join(ENVIRONMENTS) + ".")
    transport = config.get("MAIL_TRANSPORT")
    if transport not in MAIL_TRANSPORTS:
        raise RuntimeError(f"MAIL_TRANSPORT inconnu : « {transport} ». Valeurs possibles : "
                           + ", ".join(MAIL_TRANSPORTS) + ".")
    if environment != "production":
        _check_smtp(config)
        return
    secret = config.get("SECRET_KEY")
    if not secret:
        raise RuntimeError("SECRET_KEY manquante : en production (CLAUSEMATCH_ENV=production, la valeur par "
                           "défaut), définissez une clé secrète longue et aléatoire, par exemple celle que "
                           "donne `python3 -c 'import secrets; print(secrets.token_hex(32))'`. "
                           "En développement, lancez `make run`.")
    if secret == DEVELOPMENT_SECRET_KEY:
        raise RuntimeError("SECRET_KEY refusée : c'est la clé de développement, publique. En production, "
                           "définissez une clé secrète longue et aléatoire.")
    if not config.get("PUBLIC_BASE_URL"):
        raise RuntimeError("PUBLIC_BASE_URL manquante : en production, indiquez l'adresse publique de "
                           "ClauseMatch (par exemple https://clausematch.exemple.fr) : les liens des "
                           "e-mails (invitations, mots de passe) la suivent.")
    _check_smtp(config)


def _check_smtp(config) -> None:
    if config.get("MAIL_TRANSPORT") == "smtp" and not config.get("SMTP_HOST"):
        raise RuntimeError("SMTP_HOST manquant : avec MAIL_TRANSPORT=smtp (la valeur par défaut en production), "
                           "indiquez le serveur d'envoi des e-mails (SMTP_HOST, SMTP_PORT, SMTP_USERNAME, "
                           "SMTP_PASSWORD, SMTP_STARTTLS), ou choisissez MAIL_TRANSPORT=log.")
