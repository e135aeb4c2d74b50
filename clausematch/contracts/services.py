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
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
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

def create_contract(actor: User, data: ContractInput) -> Contract:
    if not can_manage_contracts(actor):
        raise NotAllowed("Seul un facilitateur du territoire peut créer un marché.")
    contract = Contract(territory_id=territory_of(actor))
    _apply_contract(contract, data)
    db.session.add(contract)
    db.session.flush()
    audit.record("contract_created", "contract", contract.id, actor_id=actor.id)
    db.session.commit()
    return contract


def update_contract(actor: User, contract_id: int, data: ContractInput, version: int | None = None) -> Contract:
    contract = _contract_for_edit(actor, contract_id)
    _apply_contract(contract, data)
    versioning.claim(contract, version)
    audit.record("contract_updated", "contract", contract.id, actor_id=actor.id)
    db.session.commit()
    return contract


def _contract_for_edit(actor: User, contract_id: int) -> Contract:
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        raise DomainError("Ce marché n'existe pas.")
    if not can_edit_contract(actor, contract):
        raise NotAllowed("Ce marché n'appartient pas à votre territoire.")
    return contract


def _apply_contract(contract: Contract, data: ContractInput) -> None:
    reference, obj = data.reference.strip(), data.object.strip()
    if not reference:
        raise DomainError("Indiquez la référence du marché.", field="reference")
    if not obj:
        raise DomainError("Indiquez l'objet du marché.", field="object")
    buyer = db.session.get(Buyer, data.buyer_id)
    if buyer is None or buyer.territory_id != contract.territory_id:
        raise DomainError("Choisissez un acheteur du territoire.", field="buyer_id")
    _check_amount(data.amount_ht)
    for name, value in (("notified_on", data.notified_on), ("start_date", data.start_date),
                        ("end_date", data.end_date)):
        _check_plausible(value, name)
    if data.start_date < data.notified_on:
        raise DomainError("L'exécution ne peut pas commencer avant la notification du marché.",
                          field="start_date")
    _check_ordered(data.start_date, data.end_date)
    if contract.id:
        _check_lots_still_fit(contract.id, data.start_date, data.end_date)
    taken = db.session.scalar(sa.select(Contract.id).where(
        Contract.buyer_id == buyer.id, sa.func.lower(Contract.reference) == reference.lower(),
        Contract.id != contract.id if contract.id else sa.true()))
    if taken is not None:
        raise DomainError(f"Cet acheteur a déjà un marché de référence « {reference} ».", field="reference")
    contract.reference, contract.object, contract.buyer_id = reference, obj, buyer.id
    contract.sector, contract.amount_ht, contract.clause_kind = data.sector, data.amount_ht, data.clause_kind
    contract.notified_on, contract.start_date, contract.end_date = data.notified_on, data.start_date, data.end_date


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

def create_lot(actor: User, contract_id: int, data: LotInput) -> Lot:
    contract = _contract_for_edit(actor, contract_id)
    lot = Lot(contract_id=contract.id)
    _apply_lot(lot, contract, data)
    db.session.add(lot)
    db.session.flush()
    audit.record("lot_created", "lot", lot.id, actor_id=actor.id, contract_id=contract.id)
    db.session.commit()
    return lot


def update_lot(actor: User, lot_id: int, data: LotInput, version: int | None = None) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    contract = _contract_for_edit(actor, lot.contract_id)
    _apply_lot(lot, contract, data)
    versioning.claim(lot, version)
    audit.record("lot_updated", "lot", lot.id, actor_id=actor.id, contract_id=contract.id)
    db.session.commit()
    return lot


def _apply_lot(lot: Lot, contract: Contract, data: LotInput) -> None:
    title = data.title.strip()
    if data.number is None or data.number < 1:
        raise DomainError("Le numéro de lot est un entier supérieur ou égal à 1.", field="number")
    if not title:
        raise DomainError("Indiquez l'intitulé du lot.", field="title")
    if data.company_id is not None:
        company = db.session.get(Company, data.company_id)
        if company is None or company.territory_id != contract.territory_id:
            raise DomainError("Choisissez une entreprise du territoire.", field="company_id")
    _check_amount(data.amount_ht)
    _check_lot_dates(contract, data.start_date, data.end_date)
    taken = db.session.scalar(sa.select(Lot.id).where(
        Lot.contract_id == contract.id, Lot.number == data.number,
        Lot.id != lot.id if lot.id else sa.true()))
    if taken is not None:
        raise DomainError(f"Ce marché a déjà un lot n° {data.number}.", field="number")
    lot.number, lot.title, lot.company_id = data.number, title, data.company_id
    lot.amount_ht, lot.start_date, lot.end_date = data.amount_ht, data.start_date, data.end_date


def _check_lot_dates(contract: Contract, start: date, end: date | None) -> None:
    """A lot runs within its contract: not before its start, not after its end."""
    _check_ordered(start, end)
    if start < contract.start_date:
        raise DomainError("Le lot ne peut pas commencer avant le début du marché "
                          f"({contract.start_date:%d/%m/%Y}).", field="start_date")
    if contract.end_date is not None and (end or start) > contract.end_date:
        raise DomainError("Le lot ne peut pas se terminer après la fin du marché "
                          f"({contract.end_date:%d/%m/%Y}).", field="end_date")
