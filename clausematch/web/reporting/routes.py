"""Report pages (/rapports/…), their CSV and XLSX exports, and the printable bilans.
Facilitators read their territory; buyer users their own contracts, read-only."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from clausematch.accounts.models import Buyer
from clausematch.contracts.models import Contract
from clausematch.reporting import bilans, services
from clausematch.reporting.filters import positive_int
from clausematch.reporting.permissions import (
    can_view_buyer_bilan,
    can_view_contract_bilan,
    can_view_reports,
    forced_buyer,
)
from clausematch.reporting.reports import BY_SLUG, HOURS_GROUPS, REPORTS
from clausematch.reporting.tables import display
from clausematch.web.helpers import get_allowed_or_404, me, require

bp = Blueprint("reporting", __name__, url_prefix="/rapports")


@bp.get("")
@login_required
def index():
    require(can_view_reports(me()))
    return render_template("reporting/index.html", reports=REPORTS, own_buyer=forced_buyer(me()))


@bp.get("/<slug>")
@login_required
def report(slug: str):
    require(can_view_reports(me()))
    if slug not in BY_SLUG:
        abort(404)
    page = services.report_page(me(), slug, request.args)
    return render_template("reporting/report.html", page=page, report=page.report, result=page.result,
                           groups=HOURS_GROUPS, display=display)


@bp.get("/<slug>/export.<fmt>")
@login_required
def export(slug: str, fmt: str):
    require(can_view_reports(me()))
    if slug not in BY_SLUG or fmt not in services.FORMATS:
        abort(404)
    download = services.report_download(me(), slug, request.args, fmt)
    return Response(download.content, mimetype=download.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{download.filename}"'})


@bp.get("/bilan/marche/<int:contract_id>")
@login_required
def contract_bilan(contract_id: int):
    contract = get_allowed_or_404(Contract, contract_id, can_view_contract_bilan)
    bilan = bilans.contract_bilan(me(), contract, positive_int(request.args.get("annee")))
    return render_template("reporting/bilan.html", bilan=bilan, display=display,
                           endpoint="reporting.contract_bilan", ident={"contract_id": contract.id})


@bp.get("/bilan/acheteur/<int:buyer_id>")
@login_required
def buyer_bilan(buyer_id: int):
    buyer = get_allowed_or_404(Buyer, buyer_id, can_view_buyer_bilan)
    bilan = bilans.buyer_bilan(me(), buyer, positive_int(request.args.get("annee")))
    return render_template("reporting/bilan.html", bilan=bilan, display=display,
                           endpoint="reporting.buyer_bilan", ident={"buyer_id": buyer.id})
