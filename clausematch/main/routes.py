"""Landing page, role home pages, health check."""
import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user

from clausematch.extensions import db

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except Exception as error:  # any driver error means the database is unreachable
        db.session.rollback()
        return {"status": "error", "database": type(error).__name__}, 503
    return {"status": "ok", "database": "ok"}
