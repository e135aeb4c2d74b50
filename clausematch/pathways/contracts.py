"""Employment contracts as the services see them: loading one for an actor, following the chain
of extensions and conversions, and whether a contract is still open to change."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import User
from clausematch.contracts.models import Lot
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.pathways import permissions
from clausematch.pathways.models import EmploymentContract

# A chain of extensions longer than this is a data error, not a pathway.
MAX_CHAIN = 50


def load_contract(contract_id: int, actor: User, predicate=permissions.can_manage_contract) -> EmploymentContract:
    """The contract `contract_id` if `actor` passes `predicate`; DomainError when it does not exist."""
    contract = db.session.scalars(
        sa.select(EmploymentContract).where(EmploymentContract.id == contract_id)
        .options(joinedload(EmploymentContract.lot).joinedload(Lot.contract),
                 joinedload(EmploymentContract.exit))).one_or_none()
    if contract is None:
        raise DomainError("Ce contrat de travail n'existe pas.")
    if not predicate(actor, contract):
        raise NotAllowed("Vous ne pouvez pas modifier ce contrat de travail.")
    return contract


def successor_id(contract_id: int) -> int | None:
    """The contract that extends or converts `contract_id`, if any."""
    return db.session.scalar(sa.select(EmploymentContract.id)
                             .where(EmploymentContract.previous_contract_id == contract_id))


def check_open(contract: EmploymentContract) -> None:
    """Refuse a change to a contract that has ended, or that another contract continues."""
    if contract.exit is not None:
        raise DomainError(f"Ce contrat est terminé : la sortie a été enregistrée au "
                          f"{contract.exit.exit_date:%d/%m/%Y}.")
    following = successor_id(contract.id)
    if following is not None:
        raise DomainError(f"Ce contrat a déjà été prolongé ou converti : le contrat n° {following} lui fait suite. "
                          "Faites la modification sur ce dernier contrat.")
    if contract.end_date is not None:
        raise DomainError(f"Ce contrat a pris fin le {contract.end_date:%d/%m/%Y}.")


def chain_of(contract: EmploymentContract) -> list[EmploymentContract]:
    """Every contract of the same hire, first to last (extensions and conversions), in one query
    per candidate: the contracts of the person, linked in memory."""
    contracts = db.session.scalars(sa.select(EmploymentContract)
                                   .where(EmploymentContract.candidate_id == contract.candidate_id)).all()
    by_previous = {c.previous_contract_id: c for c in contracts if c.previous_contract_id is not None}
    by_id = {c.id: c for c in contracts}
    first = contract
    for _ in range(MAX_CHAIN):
        if first.previous_contract_id is None or first.previous_contract_id not in by_id:
            break
        first = by_id[first.previous_contract_id]
    chain = [first]
    while chain[-1].id in by_previous and len(chain) < MAX_CHAIN:
        chain.append(by_previous[chain[-1].id])
    return chain
