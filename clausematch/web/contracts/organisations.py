"""Buyers and companies of the territory (facilitators): lists, creation, edition, company page."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.accounts.models import Buyer, Company, CompanyKind
from clausematch.contracts import organisations, queries
from clausematch.contracts.permissions import can_manage_contracts, can_manage_organisation, territory_of
from clausematch.errors import DomainError
from clausematch.referential.resolve import commune_label
from clausematch.reporting.contract_figures import company_overview
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.contracts.forms import BuyerForm, CompanyForm
from clausematch.web.helpers import (
    flag_stored_contact,
    get_allowed_or_404,
    me,
    page_arg,
    refused_status,
    require,
    show_error,
    validate_form,
)

bp = Blueprint("organisations", __name__)


@bp.get("/acheteurs")
@login_required
def buyers():
    require(can_manage_contracts(me()))
    q = request.args.get("q", "").strip()[:100]
    page = queries.buyers_page(territory_of(me()), q, page_arg())
    return render_template("contracts/buyers.html", page=page, q=q)


@bp.route("/acheteurs/nouveau", methods=["GET", "POST"])
@login_required
def new_buyer():
    require(can_manage_contracts(me()))
    form = BuyerForm()
    if validate_form(form, lambda: organisations.check_buyer(me(), _buyer_input(form))):
        try:
            buyer = organisations.create_buyer(me(), _buyer_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"L'acheteur « {buyer.name} » a été créé.", "success")
            return redirect(url_for("organisations.buyers", q=buyer.name))
    return render_template("contracts/buyer_form.html", form=form, buyer=None), refused_status(form)


@bp.route("/acheteurs/<int:buyer_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_buyer(buyer_id: int):
    buyer = get_allowed_or_404(Buyer, buyer_id, can_manage_organisation)
    form = BuyerForm(obj=buyer)
    if request.method == "GET":
        form.commune.data = commune_label(buyer.commune_insee)
        form.commune_insee.data = buyer.commune_insee
        fill_version(form, buyer)
    elif validate_form(form, lambda: organisations.check_buyer(me(), _buyer_input(form), buyer.id)):
        try:
            organisations.update_buyer(me(), buyer.id, _buyer_input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Les informations de l'acheteur ont été enregistrées.", "success")
            return redirect(url_for("organisations.buyers", q=buyer.name))
    return render_template("contracts/buyer_form.html", form=form, buyer=buyer), refused_status(form)


def _buyer_input(form: BuyerForm) -> organisations.BuyerInput:
    return organisations.BuyerInput(
        name=form.name.data or "", buyer_kind=form.buyer_kind.data, siret=form.siret.data or "",
        address=form.address.data or "", commune=form.commune.data or "",
        commune_insee=form.commune_insee.data or "")


@bp.get("/entreprises")
@login_required
def companies():
    require(can_manage_contracts(me()))
    q = request.args.get("q", "").strip()[:100]
    kind = request.args.get("type", "")
    kind = CompanyKind(kind) if kind in {k.value for k in CompanyKind} else None
    page = queries.companies_page(territory_of(me()), q, kind, page_arg())
    args = {key: value for key, value in {"q": q, "type": kind.value if kind else None}.items() if value}
    return render_template("contracts/companies.html", page=page, q=q, kind=kind, args=args,
                           kinds=CompanyKind)


@bp.route("/entreprises/nouvelle", methods=["GET", "POST"])
@login_required
def new_company():
    require(can_manage_contracts(me()))
    form = CompanyForm()
    if validate_form(form, lambda: organisations.check_company(me(), _company_input(form))):
        try:
            company = organisations.create_company(me(), _company_input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"L'entreprise « {company.name} » a été créée.", "success")
            return redirect(url_for("organisations.company", company_id=company.id))
    return render_template("contracts/company_form.html", form=form, company=None), refused_status(form)


@bp.get("/entreprises/<int:company_id>")
@login_required
def company(company_id: int):
    company = get_allowed_or_404(Company, company_id, can_manage_organisation)
    return render_template("contracts/company.html", company=company, overview=company_overview(company),
                           commune=commune_label(company.commune_insee))


@bp.route("/entreprises/<int:company_id>/modifier", methods=["GET", "POST"])
@login_required
def edit_company(company_id: int):
    company = get_allowed_or_404(Company, company_id, can_manage_organisation)
    form = CompanyForm(obj=company)
    if request.method == "GET":
        form.commune.data = commune_label(company.commune_insee)
        form.commune_insee.data = company.commune_insee
        fill_version(form, company)
        flag_stored_contact(form)
    elif validate_form(form, lambda: organisations.check_company(me(), _company_input(form), company.id)):
        try:
            organisations.update_company(me(), company.id, _company_input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Les informations de l'entreprise ont été enregistrées.", "success")
            return redirect(url_for("organisations.company", company_id=company.id))
    return render_template("contracts/company_form.html", form=form, company=company), refused_status(form)


def _company_input(form: CompanyForm) -> organisations.CompanyInput:
    return organisations.CompanyInput(
        name=form.name.data or "", company_kind=form.company_kind.data, siret=form.siret.data or "",
        address=form.address.data or "", commune=form.commune.data or "",
        commune_insee=form.commune_insee.data or "", email=form.email.data or "", phone=form.phone.data or "")
