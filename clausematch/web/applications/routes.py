"""Orientations for prescribers and facilitators: propose a candidate, follow the lists, move an
application through its workflow. The company's restricted pages are company.py."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.accounts.models import OrganisationKind, Role, User
from clausematch.applications import permissions, proposing, queries, services, workflow
from clausematch.applications.links import APPLICATION_RULE
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import visible_criteria, visible_state
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.offers.models import Offer, OfferStatus
from clausematch.web.applications.forms import MoveForm, ProposeForm
from clausematch.web.helpers import bounded_int, get_or_404, roles_required, show_error, validate_form

bp = Blueprint("applications", __name__)

S = ApplicationStatus
SUCCESS = {
    S.SUBMITTED: "Candidature rouverte : elle repart à l'état « Proposée ».",
    S.VALIDATED: "Éligibilité validée pour cette candidature.",
    S.SHORTLISTED: "Candidature présélectionnée.",
    S.SENT: "Candidature envoyée à l'entreprise.",
    S.REFUSED: "Candidature refusée : le prescripteur est prévenu.",
    S.WITHDRAWN: "Candidature retirée.",
}
Q_MAX_LENGTH = 100


def _me() -> User:
    return current_user._get_current_object()


def _page() -> int:
    return request.args.get("page", 1, type=bounded_int)


def _q() -> str:
    return (request.args.get("q") or "").strip()[:Q_MAX_LENGTH]


def read_filters(args, with_territory_filters: bool) -> queries.ApplicationFilters:
    """Filters from the query string; a value that does not parse is ignored, not an error."""
    status = args.get("etat", "")
    stale = args.get("sans_nouvelle", type=bounded_int)
    territory = with_territory_filters
    return queries.ApplicationFilters(
        status=S(status) if status in {s.value for s in S} else None,
        offer_id=args.get("offre", type=bounded_int),
        lot_id=args.get("lot", type=bounded_int) if territory else None,
        company_id=args.get("entreprise", type=bounded_int) if territory else None,
        prescriber_id=args.get("prescripteur", type=bounded_int) if territory else None,
        stale_days=stale if stale in queries.STALE_CHOICES else None,
        name=(args.get("nom") or "").strip()[:Q_MAX_LENGTH] if territory else "")


# --- Proposing (prescribers) ----------------------------------------------------------------

@bp.get("/orienter")
@roles_required(Role.PRESCRIBER)
def orient():
    q = _q()
    return render_template("applications/orient.html", page=proposing.offers_page(_me(), q, _page()), q=q)


@bp.route("/orienter/offres/<int:offer_id>", methods=["GET", "POST"])
@roles_required(Role.PRESCRIBER, Role.FACILITATOR)
def propose_to_offer(offer_id: int):
    offer = get_or_404(Offer, offer_id)
    if not permissions.may_propose_to(_me(), offer):
        abort(403)
    if offer.status != OfferStatus.PUBLISHED:
        if offer.status == OfferStatus.FILLED:
            flash("Cette offre est pourvue : elle n'accepte plus de candidatures.", "warning")
        else:
            flash(f"Cette offre n'est pas ouverte aux candidatures (statut : {offer.status.label.lower()}).",
                  "warning")
        if _me().role == Role.FACILITATOR:
            return redirect(url_for("offers.detail", offer_id=offer.id))
        return redirect(url_for("applications.orient"))
    form = ProposeForm()
    del form.offer_id
    if _me().role == Role.FACILITATOR:
        form.candidate_id.description = "Les candidats du territoire (fiches fusionnées ou anonymisées exclues)."
    form.candidate_id.choices = dict([("", "Choisissez un candidat"), *proposing.candidate_choices(_me(), _q())])
    return _propose(form, offer_id=offer.id, offer=offer, candidate=None)


@bp.route("/candidats/<int:candidate_id>/proposer", methods=["GET", "POST"])
@roles_required(Role.PRESCRIBER, Role.FACILITATOR)
def propose_candidate(candidate_id: int):
    candidate = get_or_404(Candidate, candidate_id)
    if not permissions.can_propose(_me(), candidate):
        abort(403)
    if request.method == "GET" and not candidate.is_active:
        abort(403)  # no form for a merged or anonymised record; a form sent earlier gets the French reason
    form = ProposeForm()
    del form.candidate_id
    form.offer_id.choices = dict([("", "Choisissez une offre"),
                                  *proposing.offer_choices(candidate.territory_id, _q(), candidate_id=candidate.id)])
    if not form.is_submitted():  # "Proposer" from the suggested offers: the offer comes chosen
        form.offer_id.data = request.args.get("offre", type=bounded_int)
    return _propose(form, candidate_id=candidate.id, offer=None, candidate=candidate)


def _propose(form: ProposeForm, offer: Offer | None, candidate: Candidate | None, **fixed):
    values = {"candidate_id": getattr(form, "candidate_id", None), "offer_id": getattr(form, "offer_id", None)}
    chosen = {name: field.data for name, field in values.items() if field is not None}
    if validate_form(form, lambda: services.check_proposal(message=form.message.data or "", actor=_me(),
                                                           **fixed, **chosen)):
        try:
            application = services.propose(message=form.message.data or "", actor=_me(), **fixed, **chosen)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Candidature proposée : l'équipe de facilitation va vérifier l'éligibilité.", "success")
            return redirect(url_for("applications.detail", application_id=application.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("applications/propose.html", form=form, offer=offer, candidate=candidate,
                           q=_q()), status


# --- Lists ----------------------------------------------------------------------------------

@bp.get("/orientations")
@roles_required(Role.FACILITATOR)
def territory_list():
    scope = queries.territory_scope(_me())
    filters = read_filters(request.args, with_territory_filters=True)
    return render_template(
        "applications/territory_list.html", page=queries.applications_page(scope, filters, _page()),
        filters=filters, counts=queries.status_counts(scope), offers=queries.offer_choices(scope),
        lots=queries.lot_choices(_me()), stale_choices=queries.STALE_CHOICES,
        companies=queries.organisation_choices(_me(), OrganisationKind.COMPANY),
        prescribers=queries.organisation_choices(_me(), OrganisationKind.PRESCRIBER))


@bp.get("/mes-orientations")
@roles_required(Role.PRESCRIBER)
def prescriber_list():
    scope = queries.prescriber_scope(_me())
    filters = read_filters(request.args, with_territory_filters=False)
    return render_template(
        "applications/prescriber_list.html", page=queries.applications_page(scope, filters, _page()),
        filters=filters, counts=queries.status_counts(scope), offers=queries.offer_choices(scope),
        stale_choices=queries.STALE_CHOICES)


# --- One application ------------------------------------------------------------------------

def _viewable(application_id: int) -> Application:
    """404 if missing, 403 unless the user is its facilitator or prescriber."""
    application = get_or_404(Application, application_id)
    if not permissions.can_view_application(_me(), application):
        abort(403)
    return application


@bp.get(APPLICATION_RULE)
@login_required
def detail(application_id: int):
    return _render_detail(_viewable(application_id))


def _render_detail(application: Application, failed: dict | None = None, status: int = 200,
                   elsewhere: ProposeForm | None = None):
    capacity = permissions.application_capacity(_me(), application)
    failed = failed or {}
    moves = [(target, workflow.ACTION_LABELS[target],
              failed.get(target) or MoveForm(prefix=target.value, formdata=None).for_target(target))
             for target in workflow.next_statuses(application.status, capacity)
             if target != S.HIRED]
    if elsewhere is None and _may_propose_elsewhere(application):
        elsewhere = _elsewhere_form(application, formdata=None)
    has_errors = bool(failed) or bool(elsewhere and (elsewhere.errors or elsewhere.form_errors))
    return render_template("applications/detail.html", application=application, moves=moves,
                           history=queries.history(application.id), capacity=capacity, has_errors=has_errors,
                           elsewhere=elsewhere,
                           eligibility=visible_state(_me(), application.candidate, today()),
                           criteria=visible_criteria(_me(), application.candidate)), status


def _may_propose_elsewhere(application: Application) -> bool:
    """A refused (or closed, "poste pourvu") application: its person may go to another offer."""
    return application.status == S.REFUSED and permissions.can_propose(_me(), application.candidate)


def _elsewhere_form(application: Application, **kwargs) -> ProposeForm:
    """The offer picker of "Proposer pour une autre offre": open offers the person was not proposed
    to, those of the same trade first."""
    form = ProposeForm(prefix="ailleurs", **kwargs)
    del form.candidate_id
    form.offer_id.label.text = "Autre offre"
    form.offer_id.description = ("Les offres publiées du territoire auxquelles la personne n'a pas encore été "
                                 "proposée, celles du même métier en premier.")
    form.offer_id.choices = dict([("", "Choisissez une offre"), *proposing.offer_choices(
        application.candidate.territory_id, "", candidate_id=application.candidate_id,
        rome_code=application.offer.rome_code)])
    return form


@bp.post(APPLICATION_RULE + "/proposer-ailleurs")
@roles_required(Role.PRESCRIBER, Role.FACILITATOR)
def propose_elsewhere(application_id: int):
    application = _viewable(application_id)
    form = _elsewhere_form(application)
    if validate_form(form, lambda: services.check_proposal_elsewhere(application.id, form.offer_id.data,
                                                                     form.message.data or "", _me())):
        try:
            created = services.propose_elsewhere(application.id, form.offer_id.data, form.message.data or "", _me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Candidature proposée pour l'autre offre : l'équipe de facilitation va vérifier l'éligibilité.",
                  "success")
            return redirect(url_for("applications.detail", application_id=created.id))
    return _render_detail(application, status=422, elsewhere=form)


@bp.post(APPLICATION_RULE + "/etat/<target>")
@login_required
def move(application_id: int, target: str):
    application = _viewable(application_id)
    if target not in {s.value for s in S}:
        abort(404)
    target = S(target)
    form = MoveForm(prefix=target.value).for_target(target)
    if not form.validate_on_submit():
        return _render_detail(application, {target: form}, 422)
    reason = form.refusal_reason.data if target == S.REFUSED else None
    try:
        services.move(application.id, target, _me(), form.comment.data or "", reason)
    except DomainError as error:
        if error.field in ("comment", "refusal_reason"):
            show_error(form, error)
            return _render_detail(application, {target: form}, 422)
        flash(error.message, "error")
    else:
        flash(SUCCESS.get(target, "État de la candidature mis à jour."), "success")
    return redirect(url_for("applications.detail", application_id=application.id))
