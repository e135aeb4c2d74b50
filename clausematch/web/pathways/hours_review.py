"""The facilitators' side of monthly hours: the queue of lot-months to validate, a lot-month's
entries with validate / reject actions, an entry's page (history, reject, correct), and the
histories companies read too. Blueprint `hours_review`; the companies' declaration is hours.py."""
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.accounts.models import Role
from clausematch.contracts.models import Lot
from clausematch.errors import DomainError
from clausematch.formats import format_hours, month_key, month_label, plural
from clausematch.pathways import hours_queries as queries
from clausematch.pathways import hours_validation as validation
from clausematch.pathways.hours_permissions import can_validate_on_lot, can_view_entry, can_view_lot_hours
from clausematch.pathways.invoices import pending_invoice_totals
from clausematch.pathways.models import HoursEntry
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    me,
    month_or_404,
    page_arg,
    roles_required,
    show_error,
    validate_form,
)
from clausematch.web.pathways.hours_forms import CorrectionForm, RejectForm

bp = Blueprint("hours_review", __name__)



@bp.get("/heures/a-valider")
@roles_required(Role.FACILITATOR)
def pending():
    choices = queries.pending_choices(me())
    month = request.args.get("mois", "")
    months = {month_key(m): m for m in choices.months}
    filters = queries.PendingFilters(company_id=request.args.get("entreprise", type=bounded_int),
                                     lot_id=request.args.get("lot", type=bounded_int), month=months.get(month))
    count, total = queries.pending_totals(me(), filters)
    return render_template("pathways/hours_pending.html", page=queries.pending_page(me(), page_arg(), filters),
                           count=count, total=total, month_key=month_key, filters=filters,
                           invoice_count=pending_invoice_totals(me())[0],
                           companies=choices.companies, lots=choices.lots,
                           months=[(key, month_label(m)) for key, m in months.items()])


@bp.get("/heures/lots/<int:lot_id>/<mois>")
@roles_required(Role.FACILITATOR)
def lot_month(lot_id: int, mois: str):
    month = month_or_404(mois)
    lot = get_allowed_or_404(Lot, lot_id, can_validate_on_lot)
    return _render_lot_month(lot, month, RejectForm())


def _render_lot_month(lot: Lot, month: date, reject_form: RejectForm):
    return render_template("pathways/hours_lot_month.html", lot=lot, month=month, month_key=month_key(month),
                           data=queries.lot_month(lot, month, me()), reject_form=reject_form)


@bp.post("/heures/lots/<int:lot_id>/<mois>/valider")
@roles_required(Role.FACILITATOR)
def validate_lot_month(lot_id: int, mois: str):
    month = month_or_404(mois)
    lot = get_allowed_or_404(Lot, lot_id, can_validate_on_lot)
    try:
        count = validation.validate_lot_month(me(), lot.id, month)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{plural(count, 'déclaration')} de {month_label(month)} validée{'s' if count > 1 else ''} : "
              "les heures comptent désormais pour la clause du lot.", "success")
    return redirect(url_for("hours_review.lot_month", lot_id=lot.id, mois=month_key(month)))


@bp.post("/heures/lots/<int:lot_id>/<mois>/refuser")
@roles_required(Role.FACILITATOR)
def reject_lot_month(lot_id: int, mois: str):
    month = month_or_404(mois)
    lot = get_allowed_or_404(Lot, lot_id, can_validate_on_lot)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            count = validation.reject_lot_month(me(), lot.id, month, form.motif.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{plural(count, 'déclaration')} de {month_label(month)} refusée{'s' if count > 1 else ''} : "
                  "l'entreprise est prévenue et lit le motif.", "success")
            return redirect(url_for("hours_review.lot_month", lot_id=lot.id, mois=month_key(month)))
    return _render_lot_month(lot, month, form), 422


@bp.get("/heures/saisies/<int:entry_id>")
@login_required
def entry(entry_id: int):
    entry = get_allowed_or_404(HoursEntry, entry_id, can_view_entry)
    return _render_entry(entry, RejectForm(), CorrectionForm())


def _render_entry(entry: HoursEntry, reject_form: RejectForm, correction_form: CorrectionForm):
    return render_template("pathways/hours_entry.html", entry=entry, history=queries.entry_history(entry),
                           can_validate=can_validate_on_lot(me(), entry.contract.lot), reject_form=reject_form,
                           correction_form=correction_form, month_key=month_key(entry.month))


@bp.post("/heures/saisies/<int:entry_id>/valider")
@roles_required(Role.FACILITATOR)
def validate_entry(entry_id: int):
    entry = get_allowed_or_404(HoursEntry, entry_id, can_view_entry)
    try:
        validation.validate_entry(me(), entry.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{format_hours(entry.hours)} h de {entry.contract.candidate.full_name} validées.", "success")
    return redirect(url_for("hours_review.lot_month", lot_id=entry.lot_id, mois=month_key(entry.month)))


@bp.post("/heures/saisies/<int:entry_id>/refuser")
@roles_required(Role.FACILITATOR)
def reject_entry(entry_id: int):
    entry = get_allowed_or_404(HoursEntry, entry_id, can_view_entry)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            validation.reject_entry(me(), entry.id, form.motif.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Déclaration refusée : l'entreprise est prévenue et lit le motif.", "success")
            return redirect(url_for("hours_review.entry", entry_id=entry.id))
    return _render_entry(entry, form, CorrectionForm()), 422


@bp.post("/heures/saisies/<int:entry_id>/corriger")
@roles_required(Role.FACILITATOR)
def correct_entry(entry_id: int):
    entry = get_allowed_or_404(HoursEntry, entry_id, can_view_entry)
    form = CorrectionForm()
    if validate_form(form, lambda: validation.check_correction(me(), entry.id, form.heures.data or "",
                                                                form.commentaire.data or "")):
        try:
            validation.correct_entry(me(), entry.id, form.heures.data, form.commentaire.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Heures corrigées et validées : {format_hours(entry.hours)} h.", "success")
            return redirect(url_for("hours_review.entry", entry_id=entry.id))
    return _render_entry(entry, RejectForm(), form), 422


@bp.get("/heures/lots/<int:lot_id>/<mois>/historique")
@login_required
def lot_month_history(lot_id: int, mois: str):
    month = month_or_404(mois)
    lot = get_allowed_or_404(Lot, lot_id, can_view_lot_hours)
    return render_template("pathways/hours_history.html", lot=lot, month=month, month_key=month_key(month),
                           page=queries.lot_month_history(lot, month, me(), page_arg()),
                           can_validate=can_validate_on_lot(me(), lot))
