"""Read-only queries of the hires pages: the contracts list (paginated in SQL) and a contract's page."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Company, Role, User
from clausematch.candidates.models import Candidate
from clausematch.candidates.search import name_starts_condition
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.database import LabelledEnum
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.pathways import permissions
from clausematch.pathways.contracts import chain_of
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursStatus


class ContractState(LabelledEnum):
    CURRENT = "en_cours", "En cours"
    ENDED = "termines", "Terminés"
    ALL = "tous", "Tous"


def _scope(user: User) -> sa.ColumnElement[bool]:
    """The contracts `user` lists: the territory's for a facilitator, the company's own (owing the
    hours or employing) for a company user."""
    if not permissions.can_list_contracts(user):
        raise NotAllowed("Vous n'avez pas accès aux contrats de travail.")
    if user.role == Role.FACILITATOR:
        return Contract.territory_id == territory_of(user)
    ids = user.organisation_ids
    return sa.or_(EmploymentContract.company_id.in_(ids), EmploymentContract.employer_id.in_(ids))


@dataclass(frozen=True)
class ContractFilters:
    """Filters of the contracts list, already checked (None or empty: no filter)."""

    company_id: int | None = None  # the company owing the hours
    lot_id: int | None = None
    name: str = ""  # words beginning the person's names
    started_from: date | None = None
    started_until: date | None = None

    def as_args(self) -> dict:
        args = {"entreprise": self.company_id, "lot": self.lot_id, "personne": self.name,
                "debut_du": self.started_from and self.started_from.isoformat(),
                "debut_au": self.started_until and self.started_until.isoformat()}
        return {key: str(value) for key, value in args.items() if value}


def contracts_page(user: User, state: ContractState, page: int | None,
                   filters: ContractFilters = ContractFilters()) -> Page:
    """Rows (contract, first name, last name, lot label parts, employer name), latest start first."""
    employer = aliased(Company)
    stmt = (sa.select(EmploymentContract, Candidate.first_name, Candidate.last_name, Contract.reference,
                      Lot.number, employer.name)
            .join(Candidate, EmploymentContract.candidate_id == Candidate.id)
            .join(Lot, EmploymentContract.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id)
            .join(employer, EmploymentContract.employer_id == employer.id)
            .where(_scope(user)).order_by(EmploymentContract.start_date.desc(), EmploymentContract.id.desc()))
    if state == ContractState.CURRENT:
        stmt = stmt.where(EmploymentContract.end_date.is_(None))
    elif state == ContractState.ENDED:
        stmt = stmt.where(EmploymentContract.end_date.is_not(None))
    if filters.company_id is not None:
        stmt = stmt.where(EmploymentContract.company_id == filters.company_id)
    if filters.lot_id is not None:
        stmt = stmt.where(EmploymentContract.lot_id == filters.lot_id)
    named = name_starts_condition(filters.name, EmploymentContract.candidate_id)
    if named is not None:
        stmt = stmt.where(named)
    if filters.started_from is not None:
        stmt = stmt.where(EmploymentContract.start_date >= filters.started_from)
    if filters.started_until is not None:
        stmt = stmt.where(EmploymentContract.start_date <= filters.started_until)
    return paginate(stmt, page)


def contract_filter_choices(user: User) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(companies, lots) that hold contracts in the user's list, for the filters (two statements)."""
    scoped = sa.select(EmploymentContract.company_id, EmploymentContract.lot_id).join(
        Lot, EmploymentContract.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id).where(_scope(user))
    companies = db.session.execute(
        sa.select(Company.id, Company.name).where(Company.id.in_(scoped.with_only_columns(
            EmploymentContract.company_id))).order_by(Company.name)).all()
    lots = db.session.execute(
        sa.select(Lot.id, Contract.reference, Lot.number, Lot.title).join(Contract, Lot.contract_id == Contract.id)
        .where(Lot.id.in_(scoped.with_only_columns(EmploymentContract.lot_id)))
        .order_by(Contract.reference, Lot.number)).all()
    return ([(row.id, row.name) for row in companies],
            [(row.id, f"{row.reference} — lot {row.number} : {row.title}") for row in lots])


@dataclass
class ContractPage:
    contract: EmploymentContract
    chain: list[EmploymentContract]
    follow_up: FollowUp | None
    exit: Exit | None
    hours_total: Decimal
    hours_validated: Decimal
    exit_comment: str | None = None


def contract_page(contract: EmploymentContract, with_follow_up: bool) -> ContractPage:
    """Everything the contract page shows, in a bounded number of queries; the follow-up and the
    exit's comment only `with_follow_up` (permissions.can_see_follow_up)."""
    chain = chain_of(contract)
    exit_ = contract.exit
    follow_up = (db.session.scalar(sa.select(FollowUp).where(FollowUp.exit_id == exit_.id))
                 if exit_ and with_follow_up else None)
    validated = sa.func.sum(sa.case((HoursEntry.status == HoursStatus.VALIDATED, HoursEntry.hours), else_=0))
    total, valid = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(HoursEntry.hours), 0), sa.func.coalesce(validated, 0))
        .where(HoursEntry.contract_id == contract.id)).one()
    return ContractPage(contract=contract, chain=chain, follow_up=follow_up, exit=exit_,
                        hours_total=Decimal(total), hours_validated=Decimal(valid),
                        exit_comment=exit_.comment if exit_ and with_follow_up else None)
