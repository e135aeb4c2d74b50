"""Candidate pages of prescribers ("Mes candidats", create, edit) and the candidate page.

The facilitators' search of people is search.py (same address, /candidats); their other pages
(eligibility queue, decisions, duplicates, merge) are in review.py, the candidate page itself in
detail.py.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.accounts.models import Role
from clausematch.accounts.permissions import has_role
from clausematch.applications import queries as application_queries
from clausematch.candidates import queries, services
from clausematch.candidates.eligibility import EligibilityState, is_valid
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import (
    can_edit_candidate,
    can_list_candidates,
    can_search_candidates,
    can_view_candidate,
    visible_criteria,
)
from clausematch.database import today
from clausematch.errors import DomainError, refusals
from clausematch.privacy import access_log
from clausematch.versioning import EditConflict
from clausematch.vocabulary import Criterion
from clausematch.web.candidates.detail import render_detail
from clausematch.web.candidates.forms import CandidateForm, NewCandidateForm
from clausematch.web.candidates.search import render_search
from clausematch.web.candidates.withdrawal import withdrawal_page
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import (
    flag_stored_contact,
    get_allowed_or_404,
    me,
    page_arg,
    require,
    show_error,
    validate_form,
)

bp = Blueprint("candidates", __name__)

OTHER_ORGANISATION_WARNING = ("Cette personne semble déjà suivie par une autre structure du territoire. "
                              "Le facilitateur a été informé.")


@bp.get("/candidats")
@login_required
def index():
    """Prescribers: "Mes candidats". Facilitators: the search of people across the territory."""
    require(can_search_candidates(me()))
    if has_role(me(), Role.FACILITATOR):
        return render_search()
    state = request.args.get("eligibilite", "")
    filters = queries.CandidateFilters(
        q=request.args.get("q", "").strip()[:100],
        state=EligibilityState(state) if state in {s.value for s in EligibilityState} else None)
    page = queries.candidates_page(me().organisation_ids, filters, page_arg(), today())
    applications = application_queries.application_states([row.candidate.id for row in page.items])
    return render_template("candidates/list.html", page=page, filters=filters, states=EligibilityState,
                           applications=applications)


@bp.route("/candidats/nouveau", methods=["GET", "POST"])
@login_required
def create():
    require(can_list_candidates(me()))
    form = NewCandidateForm()
    _referent_choices(form, me().organisation.id)
    if request.method == "GET":
        form.referent_id.data = me().id
    duplicates: list[Candidate] = []

    def check() -> None:
        try:
            services.check_new_candidate(me(), form.to_input(), form.consent_input(),
                                         confirm_duplicate=form.confirm_duplicate.data)
        except DomainError as error:
            duplicates.extend(_duplicates(error))
            raise

    if validate_form(form, check):
        try:
            created = services.create_candidate(me(), form.to_input(), form.consent_input(),
                                                confirm_duplicate=form.confirm_duplicate.data)
        except DomainError as error:
            duplicates = _duplicates(error)
            show_error(form, error)
        else:
            if created.flagged_elsewhere:
                flash(OTHER_ORGANISATION_WARNING, "warning")
            flash("La fiche du candidat a été enregistrée, avec son consentement.", "success")
            return redirect(url_for("candidates.detail", candidate_id=created.candidate.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("candidates/form.html", form=form, candidate=None, duplicates=duplicates,
                           locked={}, criteria=list(Criterion)), status


@bp.route("/candidats/<int:candidate_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, can_edit_candidate)
    form = CandidateForm()
    _referent_choices(form, candidate.prescriber_id)
    if request.method == "GET":
        form.fill_from(candidate, visible_criteria(me(), candidate))
        fill_version(form, candidate)
        flag_stored_contact(form)
    elif validate_form(form, lambda: services.check_candidate_update(me(), candidate, form.to_input())):
        try:
            services.update_candidate(me(), candidate.id, form.to_input(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("La fiche du candidat a été mise à jour.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    status = 422 if request.method == "POST" and (form.errors or form.form_errors) else 200
    now = today()
    shown = visible_criteria(me(), candidate)
    locked = {row.criterion: row for row in shown if is_valid(row, now)}
    html = render_template("candidates/form.html", form=form, candidate=candidate, duplicates=[], locked=locked,
                           criteria=list(Criterion), shown=shown)
    if request.method == "GET" and shown:
        access_log.log_view(me(), candidate.id, "criteres")  # the form shows the criteria and their evidence
    return html, status


def _duplicates(error: DomainError) -> list[Candidate]:
    """The look-alike records of a PossibleDuplicate among the refusals (shown in a table)."""
    return next((refusal.matches for refusal in refusals(error)
                 if isinstance(refusal, services.PossibleDuplicate)), [])


def _referent_choices(form: CandidateForm, prescriber_id: int) -> None:
    form.referent_id.choices = {"": "Aucun conseiller désigné", **dict(queries.referent_choices(prescriber_id))}


@bp.get("/candidats/<int:candidate_id>")
@login_required
def detail(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, can_view_candidate)
    page = render_detail(candidate)
    access_log.log_view(me(), candidate.id, "fiche")  # after the page is built; fails closed
    return page


@bp.route("/candidats/<int:candidate_id>/retrait-consentement", methods=["GET", "POST"])
@login_required
def withdraw_consent(candidate_id: int):
    """The owning prescriber or a facilitator of the territory records that the person withdrew their consent."""
    return withdrawal_page(candidate_id)


@bp.get("/candidats/<int:candidate_id>/journal")
@login_required
def journal(candidate_id: int):
    """Who saw or changed what about the person: the owning prescriber's members and the
    territory's facilitators (the people who may open the person's page)."""
    candidate = get_allowed_or_404(Candidate, candidate_id, can_view_candidate)
    return render_template("candidates/journal.html", candidate=candidate,
                           page=access_log.candidate_log_page(candidate.id, page_arg()))
