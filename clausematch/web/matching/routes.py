"""Matching pages: suggested candidates for an offer and its shortlist (facilitators), suggested
offers for a candidate (their prescriber), the ranking model (facilitators)."""
import os

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from clausematch.accounts.models import Role, User
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import visible_state
from clausematch.database import today
from clausematch.errors import DomainError, refusals
from clausematch.matching import permissions, queries, services, shortlisting
from clausematch.matching.engine.scoring import Weights
from clausematch.offers.models import Offer, OfferStatus
from clausematch.web.helpers import get_allowed_or_404, roles_required, validate_form
from clausematch.web.matching.forms import ActionForm, RankingFiltersForm, ShortlistForm

bp = Blueprint("matching", __name__)


@bp.record_once
def _warm_start(state) -> None:
    """MATCHING_WARM_START=1 (config or environment): build the engine when the app starts."""
    app = state.app
    if app.config.get("MATCHING_WARM_START", os.environ.get("MATCHING_WARM_START") == "1") and not app.testing:
        services.warm_start(app)


def _me() -> User:
    return current_user._get_current_object()


# --- Facilitators: suggested candidates and the shortlist ------------------------------------

@bp.get("/gestion/offres/<int:offer_id>/candidats-suggeres")
@roles_required(Role.FACILITATOR)
def suggested_candidates(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_rank_candidates)
    form = RankingFiltersForm(request.args).with_offer_defaults(offer, request.args)
    filters, k = form.to_filters()
    suggestions = services.candidates_for_offer(offer, _me(), filters, k)
    return render_template("matching/suggested_candidates.html", offer=offer, form=form, suggestions=suggestions,
                           shortlist=queries.shortlist(offer.id), shortlist_form=ShortlistForm(),
                           send_form=ActionForm(), published=offer.status == OfferStatus.PUBLISHED, today=today())


@bp.post("/gestion/offres/<int:offer_id>/preselection")
@roles_required(Role.FACILITATOR)
def add_to_shortlist(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_shortlist)
    form = ShortlistForm()
    back = redirect(url_for("matching.suggested_candidates", offer_id=offer.id,
                            **RankingFiltersForm(request.args).as_args()))
    if not validate_form(form, lambda: shortlisting.check_shortlist(offer.id, form.candidate_ids.data or [], _me())):
        # This page shows no field errors: every refusal of the first submit is flashed, the
        # form's own (a selection or token that could not be read) as one plain sentence.
        unread = form.candidate_ids.process_errors
        if unread or set(form.errors) - {"candidate_ids", None}:
            flash("La sélection n'a pas pu être lue : rechargez la page et cochez à nouveau les candidats.", "error")
        for message in [*(m for m in form.candidate_ids.errors if m not in unread), *form.form_errors]:
            flash(message, "error")
        return back
    try:
        result = shortlisting.add_to_shortlist(offer.id, form.candidate_ids.data, _me())
    except DomainError as error:
        for refusal in refusals(error):
            flash(refusal.message, "error")
        return back
    if result.added:
        count = len(result.added)
        flash(f"{count} candidat{'s' if count > 1 else ''} ajouté{'s' if count > 1 else ''} à la présélection : "
              + ", ".join(result.added) + ". Leurs prescripteurs sont prévenus.", "success")
    for refusal in result.refused:
        flash(f"Non ajouté — {refusal}", "warning")
    return back


@bp.post("/gestion/offres/<int:offer_id>/preselection/envoyer")
@roles_required(Role.FACILITATOR)
def send_shortlist(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_shortlist)
    if ActionForm().validate_on_submit():
        try:
            count = shortlisting.send_shortlist(offer.id, _me())
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(f"Présélection envoyée à l'entreprise : {count} candidature{'s' if count > 1 else ''}. "
                  "L'entreprise et les prescripteurs sont prévenus.", "success")
    else:
        flash("L'envoi n'a pas pu être confirmé : rechargez la page et réessayez.", "error")
    return redirect(url_for("matching.suggested_candidates", offer_id=offer.id))


# --- Prescribers: suggested offers for one of their candidates --------------------------------

@bp.get("/candidats/<int:candidate_id>/offres-suggerees")
@roles_required(Role.PRESCRIBER)
def suggested_offers(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, permissions.can_see_suggested_offers)
    suggestions = services.offers_for_candidate(candidate, _me())
    return render_template("matching/suggested_offers.html", candidate=candidate, suggestions=suggestions,
                           state=visible_state(_me(), candidate, today()))


# --- Facilitators: the ranking model ----------------------------------------------------------

@bp.get("/rapprochement/modele")
@roles_required(Role.FACILITATOR)
def ranking_model():
    if not permissions.can_view_ranking_model(_me()):
        abort(403)
    return render_template("matching/model.html", active=services.active_model(), history=queries.model_history(),
                           fixed_weights=Weights().to_dict(), labels=queries.FEATURE_LABELS, form=ActionForm())


@bp.post("/rapprochement/modele/entrainer")
@roles_required(Role.FACILITATOR)
def train():
    if not permissions.can_train_ranking_model(_me()):
        abort(403)
    if ActionForm().validate_on_submit():
        outcome = services.train_model(_me())
        flash(outcome.message, "success" if outcome.model is not None else "info")
    else:
        flash("Le réentraînement n'a pas pu être confirmé : rechargez la page et réessayez.", "error")
    return redirect(url_for("matching.ranking_model"))
