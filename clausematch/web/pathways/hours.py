"""Monthly hours pages: the companies' declaration (grid, CSV import, CSV template) here; the
facilitators' validation and the histories in hours_review.py (blueprint `hours_review`)."""
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from clausematch.accounts.models import Role
from clausematch.contracts.models import Lot
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.formats import format_hours, month_key, month_label, plural
from clausematch.pathways import hours, hours_csv, hours_queries, invoices
from clausematch.pathways.hours_permissions import can_declare_on_lot
from clausematch.pathways.hours_rules import HoursValueError, parse_month, previous_month
from clausematch.pathways.models import HoursStatus
from clausematch.web.helpers import bounded_int, get_allowed_or_404, me, page_arg, roles_required
from clausematch.web.pathways.hours_forms import CsvUploadForm, PeriodForm

bp = Blueprint("hours", __name__)


def _period() -> tuple[PeriodForm, int | None, date | None]:
    """The lot and month asked for in the query string (default: the only lot, last month)."""
    form = PeriodForm(request.args)
    lots = hours.lot_choices(me())
    form.lot.choices = lots
    lot_id = request.args.get("lot", type=bounded_int) or (lots[0][0] if len(lots) == 1 else None)
    form.lot.data = lot_id
    month = previous_month(today())
    if request.args.get("mois"):
        try:
            month = parse_month(request.args["mois"])
        except HoursValueError as error:
            form.mois.errors = [error.message]
            return form, lot_id, None
    form.mois.data = month_key(month)
    return form, lot_id, month


@bp.route("/entreprise/heures", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def declare():
    period, lot_id, month = _period()
    if lot_id is None or month is None:
        return _render_without_grid(period)
    lot = get_allowed_or_404(Lot, lot_id, can_declare_on_lot)
    if request.method == "GET":
        return _render_grid(period, lot, month)
    try:
        result = hours.save_grid(me(), lot.id, month, request.form.to_dict())
    except hours.HoursRejected as rejected:
        return _render_grid(period, lot, month, errors=rejected.errors, posted=request.form, summary=rejected.message)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_saved_message(result, month), "success")
    return redirect(url_for("hours.declare", lot=lot.id, mois=month_key(month)))


def _saved_message(result: hours.SaveResult, month: date) -> str:
    if not result.saved:
        return f"Aucune modification : les heures de {month_label(month)} étaient déjà à jour."
    text = (f"Heures de {month_label(month)} enregistrées ({plural(result.saved, 'valeur')}) : "
            "l'équipe de facilitation va les valider.")
    if result.reopened:
        text += f" Heures déjà validées modifiées : {result.reopened}, de nouveau en attente de validation."
    return text


def _render_grid(period: PeriodForm, lot: Lot, month: date, errors: dict | None = None, posted=None,
                 summary: str | None = None):
    grid = hours.load_grid(me(), lot, month)
    rejected = [e.id for row in grid.rows for e in row.entries.values() if e.status == HoursStatus.REJECTED]
    values = {}
    for row in grid.rows:
        for kind in grid.kinds:
            name = hours.cell_name(row.contract.id, kind)
            entry = row.entries.get(kind)
            values[name] = posted.get(name, "") if posted is not None else format_hours(entry.hours if entry else None)
    return render_template("pathways/hours_declare.html", period=period, grid=grid, lot=lot, month=month,
                           values=values, errors=errors or {}, summary=summary, cell_name=hours.cell_name,
                           reasons=hours_queries.latest_comments(rejected), upload_form=CsvUploadForm(),
                           month_key=month_key(month), invoice_page=invoices.company_invoices(me(), page_arg()))


def _render_without_grid(period: PeriodForm):
    return render_template("pathways/hours_declare.html", period=period, grid=None, upload_form=CsvUploadForm(),
                           invoice_page=invoices.company_invoices(me(), page_arg()))


@bp.route("/entreprise/heures/import", methods=["GET", "POST"])
@roles_required(Role.COMPANY)
def import_csv():
    """The import page (also reached by the form of the declaration page). A refused file is
    shown here with its errors at the top; reloading the page (GET) shows the empty form again."""
    period, lot_id, month = _period()
    lot = get_allowed_or_404(Lot, lot_id, can_declare_on_lot) if lot_id and month else None
    form = CsvUploadForm()
    csv_errors: list[str] = []
    if request.method == "POST" and form.validate_on_submit():
        data = form.fichier.data.read(hours_csv.MAX_BYTES + 1)
        try:
            result = hours_csv.import_csv(me(), data)
        except hours.HoursRejected as rejected:
            form.fichier.errors = [rejected.message]
            csv_errors = list(rejected.errors.values())
        except DomainError as error:
            form.fichier.errors = [error.message]
        else:
            flash(f"Fichier importé : {plural(result.saved, 'valeur')} enregistrée{'s' if result.saved > 1 else ''}, "
                  f"{result.unchanged} inchangée{'s' if result.unchanged > 1 else ''}. "
                  "L'équipe de facilitation va valider les heures enregistrées.", "success")
            return redirect(url_for("hours.declare", **({"lot": lot.id, "mois": month_key(month)} if lot else {})))
    return render_template("pathways/hours_import.html", period=period, lot=lot, month=month, upload_form=form,
                           csv_errors=csv_errors, csv_limit=hours_csv.MAX_ERRORS_SHOWN)


@bp.get("/entreprise/heures/modele.csv")
@roles_required(Role.COMPANY)
def csv_template():
    _, lot_id, month = _period()
    month = month or previous_month(today())
    lot_id = request.args.get("lot", type=bounded_int)
    if lot_id is not None:
        get_allowed_or_404(Lot, lot_id, can_declare_on_lot)
    text = hours_csv.template_csv(me(), month, lot_id)
    name = f"heures-{month_key(month)}{f'-lot-{lot_id}' if lot_id else ''}.csv"
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})

