"""SIAE subcontracting and co-contracting entered as what they are: an invoiced amount (excl.
VAT) for a month, converted into insertion hours at the hourly cost of the clause (else the
territory's default), frozen on the invoice when it is entered (docs/domain.md, "Heures qui
comptent"). The titulaire company of the lot or a facilitator of its territory enters it; a
facilitator validates or rejects it, like monthly hours; only validated invoices count
(pathways/counting.py, mode subcontracting_siae). Each service is one unit of work: it locks
the invoice it changes, re-checks its status under the lock, audits and commits once.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Company, CompanyKind, Role, User
from clausematch.accounts.permissions import has_role
from clausematch.audit import record
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.database import lock, today, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed, parsed
from clausematch.extensions import db
from clausematch.formats import format_decimal_fr, format_hours, month_key, month_label, parse_decimal
from clausematch.notifications import notify
from clausematch.pagination import Page, paginate
from clausematch.pathways.counting import converted_hours
from clausematch.pathways.hours_permissions import can_validate_on_lot
from clausematch.pathways.hours_rules import HoursValueError, parse_month
from clausematch.pathways.models import HoursStatus, InvoiceNature, SubcontractingInvoice

# SIAE that take subcontracting or co-contracting (docs/domain.md: EI, ACI, ETTI, AI, régie).
SIAE_KINDS = (CompanyKind.EI, CompanyKind.ACI, CompanyKind.ETTI, CompanyKind.AI, CompanyKind.REGIE)
MAX_AMOUNT = Decimal("100000000")
REASON_MAX_LENGTH = 400
REFERENCE_MAX_LENGTH = 60


# --- Permissions --------------------------------------------------------------------------------

def can_enter_invoice_on_lot(user: User, lot: Lot) -> bool:
    """The lot's titulaire company (its own lots only) or a facilitator of the lot's territory."""
    if can_validate_on_lot(user, lot):
        return True
    return has_role(user, Role.COMPANY) and lot.company_id is not None and lot.company_id in user.organisation_ids


def can_view_invoice(user: User, invoice: SubcontractingInvoice) -> bool:
    return can_enter_invoice_on_lot(user, invoice.lot)


# --- Entering -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class InvoiceInput:
    siae_id: int | None
    nature: str
    month: str
    amount_ht: str
    reference: str = ""


@dataclass(frozen=True)
class CheckedInvoice:
    siae: Company
    nature: InvoiceNature
    month: date
    amount_ht: Decimal
    reference: str


def hourly_cost_of(lot: Lot) -> Decimal:
    """The hourly cost an invoice of `lot` is converted at: the clause's, else the territory's."""
    clause = lot.clause
    if clause is not None and clause.hourly_cost:
        return Decimal(clause.hourly_cost)
    return Decimal(lot.contract.territory.default_hourly_cost)


def siae_choices(lot: Lot) -> list[Company]:
    """The SIAE of the lot's territory an invoice may name."""
    return list(db.session.scalars(
        sa.select(Company).where(Company.territory_id == lot.contract.territory_id,
                                 Company.company_kind.in_(SIAE_KINDS), Company.is_active.is_(True))
        .order_by(Company.name)))


def check_invoice(user: User, lot: Lot, data: InvoiceInput) -> CheckedInvoice:
    """Every rule of the invoice form, all refusals at once (FieldErrors); reads only."""
    if not can_enter_invoice_on_lot(user, lot):
        raise NotAllowed("Seuls l'entreprise titulaire du lot et l'équipe de facilitation saisissent ses "
                         "factures de sous-traitance.")
    collect = Collector()
    siae = db.session.get(Company, data.siae_id) if data.siae_id else None
    if siae is None or siae.territory_id != lot.contract.territory_id or siae.company_kind not in SIAE_KINDS:
        collect.add("Choisissez la structure d'insertion (EI, ACI, ETTI, AI ou régie de quartier) du territoire.",
                    field="siae")
    nature = next((n for n in InvoiceNature if n.value == data.nature), None)
    if nature is None:
        collect.add("Indiquez s'il s'agit de sous-traitance ou de co-traitance.", field="nature")
    month = collect(_month, data.month, lot)
    amount = collect(_amount, data.amount_ht)
    reference = (data.reference or "").strip()
    if len(reference) > REFERENCE_MAX_LENGTH:
        collect.add(f"La référence ne doit pas dépasser {REFERENCE_MAX_LENGTH} caractères.", field="reference")
    collect.raise_if_any()
    return CheckedInvoice(siae, nature, month, amount, reference)


