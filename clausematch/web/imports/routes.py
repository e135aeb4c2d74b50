"""Import pages (facilitators of a territory): the kinds and their templates, the upload and its
preview, the commit, the exports in the template's format. Other roles get 403."""
import csv
import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from clausematch.accounts.models import Role, Territory
from clausematch.contracts.permissions import can_manage_contracts, territory_of
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.imports import runner
from clausematch.imports.base import Outcome
from clausematch.imports.kinds import KINDS
from clausematch.imports.tabular import MAX_BYTES, template_csv, template_xlsx
from clausematch.spreadsheets import csv_text
from clausematch.web.helpers import me, roles_required
from clausematch.web.imports.forms import ConfirmForm, UploadForm

bp = Blueprint("imports", __name__)

SHOWN_REFUSED = 1000  # refused lines listed on the preview (all of them are in the CLI's output)
SHOWN_OTHERS = 200
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _territory() -> Territory:
    if not can_manage_contracts(me()):
        abort(403)
    return db.session.get(Territory, territory_of(me()))


def _kind(name: str):
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


@bp.get("/imports")
@roles_required(Role.FACILITATOR)
def index():
    _territory()
    return render_template("imports/index.html", kinds=KINDS.values(), form=UploadForm())


@bp.post("/imports")
@roles_required(Role.FACILITATOR)
def upload():
    territory = _territory()
    request.max_content_length = MAX_BYTES + 1024 * 1024  # the page's limit is the file's, not the forms'
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/index.html", kinds=KINDS.values(), form=form), 422
    kind = _kind(form.kind.data)
    data = form.fichier.data.read(MAX_BYTES + 1)
    file_name = (form.fichier.data.filename or "fichier")[:200]
    try:
        report = runner.preview(kind, territory, me(), data, file_name)
    except DomainError as error:
        form.fichier.errors = [error.message]
        return render_template("imports/index.html", kinds=KINDS.values(), form=form), 422
    stored = runner.store_upload(kind, territory, me(), data, file_name)
    return _preview_page(report, stored.id)


@bp.post("/imports/<int:upload_id>/importer")
@roles_required(Role.FACILITATOR)
def commit(upload_id: int):
    territory = _territory()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if runner.upload_of(me(), upload_id, territory.id) is None:
        abort(404)
    try:
        report = runner.commit_upload(me(), upload_id, territory.id)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("imports.index"))
    if not report.committed:
        return _preview_page(report, upload_id, failed=True), 422
    counts = report.counts
    flash(f"Import enregistré ({report.kind.label}, {report.file_name}) : {counts[Outcome.CREATED]} créée(s), "
          f"{counts[Outcome.UPDATED]} mise(s) à jour, {counts[Outcome.UNCHANGED]} inchangée(s).", "success")
    return redirect(url_for("imports.index"))


@bp.get("/imports/<int:upload_id>/resultat.csv")
@roles_required(Role.FACILITATOR)
def outcomes_csv(upload_id: int):
    """Every line's outcome of a stored upload (the page lists the first ones), planned again now."""
    territory = _territory()
    upload = runner.upload_of(me(), upload_id, territory.id)
    if upload is None:
        abort(404)
    try:
        report = runner.preview(runner.kind_named(upload.kind), territory, me(), upload.data, upload.file_name)
    except DomainError:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["Ligne", "Résultat", "Enregistrement", "Détail"])
    for line in sorted(report.results, key=lambda result: result.line):
        writer.writerow([line.line, line.outcome.label, csv_text(line.key),
                         csv_text(" ; ".join(line.refusals) if line.refusals else line.message)])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="resultat-import-{upload_id}.csv"'})


def _preview_page(report: runner.Report, upload_id: int, failed: bool = False):
    refused, others = report.refused, report.others
    return render_template("imports/preview.html", report=report, upload_id=upload_id, failed=failed,
                           refused=refused[:SHOWN_REFUSED], refused_more=max(0, len(refused) - SHOWN_REFUSED),
                           others=others[:SHOWN_OTHERS], others_more=max(0, len(others) - SHOWN_OTHERS),
                           counts=report.counts, Outcome=Outcome, form=ConfirmForm())


@bp.get("/imports/<kind_name>/modele.<fmt>")
@roles_required(Role.FACILITATOR)
def template(kind_name: str, fmt: str):
    _territory()
    kind = _kind(kind_name)
    if not kind.columns:  # a kind with its own file format (DECP) has no template
        abort(404)
    return _file(kind, fmt, f"modele-{kind_name}", [])


@bp.get("/imports/<kind_name>/export.<fmt>")
@roles_required(Role.FACILITATOR)
def export(kind_name: str, fmt: str):
    territory = _territory()
    kind = _kind(kind_name)
    if not hasattr(kind, "export_rows"):  # a kind may have no export (optional, not in base.ImportKind)
        abort(404)
    return _file(kind, fmt, f"export-{kind_name}", kind.export_rows(territory))


def _file(kind, fmt: str, name: str, rows: list[dict]) -> Response:
    if fmt == "csv":
        data, mimetype = template_csv(kind, rows), "text/csv"
    elif fmt == "xlsx":
        data, mimetype = template_xlsx(kind, rows), XLSX_MIMETYPE
    else:
        abort(404)
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
