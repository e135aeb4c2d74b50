"""Login sessions: loading the user, opening and closing sessions, and logging out after
inactivity. Two clocks: this browser's, in the signed cookie, and the user's, on the server
(accounts/login.py: note_activity), so that a copied cookie replayed later cannot revive an
idle session; logging out bumps the user's session_version, which kills every copy."""
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user

from clausematch.accounts import login
from clausematch.accounts.models import User
from clausematch.database import utcnow
from clausematch.extensions import db, login_manager

LAST_SEEN_KEY = "_last_seen"
# Requests that never need the signed-in user: files, and the load balancer's health check
# (which must answer its own JSON, even with a cookie, while the database is down).
SESSIONLESS_ENDPOINTS = ("static", "main.healthz")


def init_app(app: Flask) -> None:
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Connectez-vous pour accéder à cette page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_key: str) -> User | None:
        user_id, _, version = user_key.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active or str(user.session_version) != version:
            return None
        return user

    @app.before_request
    def expire_inactive_session():
        # Load the user from this request's session cookie. A request normally gets a fresh `g`,
        # but one run inside an already pushed app context (tests, CLI) would reuse the user
        # cached by Flask-Login on an earlier request and skip every check below.
        g.pop("_login_user", None)
        if request.endpoint in SESSIONLESS_ENDPOINTS or not current_user.is_authenticated:
            return None
        now = utcnow()
        last_seen = session.get(LAST_SEEN_KEY)
        timeout = app.config["SESSION_INACTIVITY_TIMEOUT"]
        idle = last_seen and now - datetime.fromisoformat(last_seen) > timeout
        active = login.note_activity(current_user._get_current_object(), timeout, touch=not idle)
        if idle or not active:
            end_session()
            flash("Votre session a expiré après une période d'inactivité. Reconnectez-vous.", "info")
            back = request.full_path.rstrip("?") if request.method == "GET" else None
            return redirect(url_for("accounts.login", next=back))
        session[LAST_SEEN_KEY] = now.isoformat()
        session.permanent = True
        return None


def start_session(user: User, fresh: bool = True) -> None:
    """Log `user` in on this browser and start the inactivity clock.

    `fresh` drops whatever the session held before (a new login); a password change keeps
    the session but must store the user's new session_version, or the next request logs out.
    """
    if fresh:
        session.clear()
    login_user(user)
    session.permanent = True
    session[LAST_SEEN_KEY] = utcnow().isoformat()


def end_session() -> None:
    logout_user()
    session.clear()


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (no open redirect), else None."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers drop tabs/newlines and read "\" as "/": "/\t/evil.fr" or "/\evil.fr" leave the site.
    if "\\" in target or any(ord(char) < 32 or char.isspace() for char in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None