def _month(text: str, lot: Lot) -> date:
    try:
        month = parse_month(text)
    except HoursValueError as error:
        raise DomainError(error.message, field="mois") from None
    if month > today().replace(day=1):
        raise DomainError("Le mois facturé ne peut pas être un mois à venir.", field="mois")
    if month < lot.start_date.replace(day=1):
        raise DomainError("Le mois facturé précède le début du lot.", field="mois")
    return month


def _amount(text: str) -> Decimal:
    amount = parsed(parse_decimal, text, "montant")
    if amount is None:
        raise DomainError("Indiquez le montant facturé hors taxes.", field="montant")
    if amount <= 0 or amount >= MAX_AMOUNT:
        raise DomainError("Le montant facturé doit être positif (en euros hors taxes).", field="montant")
    return amount.quantize(Decimal("0.01"))


def enter_invoice(user: User, lot_id: int, data: InvoiceInput) -> SubcontractingInvoice:
    """Record an invoice, declared (to validate); the hourly cost is frozen now."""
    lot = lock(db.session, Lot, lot_id)  # its clause's hourly cost is read under the lock
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    checked = check_invoice(user, lot, data)
    cost = hourly_cost_of(lot)
    invoice = SubcontractingInvoice(
        lot_id=lot.id, siae_id=checked.siae.id, nature=checked.nature, month=checked.month,
        amount_ht=checked.amount_ht, hourly_cost=cost, converted_hours=converted_hours(checked.amount_ht, cost),
        reference=checked.reference, status=HoursStatus.DECLARED, declared_by_id=user.id)
    db.session.add(invoice)
    db.session.flush()
    record("invoice.declared", "subcontracting_invoice", invoice.id, actor_id=user.id, lot_id=lot.id,
           month=month_key(checked.month))
    db.session.commit()
    return invoice


# --- Validating ---------------------------------------------------------------------------------

def _declared_invoice(user: User, invoice_id: int) -> SubcontractingInvoice:
    """The invoice, locked until the commit, still declared (a second validation sent at the same
    moment waits, then finds it handled)."""
    invoice = lock(db.session, SubcontractingInvoice, invoice_id)
    if invoice is None:
        raise DomainError("Cette facture n'existe pas.")
    if not can_validate_on_lot(user, invoice.lot):
        raise NotAllowed("Seule l'équipe de facilitation du territoire valide les factures de ce lot.")
    if invoice.status != HoursStatus.DECLARED:
        done = "validée" if invoice.status == HoursStatus.VALIDATED else "refusée"
        raise DomainError(f"Cette facture a déjà été {done} : la page n'était plus à jour, rien n'a été enregistré.")
    return invoice


def validate_invoice(user: User, invoice_id: int) -> SubcontractingInvoice:
    invoice = _declared_invoice(user, invoice_id)
    invoice.status, invoice.validated_by_id, invoice.validated_at = HoursStatus.VALIDATED, user.id, utcnow()
    record("invoice.validated", "subcontracting_invoice", invoice.id, actor_id=user.id, lot_id=invoice.lot_id)
    db.session.commit()
    return invoice


def check_rejection(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif du refus : l'entreprise le lira pour corriger sa saisie.",
                          field="motif")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères.", field="motif")
    return reason


def reject_invoice(user: User, invoice_id: int, reason: str) -> SubcontractingInvoice:
    reason = check_rejection(reason)
    invoice = _declared_invoice(user, invoice_id)
    invoice.status, invoice.rejection_reason = HoursStatus.REJECTED, reason
    invoice.validated_by_id, invoice.validated_at = None, None
    # The reason stays on the invoice (free text); the audit keeps the fact only.
    record("invoice.rejected", "subcontracting_invoice", invoice.id, actor_id=user.id, lot_id=invoice.lot_id)
    if invoice.declared_by_id and invoice.declared_by_id != user.id:
        lot = invoice.lot
        notify(invoice.declared_by_id,
               f"Facture de sous-traitance de {month_label(invoice.month)} ({format_hours(invoice.converted_hours)} h) "
               f"refusée sur le lot {lot.number} — {lot.title}. Consultez le motif.",
               f"/lots/{lot.id}/factures-siae")
    db.session.commit()
    return invoice


