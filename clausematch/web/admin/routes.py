"""/admin/taches: the scheduled jobs, their last run, and "Lancer maintenant"; /admin/courriels:
the e-mails waiting to go, the failures and their last error; /admin/journal: the audit trail,
filtered by person, user, organisation, action and period."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clausematch.accounts.models import Role
from clausematch.admin import services
from clausematch.errors import DomainError
from clausematch.jobs import JobAlreadyRunning
from clausematch.notifications import MAX_ATTEMPTS, outbox_status
from clausematch.privacy import access_log
from clausematch.web.helpers import bounded_int, date_arg, page_arg, roles_required

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


PERSON_ERROR = "Saisissez le numéro de la fiche de la personne (un nombre), par exemple 1234."
FIELD_LABELS = {"personne": "Personne (numéro de fiche)", "du": "Du", "au": "Au"}


@bp.get("/admin/journal")
@roles_required(Role.ADMIN)
def audit_log():
    """The whole audit trail, newest first; bad filters are shown on their fields (422), and no
    search runs."""
    errors: dict[str, str] = {}
    person_text = (request.args.get("personne") or "").strip()
    candidate_id = None
    if person_text:
        try:
            candidate_id = bounded_int(person_text.removeprefix("n°").strip())
        except ValueError:
            errors["personne"] = PERSON_ERROR
    since, until = date_arg("du", errors), date_arg("au", errors)
    if since and until and until < since:
        errors["au"] = "Saisissez une date postérieure ou égale à celle du champ « Du »."
    actions = access_log.known_actions()
    action = request.args.get("action", "")
    filters = access_log.AuditFilters(
        candidate_id=candidate_id, user=(request.args.get("utilisateur") or "").strip()[:100],
        organisation_id=request.args.get("organisation", type=bounded_int),
        action=action if action in dict(actions) else "", since=since, until=until)
    page = None if errors else access_log.audit_page(filters, page_arg())
    return render_template("admin/audit_log.html", page=page, filters=filters, errors=errors,
                           field_labels=FIELD_LABELS, typed=request.args, actions=actions,
                           organisations=access_log.organisation_choices()), 422 if errors else 200
