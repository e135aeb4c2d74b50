"""Landing page, role home pages, accessibility statement, health check."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.accounts.models import Role
from clausematch.extensions import db
from clausematch.matching import services as matching
from clausematch.notifications import pending_count
from clausematch.prehire import queries as prehire_queries
from clausematch.reporting import homes as services
from clausematch.web.helpers import bounded_int, roles_required

bp = Blueprint("main", __name__)

# Where each role lands after logging in (main.home dispatches here).
ROLE_HOMES = {
    Role.FACILITATOR: "main.facilitator_home",
    Role.PRESCRIBER: "main.prescriber_home",
    Role.COMPANY: "main.company_home",
    Role.BUYER: "main.buyer_home",
    Role.ADMIN: "main.admin_home",
}


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return render_template("main/index.html")


@bp.get("/accessibilite")
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/favicon.ico")
def favicon():
    """Pages link the SVG icon; a client that asks for /favicon.ico anyway is sent to it."""
    return redirect(url_for("static", filename="img/favicon.svg"), 301)


@bp.get("/accueil")
@login_required
def home():
    return redirect(url_for(ROLE_HOMES[current_user.role]))


@bp.get("/facilitateur")
@roles_required(Role.FACILITATOR)
def facilitator_home():
    return render_template("main/facilitator_home.html",
                           dashboard=services.facilitator_dashboard(current_user))


@bp.get("/prescripteur")
@roles_required(Role.PRESCRIBER)
def prescriber_home():
    invitations, pending = prehire_queries.pending_invitations(current_user)
    return render_template("main/prescriber_home.html", dashboard=services.prescriber_dashboard(current_user),
                           invitations=invitations, pending_invitations=pending)


@bp.get("/entreprise")
@roles_required(Role.COMPANY)
def company_home():
    page = request.args.get("page", 1, type=bounded_int)
    return render_template("main/company_home.html",
                           dashboard=services.company_dashboard(current_user, page))


@bp.get("/acheteur")
@roles_required(Role.BUYER)
def buyer_home():
    page = request.args.get("page", 1, type=bounded_int)
    return render_template("main/buyer_home.html", contracts=services.buyer_dashboard(current_user, page))


@bp.get("/admin")
@roles_required(Role.ADMIN)
def admin_home():
    return render_template("main/admin_home.html", dashboard=services.admin_dashboard(current_user))


@bp.get("/healthz")
def healthz():
    """For the load balancer and monitoring: the database answers (else 503); this process's
    matching index (built or not, when, how many times; it is per process) and the number of
    e-mails waiting in the outbox (a growing backlog means delivery is failing)."""
    try:
        pending = pending_count()
    except Exception as error:  # any driver error means the database is unreachable
        db.session.rollback()
        return {"status": "error", "database": type(error).__name__}, 503
    index, status = matching.holder(), matching.index_status()
    return {"status": "ok", "database": "ok",
            "matching_index": {"built": status.built, "built_at": _utc(status.built_at),
                               "last_change_applied_at": _utc(index.changed_at),
                               "last_change_log_id": status.last_change_id, "builds": index.builds,
                               "rebuilding": index.rebuilding},
            "outbox": {"pending": pending}}


def _utc(moment) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment is not None else None
