"""The directory of inclusive structures: search (facilitators, prescribers, buyers, companies
of the territory) and a structure's profile form (its facilitators and its own members).

Filters live in the query string; a wrong value never breaks the page: it is dropped or
defaulted, with a French notice on its field."""
from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.accounts.models import Company, CompanyKind
from clausematch.contracts.permissions import territory_of
from clausematch.directory import queries, services
from clausematch.directory.models import INCLUSIVE_KINDS, OFFER_TYPES
from clausematch.directory.permissions import can_edit_profile, can_search_directory, sees_unpublished
from clausematch.errors import DomainError
from clausematch.formats import parse_int
from clausematch.referential.resolve import commune_label
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.directory.forms import ProfileForm
from clausematch.web.helpers import get_allowed_or_404, me, refused_status, require, show_error, validate_form
from clausematch.web.place_filter import read_place_filter

bp = Blueprint("directory", __name__)
MAX_TEXT = 100
KINDS = [kind for kind in CompanyKind if kind in INCLUSIVE_KINDS]


def read_filters(args: Mapping[str, str]) -> tuple[queries.DirectoryFilters, dict[str, str]]:
    notices: dict[str, str] = {}
    where = read_place_filter(args, notices, everywhere="tout le territoire", default_radius=queries.DEFAULT_RADIUS)
    kind_text = args.get("type") or ""
    kind = next((k for k in KINDS if k.value == kind_text), None)
    if kind_text and kind is None:
        notices["type"] = "Type de structure inconnu : ce filtre n'a pas été appliqué."
    offer = args.get("offre") or ""
    if offer and offer not in queries.OFFER_BY_VALUE:
        notices["offre"] = "Type de collaboration inconnu : ce filtre n'a pas été appliqué."
        offer = ""
    filters = queries.DirectoryFilters(q=(args.get("q") or "").strip()[:MAX_TEXT], kind=kind, offer=offer,
                                       commune_text=where.commune_text, place=where.place,
                                       radius_km=where.radius_km,
                                       page=parse_int(args.get("page") or "", 1) or 1)
    return filters, notices


@bp.get("/annuaire-inclusion")
@login_required
def search():
    require(can_search_directory(me()))
    filters, notices = read_filters(request.args)
    page = queries.search_structures(territory_of(me()), filters, with_unpublished=sees_unpublished(me()))
    own = me().organisation
    editable = own if isinstance(own, Company) and can_edit_profile(me(), own) else None
    return render_template("directory/search.html", filters=filters, notices=notices, page=page, kinds=KINDS,
                           offer_types=OFFER_TYPES, radius_choices=queries.RADIUS_CHOICES, own=editable,
                           may_edit=sees_unpublished(me()))


@bp.route("/annuaire-inclusion/structures/<int:company_id>/fiche", methods=["GET", "POST"])
@login_required
def edit(company_id: int):
    company = get_allowed_or_404(Company, company_id, can_edit_profile)
    profile = services.profile_of(company.id)
    # The stored profile fills the form on GET only: on a submit, a field left out of the request
    # must read as empty, not as the profile's attribute (its communes are rows, not text).
    form = ProfileForm(obj=profile if request.method == "GET" else None)
    if request.method == "GET":
        fill_version(form, profile)
        if profile is not None:
            form.rome_codes.data = ", ".join(row.rome_code for row in profile.rome_codes)
            form.communes.data = "\n".join(commune_label(row.commune_insee) for row in profile.communes)
            form.offers.data = [column for column, _, _ in OFFER_TYPES if getattr(profile, column)]
        else:
            form.radius_km.data = 10
            form.contact_email.data, form.contact_phone.data = company.email, company.phone
    elif validate_form(form, lambda: services.check_profile(company, _input(form))):
        try:
            services.save_profile(me(), company.id, _input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("La fiche annuaire a été enregistrée.", "success")
            return redirect(url_for("directory.edit", company_id=company.id))
    return render_template("directory/profile_form.html", form=form, company=company, profile=profile), \
        refused_status(form)


def _input(form: ProfileForm) -> services.ProfileInput:
    return services.ProfileInput(
        activities=form.activities.data or "", rome_codes=form.rome_codes.data or "",
        communes=form.communes.data or "", radius_km=form.radius_km.data,
        capacity_positions=form.capacity_positions.data, capacity_hours=form.capacity_hours.data,
        offers=frozenset(form.offers.data or []), contact_name=form.contact_name.data or "",
        contact_email=form.contact_email.data or "", contact_phone=form.contact_phone.data or "",
        is_published=bool(form.is_published.data))
