"""Contracts (marchés), their lots and each lot's clause."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.contracts import clauses, queries, services
from clausematch.contracts.models import ClauseKind, Contract, Lot, ObjectiveMethod
from clausematch.contracts.permissions import (
    can_edit_contract,
    can_edit_lot,
    can_list_contracts,
    can_manage_contracts,
    can_view_contract,
    can_view_lot,
    can_view_lot_offers,
    can_view_lot_people,
    territory_of,
)
from clausematch.directory.queries import lot_suggestions
from clausematch.errors import DomainError
from clausematch.formats import month_label
from clausematch.pathways.counting import realisation_rate
from clausematch.pathways.invoices import can_enter_invoice_on_lot
from clausematch.reporting.contract_figures import contract_lots, lot_overview
from clausematch.versioning import EditConflict
from clausematch.vocabulary import Sector
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.contracts.forms import ClauseForm, ContractForm, LotForm
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    me,
    page_arg,
    refused_status,
    require,
    show_error,
    validate_form,
)

bp = Blueprint("contracts", __name__)


@bp.get("/marches")
@login_required
def index():
    require(can_list_contracts(me()))
    filters = _filters_from_query()
    page = queries.contracts_page(me(), filters, page_arg())
    buyers = queries.buyer_choices(territory_of(me())) if can_manage_contracts(me()) else []
    return render_template("contracts/index.html", page=page, filters=filters, buyers=buyers,
                           years=queries.notification_years(me()), sectors=Sector, clause_kinds=ClauseKind,
                           no_clause=queries.NO_CLAUSE, can_edit=can_manage_contracts(me()))


def _filters_from_query() -> queries.ContractFilters:
    """Filters from the query string; a value that does not parse is ignored, not an error."""
    args = request.args
    sector = args.get("secteur", "")
    clause = args.get("clause", "")
    year = args.get("annee", type=bounded_int)
    return queries.ContractFilters(
        q=args.get("q", "").strip()[:100],
        buyer_id=args.get("acheteur", type=bounded_int),
        sector=Sector(sector) if sector in {s.value for s in Sector} else None,
        clause_kind=clause if clause in {queries.NO_CLAUSE, *(k.value for k in ClauseKind)} else "",
        year=year if year and 1990 <= year <= 2099 else None)


@bp.route("/marches/nouveau", methods=["GET", "POST"])
@login_required
def new_contract():
    require(can_manage_contracts(me()))
    form = ContractForm()
    form.buyer_id.choices = {"": "Choisissez un acheteur", **dict(queries.buyer_choices(territory_of(me())))}
    if request.method == "GET" and request.args.get("acheteur", type=bounded_int):
        form.buyer_id.data = request.args.get("acheteur", type=bounded_int)
    if validate_form(form, lambda: services.check_contract(me(), _contract_input(form))):
        try:
            contract = services.create_contract(me(), _contract_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Le marché « {contract.reference} » a été créé.", "success")
            return redirect(url_for("contracts.detail", contract_id=contract.id))
    return render_template("contracts/contract_form.html", form=form, contract=None), refused_status(form)


@bp.get("/marches/<int:contract_id>")
@login_required
def detail(contract_id: int):
    contract = get_allowed_or_404(Contract, contract_id, can_view_contract)
    lines = contract_lots(contract)
    objective = sum((line.objective or 0 for line in lines), 0)
    realised = sum((line.realised for line in lines), 0)
    return render_template("contracts/detail.html", contract=contract, lines=lines, objective=objective,
                           realised=realised, rate=realisation_rate(realised, objective),
                           can_edit=can_edit_contract(me(), contract))


@bp.route("/marches/<int:contract_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_contract(contract_id: int):
    contract = get_allowed_or_404(Contract, contract_id, can_edit_contract)
    form = ContractForm(obj=contract)
    form.buyer_id.choices = dict(queries.buyer_choices(contract.territory_id))
    if request.method == "GET":
        fill_version(form, contract)
    elif validate_form(form, lambda: services.check_contract(me(), _contract_input(form), contract.id)):
        try:
            services.update_contract(me(), contract.id, _contract_input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Le marché a été enregistré.", "success")
            return redirect(url_for("contracts.detail", contract_id=contract.id))
    return render_template("contracts/contract_form.html", form=form, contract=contract), refused_status(form)


def _contract_input(form: ContractForm) -> services.ContractInput:
    return services.ContractInput(
        reference=form.reference.data or "", object=form.object.data or "", buyer_id=form.buyer_id.data,
        sector=form.sector.data, amount_ht=form.amount_ht.data, notified_on=form.notified_on.data,
        start_date=form.start_date.data, end_date=form.end_date.data, clause_kind=form.clause_kind.data)


@bp.route("/marches/<int:contract_id>/lots/nouveau", methods=["GET", "POST"])
@login_required
def new_lot(contract_id: int):
    contract = get_allowed_or_404(Contract, contract_id, can_edit_contract)
    form = LotForm()
    if request.method == "GET":
        form.number.data = len(contract.lots) + 1
        form.start_date.data, form.end_date.data = contract.start_date, contract.end_date
    return _lot_form(form, contract, None)


@bp.route("/lots/<int:lot_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_lot(lot_id: int):
    lot = get_allowed_or_404(Lot, lot_id, can_edit_lot)
    form = LotForm(obj=lot)
    if request.method == "GET":
        fill_version(form, lot)
    return _lot_form(form, lot.contract, lot)


def _lot_form(form: LotForm, contract: Contract, lot: Lot | None):
    form.company_id.choices = {"": "Lot non attribué", **dict(queries.company_choices(contract.territory_id))}
    data = services.LotInput(number=form.number.data, title=form.title.data or "", company_id=form.company_id.data,
                             amount_ht=form.amount_ht.data, start_date=form.start_date.data,
                             end_date=form.end_date.data)
    if validate_form(form, lambda: services.check_lot(me(), contract.id, data, lot.id if lot else None)):
        try:
            saved = (services.update_lot(me(), lot.id, data, version=form.version.data) if lot
                     else services.create_lot(me(), contract.id, data))
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Le lot n° {saved.number} a été enregistré.", "success")
            return redirect(url_for("contracts.lot", lot_id=saved.id))
    return render_template("contracts/lot_form.html", form=form, contract=contract, lot=lot), refused_status(form)


@bp.get("/lots/<int:lot_id>")
@login_required
def lot(lot_id: int):
    lot = get_allowed_or_404(Lot, lot_id, can_view_lot)
    territory = lot.contract.buyer.territory
    overview = lot_overview(lot, territory, with_offers=can_view_lot_offers(me(), lot),
                            with_people=can_view_lot_people(me(), lot))
    objective = lot.clause.hours_objective if lot.clause else None
    return render_template("contracts/lot.html", lot=lot, contract=lot.contract, overview=overview,
                           objective=objective, rate=realisation_rate(overview.realised, objective),
                           can_edit=can_edit_lot(me(), lot), show_people=can_view_lot_people(me(), lot),
                           show_offers=can_view_lot_offers(me(), lot),
                           has_contract_access=can_view_contract(me(), lot.contract), month_label=month_label,
                           suggestions=lot_suggestions(lot), territory_lump=territory.cdi_lump_hours,
                           can_enter_invoices=can_enter_invoice_on_lot(me(), lot))


@bp.route("/lots/<int:lot_id>/clause", methods=["GET", "POST"])
@login_required
def edit_clause(lot_id: int):
    lot = get_allowed_or_404(Lot, lot_id, can_edit_lot)
    defaults = clauses.calculator_defaults(lot, lot.contract.buyer.territory)
    form = ClauseForm(obj=lot.clause)
    if request.method == "GET":
        _prefill_clause(form, lot, defaults)
        fill_version(form, lot.clause)
    computed = None
    calculating = "calculer" in request.form
    if validate_form(form, lambda: _check_clause(lot, form, calculating)):
        data = _clause_input(form)
        try:
            if calculating:
                computed = clauses.calculate_objective(data.amount_ht, data.labour_share_percent,
                                                       data.insertion_rate_percent, data.hourly_cost)
            else:
                clauses.save_clause(me(), lot.id, data, version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            if computed is None:
                flash("La clause du lot a été enregistrée.", "success")
                return redirect(url_for("contracts.lot", lot_id=lot.id))
    return render_template("contracts/clause_form.html", form=form, lot=lot, contract=lot.contract,
                           computed=computed), refused_status(form)


def _check_clause(lot: Lot, form: ClauseForm, calculating: bool) -> None:
    """The pure checks of what the button does: the calculator's factors, or the whole clause."""
    data = _clause_input(form)
    if calculating:
        clauses.calculate_objective(data.amount_ht, data.labour_share_percent, data.insertion_rate_percent,
                                    data.hourly_cost)
    else:
        clauses.check_clause(me(), lot.id, data)


def _prefill_clause(form: ClauseForm, lot: Lot, defaults: clauses.CalculatorDefaults) -> None:
    form.amount_ht.data = defaults.amount_ht
    form.labour_share_percent.data = defaults.labour_share_percent
    form.insertion_rate_percent.data = defaults.insertion_rate_percent
    form.hourly_cost.data = defaults.hourly_cost
    form.method.data = lot.clause.objective_method if lot.clause else ObjectiveMethod.COMPUTED


def _clause_input(form: ClauseForm) -> clauses.ClauseInput:
    return clauses.ClauseInput(
        method=form.method.data, hours_objective=form.hours_objective.data, amount_ht=form.amount_ht.data,
        labour_share_percent=form.labour_share_percent.data,
        insertion_rate_percent=form.insertion_rate_percent.data, hourly_cost=form.hourly_cost.data,
        eligible_criteria=form.eligible_criteria.data or [], allowed_modes=form.allowed_modes.data or [],
        notes=form.notes.data or "", cdi_lump_hours=form.cdi_lump_hours.data)
