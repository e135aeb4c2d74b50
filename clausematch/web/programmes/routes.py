"""Programmes (facilitators of the territory): list, creation, edition with the funnel's stages,
and the programme page with its funnel (chart, table, definitions) and its CSV export."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.offers.models import Programme
from clausematch.reporting import programmes
from clausematch.reporting.exports import csv_text
from clausematch.reporting.permissions import can_manage_programme, can_manage_programmes
from clausematch.reporting.programme_report import programme_chart, programme_table
from clausematch.reporting.queries.programme_funnel import CATALOGUE, programme_funnel, stages_of
from clausematch.reporting.tables import display
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import get_allowed_or_404, me, page_arg, refused_status, require, show_error, validate_form
from clausematch.web.programmes.forms import ProgrammeForm

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("")
@login_required
def index():
    require(can_manage_programmes(me()))
    return render_template("programmes/index.html", page=programmes.programmes_page(me(), page_arg()))


@bp.route("/nouveau", methods=["GET", "POST"])
@login_required
def new():
    require(can_manage_programmes(me()))
    form = ProgrammeForm()
    if request.method == "GET":
        form.fill_stages(["attended_info_session", "oriented", "hired", "cdi", "in_post_after_trial"])
    elif validate_form(form, lambda: programmes.check_programme(me(), _input(form))):
        try:
            programme = programmes.create_programme(me(), _input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Le programme « {programme.name} » a été créé.", "success")
            return redirect(url_for("programmes.show", programme_id=programme.id))
    return render_template("programmes/form.html", form=form, programme=None), refused_status(form)


@bp.route("/<int:programme_id>/modifier", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    programme = get_allowed_or_404(Programme, programme_id, can_manage_programme)
    form = ProgrammeForm(obj=programme)
    if request.method == "GET":
        form.fill_stages([stage.key for stage in stages_of(programme)])
        fill_version(form, programme)
    elif validate_form(form, lambda: programmes.check_programme(me(), _input(form), programme.id)):
        try:
            programmes.update_programme(me(), programme.id, _input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Le programme a été enregistré.", "success")
            return redirect(url_for("programmes.show", programme_id=programme.id))
    return render_template("programmes/form.html", form=form, programme=programme), refused_status(form)


@bp.get("/<int:programme_id>")
@login_required
def show(programme_id: int):
    programme = get_allowed_or_404(Programme, programme_id, can_manage_programme)
    funnel = programme_funnel(programme)
    return render_template("programmes/show.html", programme=programme, funnel=funnel,
                           table=programme_table(funnel), chart=programme_chart(funnel), display=display,
                           chosen=programme.funnel_stages is not None, catalogue=CATALOGUE)


@bp.get("/<int:programme_id>/entonnoir.csv")
@login_required
def export(programme_id: int):
    programme = get_allowed_or_404(Programme, programme_id, can_manage_programme)
    content = csv_text([programme_table(programme_funnel(programme))]).encode("utf-8")
    filename = f"entonnoir-programme-{programme.id}-{today().isoformat()}.csv"
    return Response(content, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _input(form: ProgrammeForm) -> programmes.ProgrammeInput:
    return programmes.ProgrammeInput(name=form.name.data or "", description=form.description.data or "",
                                     start_date=form.start_date.data, end_date=form.end_date.data,
                                     stages=form.chosen_stages())
