"""Login sessions: loading the user, and logging out after inactivity (checked server-side)."""
from datetime import datetime

from flask import Flask, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

from clausematch.accounts.models import User
from clausematch.database import utcnow
from clausematch.extensions import db, login_manager

LAST_SEEN_KEY = "_last_seen"


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
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = utcnow()
        last_seen = session.get(LAST_SEEN_KEY)
        timeout = app.config["SESSION_INACTIVITY_TIMEOUT"]
        if last_seen and now - datetime.fromisoformat(last_seen) > timeout:
            logout_user()
            session.clear()
            flash("Votre session a expiré après une période d'inactivité. Reconnectez-vous.", "info")
            return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
        session[LAST_SEEN_KEY] = now.isoformat()
        session.permanent = True
        return None
