"""Who may see and change buyers, companies, contracts, lots and clauses.

Facilitators manage everything of their own territory. Buyer users read their own buyer's
contracts and lots; company users read the lots their company holds (titulaire). Prescribers
and other territories see nothing here. Admins run the platform, not the clauses: they are
treated like any other non-facilitator.
"""
from clausematch.accounts.models import Organisation, Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.contracts.models import Contract, Lot


def territory_of(user: User) -> int | None:
    organisation = user.organisation if user and user.is_authenticated else None
    return organisation.territory_id if organisation else None


def can_manage_contracts(user: User) -> bool:
    """A facilitator attached to a territory: creates and edits buyers, companies, contracts,
    lots, clauses and the territory settings."""
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_manage_in_territory(user: User, territory_id: int | None) -> bool:
    return can_manage_contracts(user) and territory_id == territory_of(user)


def can_manage_organisation(user: User, organisation: Organisation) -> bool:
    """Edit a buyer or a company: the facilitators of its territory."""
    return can_manage_in_territory(user, organisation.territory_id)


def can_list_contracts(user: User) -> bool:
    """The contracts list: facilitators (whole territory) and buyer users (their own)."""
    return can_manage_contracts(user) or (has_role(user, Role.BUYER) and user.organisation is not None)


def can_view_contract(user: User, contract: Contract) -> bool:
    if can_manage_in_territory(user, contract.territory_id):
        return True
    return has_role(user, Role.BUYER) and is_staff_of(user, contract.buyer_id)


def can_edit_contract(user: User, contract: Contract) -> bool:
    return can_manage_in_territory(user, contract.territory_id)


def can_view_lot(user: User, lot: Lot) -> bool:
    """Facilitators of the territory, the titulaire company's users, the buyer's users."""
    if can_view_contract(user, lot.contract):
        return True
    return has_role(user, Role.COMPANY) and is_staff_of(user, lot.company_id)


def can_edit_lot(user: User, lot: Lot) -> bool:
    return can_edit_contract(user, lot.contract)


def can_view_lot_people(user: User, lot: Lot) -> bool:
    """Names of the people hired on the lot: facilitators and the titulaire's users; buyers
    only ever see counts (their need is the bilan, not the people)."""
    if can_manage_in_territory(user, lot.contract.territory_id):
        return True
    return has_role(user, Role.COMPANY) and is_staff_of(user, lot.company_id)


def can_view_lot_offers(user: User, lot: Lot) -> bool:
    """The list of the lot's offers (any status); buyers see their count only."""
    return can_view_lot_people(user, lot)


def can_manage_pools(user: User, lot: Lot) -> bool:
    """Record, change or dissolve the pooling agreement covering a lot: the facilitators of the
    lot's territory (never the company, the buyer, a prescriber or another territory)."""
    return can_edit_lot(user, lot)
