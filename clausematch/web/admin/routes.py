"""/admin/taches: the scheduled jobs, their last run, and "Lancer maintenant"; /admin/courriels:
the e-mails waiting to go, the failures and their last error."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from clausematch.accounts.models import Role
from clausematch.admin import services
from clausematch.errors import DomainError
from clausematch.jobs import JobAlreadyRunning
from clausematch.notifications import MAX_ATTEMPTS, outbox_status
from clausematch.web.helpers import roles_required

bp = Blueprint("admin", __name__)


@bp.get("/admin/taches")
@roles_required(Role.ADMIN)
def jobs():
    return render_template("admin/jobs.html", statuses=services.jobs_overview())


@bp.get("/admin/courriels")
@roles_required(Role.ADMIN)
def outbox():
    return render_template("admin/outbox.html", status=outbox_status(), max_attempts=MAX_ATTEMPTS)


@bp.post("/admin/taches/<name>/lancer")
@roles_required(Role.ADMIN)
def run_job(name: str):
    try:
        run = services.run_job_now(name, current_user._get_current_object())
    except JobAlreadyRunning as refused:
        flash(refused.message, "error")
        return redirect(url_for("admin.jobs"))
    except DomainError:
        abort(404)
    if run.succeeded:
        flash(f"Tâche exécutée : {run.result}", "success")
    else:
        flash(f"La tâche a échoué : {run.result}", "error")
    return redirect(url_for("admin.jobs"))
