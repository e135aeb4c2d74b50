"""The offers workspace of company users and facilitators (the public board is board.py)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.accounts.models import Role, User
from clausematch.applications.permissions import may_propose_to
from clausematch.applications.proposing import accepts_proposals
from clausematch.contracts.models import Lot
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.offers import permissions, queries, services, transitions, workflow
from clausematch.offers.models import Offer, OfferStatus
from clausematch.versioning import EditConflict
from clausematch.vocabulary import Sector
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    refused_status,
    roles_required,
    show_error,
    validate_form,
)
from clausematch.web.offers.forms import NewOfferForm, OfferForm, StatusForm

bp = Blueprint("offers", __name__)

S = OfferStatus
SUCCESS = {
    (S.DRAFT, S.SUBMITTED): "Offre soumise à validation : l'équipe de facilitation va la relire.",
    (S.DRAFT, S.CLOSED): "Brouillon clôturé.",
    (S.SUBMITTED, S.PUBLISHED): "Offre publiée : elle apparaît sur le tableau public des offres.",
    (S.SUBMITTED, S.DRAFT): "Offre renvoyée en brouillon à l'entreprise, avec votre commentaire.",
    (S.PUBLISHED, S.FILLED): "Offre marquée comme pourvue.",
    (S.PUBLISHED, S.CLOSED): "Offre clôturée.",
    (S.CLOSED, S.DRAFT): "Offre rouverte en brouillon.",
}


def _me() -> User:
    return current_user._get_current_object()


def _page() -> int:
    return request.args.get("page", 1, type=bounded_int)


def _filters(with_territory_filters: bool) -> queries.OfferFilters:
    """Filters from the query string; a value that does not parse is ignored, not an error."""
    args = request.args
    status = args.get("statut", "")
    sector = args.get("secteur", "")
    return queries.OfferFilters(
        status=S(status) if status in {s.value for s in S} else None,
        sector=Sector(sector) if with_territory_filters and sector in {s.value for s in Sector} else None,
        company_id=args.get("entreprise", type=bounded_int) if with_territory_filters else None,
        lot_id=args.get("lot", type=bounded_int) if with_territory_filters else None)


@bp.get("/entreprise/offres")
@roles_required(Role.COMPANY)
def company_list():
    scope = queries.company_scope(_me())
    filters = _filters(with_territory_filters=False)
    return render_template("offers/company_list.html", page=queries.offers_page(scope, filters, _page()),
                           filters=filters, counts=queries.status_counts(scope))


@bp.get("/facilitateur/offres")
@roles_required(Role.FACILITATOR)
def territory_list():
    scope = queries.territory_scope(_me())
    filters = _filters(with_territory_filters=True)
    return render_template("offers/territory_list.html", page=queries.offers_page(scope, filters, _page()),
                           filters=filters, counts=queries.status_counts(scope),
                           companies=queries.territory_companies(_me()),
                           lots=queries.lot_choices(services.allowed_lots_query(_me())))


@bp.route("/gestion/offres/nouvelle", methods=["GET", "POST"])
@roles_required(Role.COMPANY, Role.FACILITATOR)
def create():
    lots = queries.lot_choices(services.allowed_lots_query(_me()))
    lot_id = request.args.get("lot", type=bounded_int)
    if request.method == "GET" and lot_id is None and len(lots) != 1:
        return render_template("offers/choose_lot.html", lots=lots)
    form = NewOfferForm()
    form.lot_id.choices = dict(lots)
    if request.method == "GET":
        lot = get_allowed_or_404(Lot, lot_id or lots[0][0], permissions.can_create_offer_for_lot)
        if lot.company_id is None:
            flash("Ce lot n'est attribué à aucune entreprise : une offre ne peut pas encore y être rattachée.",
                  "warning")
            return render_template("offers/choose_lot.html", lots=lots)
        form.process(data={"lot_id": lot.id, **services.lot_defaults(lot)})
    elif validate_form(form, lambda: services.check_new_offer(form.to_data(_lot_read(form)), _me())):
        try:
            offer = services.create_offer(form.to_data(form.lot_id.data), _me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Offre enregistrée en brouillon. Soumettez-la à validation quand elle est prête.", "success")
            return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_template("offers/form.html", form=form, offer=None), refused_status(form)


def _lot_read(form: NewOfferForm) -> int | None:
    """The chosen lot, unless WTForms refused it (not among the user's lots: the form says so)."""
    return None if form.lot_id.errors else form.lot_id.data


@bp.get("/gestion/offres/<int:offer_id>")
@login_required
def detail(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_view_offer)
    return _render_detail(offer, StatusForm())


def _render_detail(offer: Offer, status_form: StatusForm, failed_target: str | None = None):
    moves = [(target, workflow.ACTION_LABELS[(offer.status, target)])
             for target in transitions.next_statuses(offer.status)
             if permissions.can_change_offer_status(_me(), offer, target)]
    return render_template("offers/detail.html", offer=offer, history=queries.offer_history(offer.id),
                           moves=moves, status_form=status_form, failed_target=failed_target,
                           comment_required={t for (c, t) in workflow.COMMENT_REQUIRED if c == offer.status},
                           can_edit=permissions.can_edit_offer(_me(), offer),
                           # The proposal service's rules: who proposes to this offer, and when.
                           can_propose=may_propose_to(_me(), offer) and accepts_proposals(offer, today()))


@bp.route("/gestion/offres/<int:offer_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_view_offer)
    if not permissions.can_edit_offer(_me(), offer):
        flash(f"Cette offre ne peut plus être modifiée (statut : {offer.status.label.lower()}).", "warning")
        return redirect(url_for("offers.detail", offer_id=offer.id))
    form = OfferForm()
    if request.method == "GET":
        form.fill_from(offer)
        fill_version(form, offer)
    elif validate_form(form, lambda: services.check_offer_update(offer.id, form.to_data(), _me())):
        try:
            services.update_offer(offer.id, form.to_data(), _me(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Offre mise à jour.", "success")
            return redirect(url_for("offers.detail", offer_id=offer.id))
    return render_template("offers/form.html", form=form, offer=offer), refused_status(form)


@bp.post("/gestion/offres/<int:offer_id>/statut")
@login_required
def change_status(offer_id: int):
    offer = get_allowed_or_404(Offer, offer_id, permissions.can_view_offer)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    previous = offer.status
    try:
        services.set_offer_status(offer.id, form.target.data, _me(), form.comment.data or "")
    except DomainError as error:
        if error.field == "comment":
            show_error(form, error)
            return _render_detail(offer, form, failed_target=form.target.data), 422
        flash(error.message, "error")
    else:
        flash(SUCCESS[(previous, offer.status)], "success")
    return redirect(url_for("offers.detail", offer_id=offer.id))
