"""The company's side of applications: the candidates sent to its offers, restricted to what a
recruiter needs (company_view.py), and its three actions: interview, hire, refusal.

An application of another company's offer is a 403; one of the company's own offers that the
guichet has not sent yet is a 404: for the company it does not exist yet.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clausematch.accounts.models import Role, User
from clausematch.applications import company_view, permissions, queries, services, workflow
from clausematch.applications.links import COMPANY_APPLICATION_RULE
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.pathways.hiring import checked_hire, record_hire
from clausematch.web.applications.forms import HireForm, InterviewForm, RefuseForm
from clausematch.web.applications.routes import read_filters
from clausematch.web.helpers import bounded_int, get_or_404, roles_required, show_error, validate_form

bp = Blueprint("company_applications", __name__)

S = ApplicationStatus
FORMS = {S.INTERVIEW: InterviewForm, S.HIRED: HireForm, S.REFUSED: RefuseForm}


def _me() -> User:
    return current_user._get_current_object()


@bp.get("/entreprise/candidatures")
@roles_required(Role.COMPANY)
def index():
    scope = queries.company_scope(_me())
    filters = read_filters(request.args, with_territory_filters=False)
    return render_template(
        "applications/company_list.html", filters=filters, counts=queries.status_counts(scope),
        page=queries.applications_page(scope, filters, request.args.get("page", 1, type=bounded_int)),
        offers=queries.offer_choices(scope), company_states=_company_states())


def _company_states() -> list[ApplicationStatus]:
    return [S.SENT, S.INTERVIEW, S.HIRED, S.REFUSED, S.WITHDRAWN]


def _sent_to_me(application_id: int) -> Application:
    """404 if missing or not sent yet to the user's company, 403 if another company's."""
    application = get_or_404(Application, application_id)
    if not permissions.is_offer_company(_me(), application):
        abort(403)
    if not permissions.can_view_as_company(_me(), application):
        abort(404)
    return application


@bp.get(COMPANY_APPLICATION_RULE)
@roles_required(Role.COMPANY)
def detail(application_id: int):
    return _render(_sent_to_me(application_id))


def _render(application: Application, failed: dict | None = None, status: int = 200):
    failed = failed or {}
    moves = [(target, workflow.ACTION_LABELS[target], failed.get(target) or FORMS[target](formdata=None))
             for target in workflow.next_statuses(application.status, Role.COMPANY)]
    return render_template("applications/company_detail.html", view=company_view.company_application(application.id),
                           moves=moves, has_errors=bool(failed)), status


def _act(application_id: int, target: ApplicationStatus, call, success: str, check=None):
    """Validate the target's form with the service's pure `check` (every error at the first
    submit), call the service, map its errors back onto the form."""
    application = _sent_to_me(application_id)
    form = FORMS[target]()
    if not validate_form(form, lambda: check(application, form) if check else None):
        return _render(application, {target: form}, 422)
    try:
        call(application.id, form)
    except DomainError as error:
        if error.field is None:
            flash(error.message, "error")
            return redirect(url_for("company_applications.detail", application_id=application.id))
        show_error(form, error)
        return _render(application, {target: form}, 422)
    flash(success, "success")
    return redirect(url_for("company_applications.detail", application_id=application.id))


@bp.post(COMPANY_APPLICATION_RULE + "/entretien")
@roles_required(Role.COMPANY)
def interview(application_id: int):
    return _act(application_id, S.INTERVIEW, lambda app_id, form: services.record_interview(
        app_id, form.interview_on.data, form.comment.data or "", _me()),
        "Entretien enregistré : le prescripteur est prévenu.",
        check=lambda application, form: services.check_interview_date(application, form.interview_on.data, today()))


@bp.post(COMPANY_APPLICATION_RULE + "/embauche")
@roles_required(Role.COMPANY)
def hire(application_id: int):
    return _act(application_id, S.HIRED, lambda app_id, form: record_hire(
        app_id, form.to_data(), form.comment.data or "", _me()),
        "Embauche enregistrée : le contrat compte désormais pour la clause du lot.",
        check=lambda application, form: checked_hire(application, form.to_data()))


@bp.post(COMPANY_APPLICATION_RULE + "/refus")
@roles_required(Role.COMPANY)
def refuse(application_id: int):
    return _act(application_id, S.REFUSED, lambda app_id, form: services.move(
        app_id, S.REFUSED, _me(), form.comment.data or "", form.refusal_reason.data),
        "Candidature refusée : le prescripteur est prévenu.")
