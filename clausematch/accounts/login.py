"""Logging in and out: the password check, the lockout after repeated failures, and the
server-side clock of sessions.

Lockout. Each attempt on a known account first reserves itself with one atomic UPDATE of the
user row (the database serialises them: a row lock on PostgreSQL, the write lock on SQLite),
committed before the slow password check: parallel attempts cannot all read "4 failures" and
all try. The MAX_FAILED_LOGINS-th attempt without a success starts a lock of FAILED_LOGIN_WINDOW
that further attempts do not extend; a success resets the count.

Same cost everywhere. An unknown account, one without a password or a locked one runs exactly one
password check, against a dummy hash, so that timings tell nothing about the account.
"""
import functools
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from clausematch import audit
from clausematch.accounts.models import User
from clausematch.database import utcnow
from clausematch.errors import DomainError
from clausematch.extensions import db

MAX_FAILED_LOGINS = 5
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
# Every failure gets this same message, so that it never tells which of e-mail or password
# was wrong, nor whether an account is locked (which would reveal that it exists).
LOGIN_FAILED = ("Adresse e-mail ou mot de passe incorrect. Après 5 échecs, la connexion à un compte "
                "est suspendue pendant 15 minutes.")
# Shown only after the right password (a wrong one gets LOGIN_FAILED): it tells nothing to whoever
# does not already hold the account's credentials.
ACCOUNT_DISABLED = ("Ce compte est désactivé : vous ne pouvez plus vous connecter. Pour le faire réactiver, "
                    "adressez-vous à l'administrateur de ClauseMatch de votre territoire.")
# The server-side last-seen time is written at most this often per user (not on every request).
LAST_SEEN_RESOLUTION = timedelta(minutes=1)


def find_user_by_email(email: str) -> User | None:
    normalised = (email or "").strip().lower()
    return db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == normalised))


def verify_password(password_hash: str, password: str) -> bool:
    """The one place a password is checked against a hash (tests count its calls)."""
    return check_password_hash(password_hash, password or "")


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(email: str, password: str) -> User:
    """The active user with these credentials; records the login (or the failure).

    Two commits on purpose: the attempt is reserved (and visible to parallel attempts) before
    the password check, then its outcome is recorded."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash or not _reserve_attempt(user.id, utcnow()):
        verify_password(_dummy_hash(), password)  # same work as a real check: no timing oracle
        raise DomainError(LOGIN_FAILED)
    if not verify_password(user.password_hash, password):
        audit.record("login_failed", "user", user.id)
        db.session.commit()
        raise DomainError(LOGIN_FAILED)
    now = utcnow()
    user.failed_logins, user.last_failed_login_at = 0, None
    if not user.is_active:
        db.session.commit()
        raise DomainError(ACCOUNT_DISABLED)
    user.last_login_at = user.last_seen_at = now
    audit.record("login", "user", user.id, actor_id=user.id)
    db.session.commit()
    return user


def _reserve_attempt(user_id: int, now: datetime) -> bool:
    """Count one more attempt on this account unless it is locked; False when it is.

    A chain of attempts is forgotten once its last one is FAILED_LOGIN_WINDOW old: the count
    then starts again at 1 (this is also when a lock ends)."""
    chain_over = sa.or_(User.last_failed_login_at.is_(None), User.last_failed_login_at <= now - FAILED_LOGIN_WINDOW)
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user_id, sa.or_(User.failed_logins < MAX_FAILED_LOGINS, chain_over))
        .values(failed_logins=sa.case((chain_over, 1), else_=User.failed_logins + 1), last_failed_login_at=now)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return (user.failed_logins >= MAX_FAILED_LOGINS and user.last_failed_login_at is not None
            and user.last_failed_login_at > now - FAILED_LOGIN_WINDOW)


def record_logout(user: User) -> None:
    """Log out: every session cookie of this user stops working, a copy replayed later too."""
    user.session_version += 1
    user.last_seen_at = None
    audit.record("logout", "user", user.id, actor_id=user.id)
    db.session.commit()


def note_activity(user: User, timeout: timedelta, touch: bool = True) -> bool:
    """A request from a logged-in user: False (and every session of the user is closed) when
    the user has been idle longer than `timeout` by the server's own clock; True otherwise,
    after moving that clock forward unless `touch` is off (a browser whose own session expired
    is no sign of activity)."""
    now = utcnow()
    if user.last_seen_at is not None and now - user.last_seen_at > timeout:
        user.session_version += 1
        user.last_seen_at = None
        audit.record("session_expired", "user", user.id, actor_id=user.id)
        db.session.commit()
        return False
    if touch and (user.last_seen_at is None or now - user.last_seen_at >= LAST_SEEN_RESOLUTION):
        user.last_seen_at = now
        db.session.commit()
    return True
