"""Services for contracts, lots and clauses: each checks the rules, audits and commits once.

Edits carry the `version` their form was loaded at (clausematch/versioning.py): a save over a newer
version raises EditConflict and keeps nothing. Each form edits one record: the contract form its
contract's columns only (its lots are read, to check they still fit the dates, never written), the
lot form its lot, the clause form its clause (clauses.py)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from clausematch import audit, versioning
from clausematch.accounts.models import Buyer, Company, User
from clausematch.contracts.models import ClauseKind, Contract, Lot
from clausematch.contracts.permissions import can_edit_contract, can_manage_contracts, territory_of
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import MAX_INTEGER, format_number
from clausematch.vocabulary import Sector

# Dates outside this range are typing mistakes (2205 for 2025), not contracts.
EARLIEST, LATEST = date(1990, 1, 1), date(2099, 12, 31)
MAX_AMOUNT = Decimal("999999999999.99")  # Numeric(14, 2)


@dataclass(frozen=True)
class ContractInput:
    reference: str
    object: str
    buyer_id: int
    sector: Sector
    amount_ht: Decimal
    notified_on: date
    start_date: date
    end_date: date | None = None
    clause_kind: ClauseKind | None = None


@dataclass(frozen=True)
class LotInput:
    number: int
    title: str
    company_id: int | None
    amount_ht: Decimal
    start_date: date
    end_date: date | None = None


# --- Contracts ---------------------------------------------------------------------------------

def check_contract(actor: User, data: ContractInput, contract_id: int | None = None) -> None:
    """Every rule of the contract form (a new contract, or `contract_id`), all refusals at once;
    reads only (the form's first submit)."""
    _checked_contract(_contract_target(actor, contract_id), data)


def create_contract(actor: User, data: ContractInput) -> Contract:
    contract = _contract_target(actor, None)
    _apply(contract, _checked_contract(contract, data))
    db.session.add(contract)
    db.session.flush()
    audit.record("contract_created", "contract", contract.id, actor_id=actor.id)
    db.session.commit()
    return contract


def update_contract(actor: User, contract_id: int, data: ContractInput, version: int | None = None) -> Contract:
    contract = _contract_for_edit(actor, contract_id)
    _apply(contract, _checked_contract(contract, data))
    versioning.claim(contract, version)
    audit.record("contract_updated", "contract", contract.id, actor_id=actor.id)
    db.session.commit()
    return contract


def _contract_target(actor: User, contract_id: int | None) -> Contract:
    """The contract a form saves: `contract_id`'s, or a new one of the actor's territory (not added)."""
    if contract_id is not None:
        return _contract_for_edit(actor, contract_id)
    if not can_manage_contracts(actor):
        raise NotAllowed("Seul un facilitateur du territoire peut créer un marché.")
    return Contract(territory_id=territory_of(actor))


def _contract_for_edit(actor: User, contract_id: int) -> Contract:
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        raise DomainError("Ce marché n'existe pas.")
    if not can_edit_contract(actor, contract):
        raise NotAllowed("Ce marché n'appartient pas à votre territoire.")
    return contract


def _apply(record: Contract | Lot, values: dict) -> None:
    """Every check passed: only now change the record, so a refusal leaves it untouched."""
    for name, value in values.items():
        setattr(record, name, value)


def _checked_contract(contract: Contract, data: ContractInput) -> dict:
    """The contract's columns from `data`, every rule run: one FieldErrors lists all refusals."""
    collect = Collector()
    reference, obj = (data.reference or "").strip(), (data.object or "").strip()
    if not reference:
        collect.add("Indiquez la référence du marché.", field="reference")
    if not obj:
        collect.add("Indiquez l'objet du marché.", field="object")
    buyer = db.session.get(Buyer, data.buyer_id) if data.buyer_id is not None else None
    if buyer is None or buyer.territory_id != contract.territory_id:
        collect.add("Choisissez un acheteur du territoire.", field="buyer_id")
    collect(_check_amount, data.amount_ht)
    if data.notified_on is None:
        collect.add("Indiquez la date de notification du marché.", field="notified_on")
    if data.start_date is None:
        collect.add("Indiquez la date de début d'exécution.", field="start_date")
    for name, value in (("notified_on", data.notified_on), ("start_date", data.start_date),
                        ("end_date", data.end_date)):
        collect(_check_plausible, value, name)
    if (data.start_date is not None and data.notified_on is not None and data.start_date < data.notified_on
            and not collect.refused("start_date")):
        collect.add("L'exécution ne peut pas commencer avant la notification du marché.", field="start_date")
    if data.start_date is not None and not collect.refused("end_date"):
        collect(_check_ordered, data.start_date, data.end_date)
        if contract.id and not collect.refused("start_date") and not collect.refused("end_date"):
            collect(_check_lots_still_fit, contract.id, data.start_date, data.end_date)
    if reference and buyer is not None and not collect.refused("buyer_id"):
        taken = db.session.scalar(sa.select(Contract.id).where(
            Contract.buyer_id == buyer.id, sa.func.lower(Contract.reference) == reference.lower(),
            Contract.id != contract.id if contract.id else sa.true()))
        if taken is not None:
            collect.add(f"Cet acheteur a déjà un marché de référence « {reference} ».", field="reference")
    collect.raise_if_any()
    return {"reference": reference, "object": obj, "buyer_id": buyer.id, "sector": data.sector,
            "amount_ht": data.amount_ht, "clause_kind": data.clause_kind, "notified_on": data.notified_on,
            "start_date": data.start_date, "end_date": data.end_date}


def _check_lots_still_fit(contract_id: int, start: date, end: date | None) -> None:
    """New contract dates must still hold every lot (one aggregate query)."""
    first_start, last_end = db.session.execute(
        sa.select(sa.func.min(Lot.start_date), sa.func.max(sa.func.coalesce(Lot.end_date, Lot.start_date)))
        .where(Lot.contract_id == contract_id)).one()
    if first_start is not None and first_start < start:
        raise DomainError(f"Un lot commence le {first_start:%d/%m/%Y} : le marché ne peut pas commencer après.",
                          field="start_date")
    if end is not None and last_end is not None and last_end > end:
        raise DomainError(f"Un lot se termine le {last_end:%d/%m/%Y} : le marché ne peut pas finir avant.",
                          field="end_date")


def _check_amount(amount: Decimal | None, field_name: str = "amount_ht") -> None:
    if amount is None:
        raise DomainError("Indiquez le montant hors taxes.", field=field_name)
    if amount < 0:
        raise DomainError("Le montant ne peut pas être négatif.", field=field_name)
    if amount > MAX_AMOUNT:
        raise DomainError("Le montant est trop élevé : vérifiez le nombre de chiffres.", field=field_name)


def _check_plausible(value: date | None, field_name: str) -> None:
    if value is not None and not EARLIEST <= value <= LATEST:
        raise DomainError("Cette date n'est pas plausible : vérifiez l'année.", field=field_name)


def _check_ordered(start: date, end: date | None) -> None:
    if end is not None and end < start:
        raise DomainError("La date de fin doit être postérieure ou égale à la date de début.", field="end_date")


# --- Lots --------------------------------------------------------------------------------------

def check_lot(actor: User, contract_id: int, data: LotInput, lot_id: int | None = None) -> None:
    """Every rule of the lot form (a new lot of `contract_id`, or `lot_id`), all refusals at once;
    reads only (the form's first submit)."""
    lot, contract = _lot_target(actor, contract_id, lot_id)
    _checked_lot(lot, contract, data)


def create_lot(actor: User, contract_id: int, data: LotInput) -> Lot:
    lot, contract = _lot_target(actor, contract_id, None)
    _apply(lot, _checked_lot(lot, contract, data))
    db.session.add(lot)
    db.session.flush()
    audit.record("lot_created", "lot", lot.id, actor_id=actor.id, contract_id=contract.id)
    db.session.commit()
    return lot


def update_lot(actor: User, lot_id: int, data: LotInput, version: int | None = None) -> Lot:
    lot, contract = _lot_target(actor, None, lot_id)
    _apply(lot, _checked_lot(lot, contract, data))
    versioning.claim(lot, version)
    audit.record("lot_updated", "lot", lot.id, actor_id=actor.id, contract_id=contract.id)
    db.session.commit()
    return lot


def _lot_target(actor: User, contract_id: int | None, lot_id: int | None) -> tuple[Lot, Contract]:
    """The lot a form saves and its contract: `lot_id`'s, or a new lot of `contract_id` (not added)."""
    if lot_id is None:
        contract = _contract_for_edit(actor, contract_id)
        return Lot(contract_id=contract.id), contract
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    return lot, _contract_for_edit(actor, lot.contract_id)


def _checked_lot(lot: Lot, contract: Contract, data: LotInput) -> dict:
    """The lot's columns from `data`, every rule run: one FieldErrors lists all refusals."""
    collect = Collector()
    title = (data.title or "").strip()
    if data.number is None or not 1 <= data.number <= MAX_INTEGER:
        collect.add(f"Le numéro de lot est un entier entre 1 et {format_number(MAX_INTEGER)}.", field="number")
    if not title:
        collect.add("Indiquez l'intitulé du lot.", field="title")
    if data.company_id is not None:
        company = db.session.get(Company, data.company_id)
        if company is None or company.territory_id != contract.territory_id:
            collect.add("Choisissez une entreprise du territoire.", field="company_id")
    collect(_check_amount, data.amount_ht)
    for name, value in (("start_date", data.start_date), ("end_date", data.end_date)):
        collect(_check_plausible, value, name)
    if data.start_date is None:
        collect.add("Indiquez la date de début du lot.", field="start_date")
    elif not collect.refused("start_date") and not collect.refused("end_date"):
        collect(_check_lot_dates, contract, data.start_date, data.end_date)
    if not collect.refused("number"):
        taken = db.session.scalar(sa.select(Lot.id).where(
            Lot.contract_id == contract.id, Lot.number == data.number,
            Lot.id != lot.id if lot.id else sa.true()))
        if taken is not None:
            collect.add(f"Ce marché a déjà un lot n° {data.number}.", field="number")
    collect.raise_if_any()
    return {"number": data.number, "title": title, "company_id": data.company_id, "amount_ht": data.amount_ht,
            "start_date": data.start_date, "end_date": data.end_date}


def _check_lot_dates(contract: Contract, start: date, end: date | None) -> None:
    """A lot runs within its contract: not before its start, not after its end."""
    _check_ordered(start, end)
    if start < contract.start_date:
        raise DomainError("Le lot ne peut pas commencer avant le début du marché "
                          f"({contract.start_date:%d/%m/%Y}).", field="start_date")
    if contract.end_date is not None and (end or start) > contract.end_date:
        raise DomainError("Le lot ne peut pas se terminer après la fin du marché "
                          f"({contract.end_date:%d/%m/%Y}).", field="end_date")
