"""Candidate pages of prescribers ("Mes candidats", create, edit) and the candidate page.

Facilitator pages (eligibility queue, decisions, duplicates, merge) are in facilitator_routes.py,
on the same blueprint.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.candidates import queries, services
from clausematch.candidates.eligibility import EligibilityState, eligibility_state, is_expired, is_valid
from clausematch.candidates.forms import CandidateForm, NewCandidateForm, RefusalForm
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import (can_edit_candidate, can_list_candidates, can_validate_eligibility,
                                                can_view_candidate)
from clausematch.contracts.views import me, page_arg, require, show_error
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.permissions import get_allowed_or_404
from clausematch.vocabulary import Criterion

bp = Blueprint("candidates", __name__)

OTHER_ORGANISATION_WARNING = ("Cette personne semble déjà suivie par une autre structure du territoire. "
                              "Le facilitateur a été informé.")


@bp.get("/candidats")
@login_required
def index():
    require(can_list_candidates(me()))
    state = request.args.get("eligibilite", "")
    filters = queries.CandidateFilters(
        q=request.args.get("q", "").strip()[:100],
        state=EligibilityState(state) if state in {s.value for s in EligibilityState} else None)
    page = queries.candidates_page(me().organisation_ids, filters, page_arg(), today())
    return render_template("candidates/list.html", page=page, filters=filters, states=EligibilityState)


@bp.route("/candidats/nouveau", methods=["GET", "POST"])
@login_required
def create():
    require(can_list_candidates(me()))
    form = NewCandidateForm()
    _referent_choices(form, me().organisation.id)
    if request.method == "GET":
        form.referent_id.data = me().id
    duplicates = []
    if form.validate_on_submit():
        try:
            created = services.create_candidate(me(), form.to_input(), form.consent_input(),
                                                confirm_duplicate=form.confirm_duplicate.data)
        except services.PossibleDuplicate as error:
            duplicates = error.matches
            form.confirm_duplicate.errors = [error.message]
        except NotAllowed:
            raise
        except DomainError as error:
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
        form.fill_from(candidate)
    elif form.validate_on_submit():
        try:
            services.update_candidate(me(), candidate.id, form.to_input())
        except NotAllowed:
            raise
        except DomainError as error:
            show_error(form, error)
        else:
            flash("La fiche du candidat a été mise à jour.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    status = 422 if form.errors or form.form_errors else 200
    now = today()
    locked = {row.criterion: row for row in candidate.criteria if is_valid(row, now)}
    return render_template("candidates/form.html", form=form, candidate=candidate, duplicates=[], locked=locked,
                           criteria=list(Criterion)), status


def _referent_choices(form: CandidateForm, prescriber_id: int) -> None:
    form.referent_id.choices = {"": "Aucun conseiller désigné", **dict(queries.referent_choices(prescriber_id))}


@bp.get("/candidats/<int:candidate_id>")
@login_required
def detail(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, can_view_candidate)
    return render_detail(candidate)


def render_detail(candidate: Candidate, refusal: tuple[int, RefusalForm] | None = None, status: int = 200):
    """The candidate page; `refusal` re-displays a refusal form with its errors."""
    now = today()
    merged_into = db.session.get(Candidate, candidate.merged_into_id) if candidate.merged_into_id else None
    order = list(Criterion)
    criteria = sorted(candidate.criteria, key=lambda row: order.index(row.criterion))
    return render_template(
        "candidates/detail.html", candidate=candidate, state=eligibility_state(candidate, now), today=now,
        criteria=criteria, expired={row.id for row in criteria if is_expired(row, now)},
        applications=queries.candidate_applications(candidate.id),
        consents=sorted(candidate.consents, key=lambda c: c.recorded_at, reverse=True),
        recorders=queries.user_names({c.recorded_by_id for c in candidate.consents} - {None}),
        can_edit=can_edit_candidate(me(), candidate), can_decide=can_validate_eligibility(me(), candidate),
        merged_into=merged_into if merged_into and can_view_candidate(me(), merged_into) else None,
        refusal=refusal), status


from clausematch.candidates import facilitator_routes  # noqa: E402,F401  (its views join this blueprint)
