"""Who may declare, read, validate and correct monthly insertion hours.

- A company user declares for the employment contracts their company owes (`company_id`, the
  lot's titulaire) or signs (`employer_id`, the ETTI, AI or GEIQ lending the worker); their lots
  are the lots of those contracts and the lots their company holds.
- A facilitator validates, rejects and corrects every entry of their territory.
- Prescribers, buyers and admins neither declare nor validate (buyers read validated totals in
  the reports).
"""
import sqlalchemy as sa

from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.extensions import db
from clausematch.pathways.models import EmploymentContract, HoursEntry


def can_declare_hours(user: User) -> bool:
    """The user has a declaration workspace at all (a company user in a company)."""
    return has_role(user, Role.COMPANY) and bool(user.organisation_ids)


def declarable_contracts(user: User) -> sa.ColumnElement[bool]:
    """SQL condition on EmploymentContract: the contracts `user` declares hours for."""
    if not can_declare_hours(user):
        return sa.false()
    ids = sorted(user.organisation_ids)
    return sa.or_(EmploymentContract.company_id.in_(ids), EmploymentContract.employer_id.in_(ids))


def declarable_lots(user: User) -> sa.Select:
    """The lots `user` may declare on, ordered by contract reference and lot number."""
    if not can_declare_hours(user):
        return sa.select(Lot).where(sa.false())
    with_contracts = sa.select(EmploymentContract.lot_id).where(declarable_contracts(user))
    return (sa.select(Lot).join(Lot.contract)
            .where(sa.or_(Lot.company_id.in_(sorted(user.organisation_ids)), Lot.id.in_(with_contracts)))
            .order_by(Contract.reference, Lot.number))


def can_declare_for_contract(user: User, contract: EmploymentContract) -> bool:
    ids = user.organisation_ids if can_declare_hours(user) else set()
    return contract.company_id in ids or contract.employer_id in ids


def can_declare_on_lot(user: User, lot: Lot) -> bool:
    if not can_declare_hours(user):
        return False
    if lot.company_id in user.organisation_ids:
        return True
    return db.session.scalar(sa.select(sa.exists().where(
        EmploymentContract.lot_id == lot.id, declarable_contracts(user)))) or False


def can_validate_on_lot(user: User, lot: Lot) -> bool:
    """The facilitators of the lot's territory."""
    return has_role(user, Role.FACILITATOR) and territory_of(user) == lot.contract.territory_id


def can_view_entry(user: User, entry: HoursEntry) -> bool:
    """An entry and its history: the territory's facilitators, the company declaring it."""
    return can_validate_on_lot(user, entry.contract.lot) or can_declare_for_contract(user, entry.contract)


def can_view_lot_hours(user: User, lot: Lot) -> bool:
    """The history of a lot-month: the territory's facilitators and the lot's declaring companies
    (a company reads the entries of its own contracts only)."""
    return can_validate_on_lot(user, lot) or can_declare_on_lot(user, lot)
