"""Hires pages: employment contracts (extend, convert to CDI, exit), 6-month follow-ups, and the
pathway of a person."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.accounts.models import Role, User
from clausematch.candidates.models import Candidate
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.pathways import exits, follow_ups, permissions, queries, services, timeline
from clausematch.pathways.contracts import successor_id
from clausematch.pathways.models import EmploymentContract, FollowUp
from clausematch.privacy import access_log
from clausematch.versioning import EditConflict
from clausematch.vocabulary import ExitCategory
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import (
    bounded_int,
    date_arg,
    get_allowed_or_404,
    refused_status,
    roles_required,
    show_error,
    validate_form,
)
from clausematch.web.pathways.forms import ConversionForm, ExitForm, ExtensionForm, FollowUpForm

bp = Blueprint("pathways", __name__)


def _me() -> User:
    return current_user._get_current_object()


def _page() -> int:
    return request.args.get("page", 1, type=bounded_int)


def _enum_arg(enum_cls, name: str, default=None):
    """An enum from the query string; a value that does not parse is ignored, not an error."""
    value = request.args.get(name, "")
    return enum_cls(value) if value in {m.value for m in enum_cls} else default


@bp.get("/contrats-de-travail")
@roles_required(Role.FACILITATOR, Role.COMPANY)
def contract_list():
    if not permissions.can_list_contracts(_me()):
        abort(403)
    state = _enum_arg(queries.ContractState, "etat", queries.ContractState.CURRENT)
    errors: dict[str, str] = {}
    started_from, started_until = date_arg("debut_du", errors), date_arg("debut_au", errors)
    if started_from and started_until and started_until < started_from:
        errors["debut_au"] = "Saisissez une date postérieure ou égale à celle du champ « Début à partir du »."
    filters = queries.ContractFilters(
        company_id=request.args.get("entreprise", type=bounded_int) if _me().role == Role.FACILITATOR else None,
        lot_id=request.args.get("lot", type=bounded_int), name=(request.args.get("personne") or "").strip()[:100],
        started_from=started_from, started_until=started_until)
    companies, lots = queries.contract_filter_choices(_me())
    page = None if errors else queries.contracts_page(_me(), state, _page(), filters)
    return render_template("pathways/contract_list.html", state=state, states=list(queries.ContractState),
                           page=page, filters=filters, errors=errors, companies=companies, lots=lots,
                           typed=request.args), 422 if errors else 200


@bp.get("/contrats-de-travail/<int:contract_id>")
@login_required
def contract_detail(contract_id: int):
    contract = get_allowed_or_404(EmploymentContract, contract_id, permissions.can_view_contract)
    shows_follow_up = permissions.can_see_follow_up(_me(), contract)
    data = queries.contract_page(contract, with_follow_up=shows_follow_up)
    is_last = data.chain[-1].id == contract.id
    return render_template("pathways/contract_detail.html", data=data,
                           can_manage=permissions.can_manage_contract(_me(), contract) and is_last
                           and contract.end_date is None,
                           can_see_pathway=permissions.can_view_pathway(_me(), contract.candidate),
                           shows_follow_up=shows_follow_up)


# The three changes to a contract share one shape: a form, its pure check (run at the first
# submit with the form's own), one service, back to the contract.
CHANGES = {
    "extend": (ExtensionForm, services.check_extension, services.extend_contract, "Prolonger le contrat",
               "Contrat prolongé : le nouveau contrat fait suite au précédent."),
    "convert": (ConversionForm, services.check_conversion, services.convert_to_cdi, "Convertir en CDI",
                "Contrat converti en CDI : la sortie en emploi durable du contrat précédent est enregistrée."),
    "exit": (ExitForm, exits.check_exit, exits.record_exit, "Enregistrer la sortie",
             "Sortie enregistrée. Le suivi à 6 mois sera proposé à l'équipe de facilitation le moment venu."),
}


def _change(contract_id: int, change: str):
    contract = get_allowed_or_404(EmploymentContract, contract_id, permissions.can_manage_contract)
    form_cls, check, service, heading, success = CHANGES[change]
    if contract.end_date is not None or successor_id(contract.id) is not None:
        flash("Ce contrat est terminé ou a déjà été prolongé ou converti : il ne peut plus être modifié.", "warning")
        return redirect(url_for("pathways.contract_detail", contract_id=contract.id))
    form = form_cls()
    if request.method == "GET":
        fill_version(form, contract)
    elif validate_form(form, lambda: check(contract.id, form.to_data(), _me())):
        try:
            result = service(contract.id, form.to_data(), _me(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(success, "success")
            target = result.id if isinstance(result, EmploymentContract) else contract.id
            return redirect(url_for("pathways.contract_detail", contract_id=target))
    return render_template("pathways/contract_change.html", contract=contract, form=form, heading=heading,
                           change=change), refused_status(form)

@bp.route("/contrats-de-travail/<int:contract_id>/prolonger", methods=["GET", "POST"])
@login_required
def extend(contract_id: int):
    return _change(contract_id, "extend")


@bp.route("/contrats-de-travail/<int:contract_id>/convertir-en-cdi", methods=["GET", "POST"])
@login_required
def convert(contract_id: int):
    return _change(contract_id, "convert")


@bp.route("/contrats-de-travail/<int:contract_id>/sortie", methods=["GET", "POST"])
@login_required
def record_exit(contract_id: int):
    return _change(contract_id, "exit")


@bp.get("/suivis")
@roles_required(Role.FACILITATOR)
def follow_up_list():
    filters = follow_ups.FollowUpFilters(
        state=_enum_arg(follow_ups.FollowUpState, "etat", follow_ups.FollowUpState.TO_DO),
        category=_enum_arg(ExitCategory, "categorie"))
    return render_template("pathways/follow_up_list.html", filters=filters,
                           page=follow_ups.follow_ups_page(_me(), filters, _page()),
                           counts=follow_ups.state_counts(_me()), today=today())


@bp.route("/suivis/<int:follow_up_id>", methods=["GET", "POST"])
@login_required
def follow_up(follow_up_id: int):
    item = get_allowed_or_404(FollowUp, follow_up_id, permissions.can_record_follow_up)
    form = FollowUpForm()
    if request.method == "GET" and item.done_on is not None:
        form.process(data={"done_on": item.done_on, "in_work": "oui" if item.in_work else "non",
                           "situation": item.situation.value if item.situation else "", "comment": item.comment})
    elif validate_form(form, lambda: follow_ups.check_follow_up(item.id, form.to_data(), _me())):
        try:
            follow_ups.record_follow_up(item.id, form.to_data(), _me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Suivi à 6 mois enregistré.", "success")
            return redirect(url_for("pathways.follow_up_list"))
    return render_template("pathways/follow_up_form.html", item=item, form=form), refused_status(form)


@bp.get("/parcours/<int:candidate_id>")
@login_required
def pathway(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, permissions.can_view_pathway)
    html = render_template("pathways/pathway.html", pathway=timeline.pathway_of(candidate),
                           contract_links=_me().role == Role.FACILITATOR)
    access_log.log_view(_me(), candidate.id, "parcours")  # after the page is built; fails closed
    return html