# --- Reading ------------------------------------------------------------------------------------
# Lists paginate in SQL (clausematch/pagination.py): one COUNT and one page query each, the lot,
# its contract, its titulaire and the SIAE loaded by joins in the page query.

def _listed() -> sa.Select:
    return (sa.select(SubcontractingInvoice)
            .options(joinedload(SubcontractingInvoice.siae),
                     joinedload(SubcontractingInvoice.lot).joinedload(Lot.contract),
                     joinedload(SubcontractingInvoice.lot).joinedload(Lot.company)))


def lot_invoices(lot: Lot, page: int | None = None) -> Page:
    """The lot's invoices, latest month first, one page of them."""
    return paginate(_listed().where(SubcontractingInvoice.lot_id == lot.id)
                    .order_by(SubcontractingInvoice.month.desc(), SubcontractingInvoice.id.desc()), page)


def _pending(user: User) -> list[sa.ColumnElement[bool]]:
    """Declared invoices of the user's territory (none for anyone but a facilitator); the
    statement joins Lot and Contract."""
    if not has_role(user, Role.FACILITATOR):
        return [sa.false()]
    return [SubcontractingInvoice.status == HoursStatus.DECLARED, Contract.territory_id == territory_of(user)]


def pending_invoices(user: User, page: int | None = None) -> Page:
    """The facilitator's queue: the territory's invoices waiting for validation, oldest month
    first (index ix_subcontracting_invoices_status_month)."""
    return paginate(_listed().join(Lot, Lot.id == SubcontractingInvoice.lot_id)
                    .join(Contract, Contract.id == Lot.contract_id).where(*_pending(user))
                    .order_by(SubcontractingInvoice.month, SubcontractingInvoice.id), page)


def pending_invoice_totals(user: User) -> tuple[int, Decimal]:
    """(invoices, converted hours) waiting for validation in the facilitator's territory; one query."""
    count, total = db.session.execute(
        sa.select(sa.func.count(SubcontractingInvoice.id), sa.func.sum(SubcontractingInvoice.converted_hours))
        .join(Lot, Lot.id == SubcontractingInvoice.lot_id).join(Contract, Contract.id == Lot.contract_id)
        .where(*_pending(user))).one()
    return int(count or 0), Decimal(total or 0)


def company_invoices(user: User, page: int | None = None) -> Page:
    """The invoices of the lots the user's company holds (it enters them), latest month first."""
    if not has_role(user, Role.COMPANY) or not user.organisation_ids:
        mine = sa.false()
    else:
        held = sa.select(Lot.id).where(Lot.company_id.in_(sorted(user.organisation_ids)))
        mine = SubcontractingInvoice.lot_id.in_(held)
    return paginate(_listed().where(mine)
                    .order_by(SubcontractingInvoice.month.desc(), SubcontractingInvoice.id.desc()), page)


def resubmission(user: User, lot: Lot, invoice_id: int) -> InvoiceInput | None:
    """The values of a rejected invoice of `lot`, to enter again once corrected ("Saisir à
    nouveau"): the rejected invoice stays as it is, rejected, in the lot's list; the corrected one
    is a new invoice, declared, with the hourly cost of the day. None when there is no such
    rejected invoice the user may read."""
    invoice = db.session.get(SubcontractingInvoice, invoice_id)
    if (invoice is None or invoice.lot_id != lot.id or invoice.status != HoursStatus.REJECTED
            or not can_view_invoice(user, invoice)):
        return None
    return InvoiceInput(siae_id=invoice.siae_id, nature=invoice.nature.value, month=month_key(invoice.month),
                        amount_ht=format_decimal_fr(invoice.amount_ht), reference=invoice.reference)
