"""Facilitator pages: eligibility queue and decisions, suspected duplicates and merge.

Their own blueprint, `candidate_review`; the candidate page they re-display is in detail.py.
"""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.accounts.models import OrganisationKind
from clausematch.applications import queries as application_queries
from clausematch.candidates import merge, queries, validation
from clausematch.candidates.duplicates import match_reason
from clausematch.candidates.models import Candidate, EligibilityCriterion
from clausematch.candidates.permissions import can_merge, can_review_candidates, can_validate_eligibility
from clausematch.contracts.permissions import territory_of
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.privacy import access_log
from clausematch.vocabulary import Criterion
from clausematch.web.candidates.detail import render_detail
from clausematch.web.candidates.forms import ActionForm, MergeForm, PairForm, RefusalForm
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    get_or_404,
    me,
    page_arg,
    require,
    show_error,
    validate_form,
)

bp = Blueprint("candidate_review", __name__)



@bp.get("/eligibilites")
@login_required
def eligibility_queue():
    require(can_review_candidates(me()))
    args = request.args
    criterion, age = args.get("critere", ""), args.get("anciennete", type=bounded_int)
    filters = queries.QueueFilters(
        criterion=Criterion(criterion) if criterion in {c.value for c in Criterion} else None,
        prescriber_id=args.get("prescripteur", type=bounded_int),
        name=(args.get("nom") or "").strip()[:100],
        older_than_days=age if age in queries.QUEUE_AGE_CHOICES else None)
    page = queries.eligibility_queue(territory_of(me()), page_arg(), filters)
    html = render_template("candidates/eligibility_queue.html", filters=filters, page=page,
                           criteria=[(c.value, c.label) for c in Criterion],
                           ages=[(days, f"plus de {days} jours") for days in queries.QUEUE_AGE_CHOICES],
                           prescribers=application_queries.organisation_choices(
                               me(), OrganisationKind.PRESCRIBER))
    # The queue shows each person's criteria and evidence: one line per person of the page.
    access_log.log_views(me(), [row[0].candidate_id for row in page.items], "justificatifs")
    return html


def _criterion(candidate_id: int, criterion_id: int) -> EligibilityCriterion:
    candidate = get_allowed_or_404(Candidate, candidate_id, can_validate_eligibility)
    row = db.session.get(EligibilityCriterion, criterion_id)
    if row is None or row.candidate_id != candidate.id:
        abort(404)
    return row


@bp.post("/candidats/<int:candidate_id>/criteres/<int:criterion_id>/valider")
@login_required
def validate(candidate_id: int, criterion_id: int):
    row = _criterion(candidate_id, criterion_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    renewal = row.status == "validated"
    try:
        validation.validate_criterion(me(), row.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Critère « {row.criterion.label} » {'renouvelé' if renewal else 'validé'} "
              f"jusqu'au {format_date(row.valid_until)}.", "success")
    return redirect(url_for("candidates.detail", candidate_id=candidate_id, _anchor="eligibilite"))


@bp.post("/candidats/<int:candidate_id>/criteres/<int:criterion_id>/refuser")
@login_required
def refuse(candidate_id: int, criterion_id: int):
    row = _criterion(candidate_id, criterion_id)
    form = RefusalForm()
    if validate_form(form, lambda: validation.check_refusal(me(), row.id, form.reason.data or "")):
        try:
            validation.refuse_criterion(me(), row.id, form.reason.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Critère « {row.criterion.label} » refusé : le prescripteur verra le motif.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate_id, _anchor="eligibilite"))
    return render_detail(row.candidate, refusal=(row.id, form), status=422)


@bp.get("/candidats/doublons")
@login_required
def duplicates():
    require(can_review_candidates(me()))
    page = queries.duplicate_pairs_page(territory_of(me()), page_arg())
    return render_template("candidates/duplicates.html", page=page)


@bp.post("/candidats/doublons/ignorer")
@login_required
def dismiss():
    require(can_review_candidates(me()))
    form = PairForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        merge.dismiss_pair(me(), form.keep_id.data, form.drop_id.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("Les deux fiches sont marquées comme deux personnes différentes.", "success")
    return redirect(url_for("candidate_review.duplicates"))


@bp.route("/candidats/fusion", methods=["GET", "POST"])
@login_required
def merge_pair():
    """GET: the two records side by side and what the merge will do; POST: merge."""
    require(can_review_candidates(me()))
    posted = request.method == "POST"
    form = MergeForm() if posted else MergeForm(formdata=request.args, meta={"csrf": False})
    if not form.validate() and (not posted or set(form.errors) - {"justification"}):
        abort(400)  # the pair itself (hidden fields, CSRF) is wrong: not a typing mistake
    keep, drop = get_or_404(Candidate, form.keep_id.data), get_or_404(Candidate, form.drop_id.data)
    if not can_merge(me(), keep, drop):
        abort(403)
    status = 200
    if posted:
        justification = form.justification.data or ""
        if validate_form(form, lambda: merge.check_merge(me(), keep.id, drop.id, justification)):
            try:
                merge.merge_candidates(me(), keep.id, drop.id, justification)
            except DomainError as error:
                show_error(form, error)
            else:
                flash("Les deux fiches ont été fusionnées : candidatures, critères, consentements, contrats et "
                      "heures sont rattachés à la fiche conservée.", "success")
                return redirect(url_for("candidates.detail", candidate_id=keep.id))
        if form.form_errors:  # the pair cannot be merged (already merged…): back to the list
            for message in form.form_errors:
                flash(message, "error")
            return redirect(url_for("candidate_review.duplicates"))
        status = 422
    counts = application_queries.application_states([keep.id, drop.id])
    return render_template("candidates/merge.html", keep=keep, drop=drop, form=form,
                           suspected=match_reason(keep, drop) is not None,
                           counts={cid: sum(n for _, n in pairs) for cid, pairs in counts.items()}), status
