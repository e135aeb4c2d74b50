"""SIAE subcontracting and co-contracting invoices of a lot: the titulaire company and the
territory's facilitators enter them (a rejected one is entered again from its values, "Saisir à
nouveau"), the facilitators validate or reject them from the lot's page or from their queue
(/heures/a-valider/factures, next to the hours to validate). Blueprint `invoices`; the rules are
in clausematch/pathways/invoices.py."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length
from wtforms.widgets import MonthInput

from clausematch.accounts.models import Role
from clausematch.contracts.models import Lot
from clausematch.errors import DomainError
from clausematch.formats import format_hours, month_label
from clausematch.pathways import invoices
from clausematch.pathways.hours_permissions import can_validate_on_lot
from clausematch.pathways.hours_rules import parse_month
from clausematch.pathways.models import InvoiceNature, SubcontractingInvoice
from clausematch.web.fields import FrenchForm, optional_id
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    me,
    page_arg,
    refused_status,
    roles_required,
    show_error,
    validate_form,
)

bp = Blueprint("invoices", __name__)


class InvoiceForm(FrenchForm):
    siae = SelectField("Structure d'insertion", coerce=optional_id, validate_choice=False)
    nature = SelectField("Nature", choices=[SelectChoice("", "— Choisir —"),
                                            *(SelectChoice(n.value, n.label) for n in InvoiceNature)])
    mois = StringField("Mois facturé", widget=MonthInput(), description="Format AAAA-MM, par exemple 2025-03.")
    montant = StringField("Montant facturé hors taxes (€)", description="Par exemple 12 000 ou 12000,50.")
    reference = StringField("Référence de la facture (facultatif)",
                            validators=[Length(max=invoices.REFERENCE_MAX_LENGTH)])


class InvoiceRejectForm(FrenchForm):
    motif = TextAreaField("Motif du refus", validators=[
        DataRequired("Indiquez le motif du refus : l'entreprise le lira pour corriger sa saisie."),
        Length(max=invoices.REASON_MAX_LENGTH, message=f"{invoices.REASON_MAX_LENGTH} caractères au plus.")])


def _input(form: InvoiceForm) -> invoices.InvoiceInput:
    return invoices.InvoiceInput(siae_id=form.siae.data, nature=form.nature.data or "", month=form.mois.data or "",
                                 amount_ht=form.montant.data or "", reference=form.reference.data or "")


def _render(lot: Lot, form: InvoiceForm, reject_form: InvoiceRejectForm | None = None, refused_id: int | None = None,
            resubmitted: str | None = None, status: int = 200):
    form.siae.choices = [SelectChoice("", "— Choisir —"), *(SelectChoice(c.id, f"{c.name} ({c.company_kind.label})")
                                                             for c in invoices.siae_choices(lot))]
    return render_template("pathways/invoices.html", lot=lot, form=form, reject_form=reject_form or InvoiceRejectForm(),
                           blank_reject_form=InvoiceRejectForm(formdata=None), refused_id=refused_id,
                           page=invoices.lot_invoices(lot, page_arg()), hourly_cost=invoices.hourly_cost_of(lot),
                           can_validate=can_validate_on_lot(me(), lot), resubmitted=resubmitted), status


@bp.route("/lots/<int:lot_id>/factures-siae", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.COMPANY)
def lot_invoices(lot_id: int):
    lot = get_allowed_or_404(Lot, lot_id, invoices.can_enter_invoice_on_lot)
    form = InvoiceForm()
    if validate_form(form, lambda: invoices.check_invoice(me(), lot, _input(form))):
        try:
            invoice = invoices.enter_invoice(me(), lot.id, _input(form))
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Facture enregistrée : {format_hours(invoice.converted_hours)} h à valider par l'équipe de "
                  "facilitation.", "success")
            return redirect(url_for("invoices.lot_invoices", lot_id=lot.id))
    resubmitted = None
    reprendre = request.args.get("reprendre", type=bounded_int)
    if request.method == "GET" and reprendre:
        previous = invoices.resubmission(me(), lot, reprendre)
        if previous is not None:  # "Saisir à nouveau": the rejected invoice's values, to correct
            form = InvoiceForm(formdata=None, siae=previous.siae_id, nature=previous.nature, mois=previous.month,
                               montant=previous.amount_ht, reference=previous.reference)
            resubmitted = f"{month_label(parse_month(previous.month))}, {previous.amount_ht} € HT"
    return _render(lot, form, resubmitted=resubmitted, status=refused_status(form))


@bp.get("/heures/a-valider/factures")
@roles_required(Role.FACILITATOR)
def pending():
    return _render_pending(InvoiceRejectForm(formdata=None))


def _render_pending(reject_form: InvoiceRejectForm, refused_id: int | None = None, status: int = 200):
    return render_template("pathways/invoices_pending.html", page=invoices.pending_invoices(me(), page_arg()),
                           total=invoices.pending_invoice_totals(me())[1], reject_form=reject_form,
                           blank_reject_form=InvoiceRejectForm(formdata=None), refused_id=refused_id), status


def _back(invoice: SubcontractingInvoice):
    """Back to the queue when the action came from it (the page it showed), else to the lot's invoices."""
    page = request.form.get("page", type=bounded_int)
    if request.form.get("retour") == "file":
        return redirect(url_for("invoices.pending", page=page if page and page > 1 else None))
    return redirect(url_for("invoices.lot_invoices", lot_id=invoice.lot_id, page=page if page and page > 1 else None))


@bp.post("/factures-siae/<int:invoice_id>/valider")
@roles_required(Role.FACILITATOR)
def validate(invoice_id: int):
    invoice = get_allowed_or_404(SubcontractingInvoice, invoice_id, lambda u, i: can_validate_on_lot(u, i.lot))
    try:
        invoices.validate_invoice(me(), invoice.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Facture validée : {format_hours(invoice.converted_hours)} h comptent désormais pour la clause.",
              "success")
    return _back(invoice)


@bp.post("/factures-siae/<int:invoice_id>/refuser")
@roles_required(Role.FACILITATOR)
def reject(invoice_id: int):
    invoice = get_allowed_or_404(SubcontractingInvoice, invoice_id, lambda u, i: can_validate_on_lot(u, i.lot))
    reject_form = InvoiceRejectForm()
    if validate_form(reject_form, lambda: invoices.check_rejection(reject_form.motif.data)):
        try:
            invoices.reject_invoice(me(), invoice.id, reject_form.motif.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash("Facture refusée : l'entreprise est prévenue et lit le motif.", "success")
        return _back(invoice)
    if request.form.get("retour") == "file":
        return _render_pending(reject_form, refused_id=invoice.id, status=422)
    return _render(invoice.lot, InvoiceForm(formdata=None), reject_form, refused_id=invoice.id, status=422)
