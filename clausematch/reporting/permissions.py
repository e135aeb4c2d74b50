"""Who may read the reports. Facilitators read their whole territory; buyer users read their own
contracts only, the scope forced to their buyer, with counts of fewer than 5 people masked.
Companies, prescribers and admins do not."""
from clausematch.accounts.models import Buyer, Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.contracts.models import Contract
from clausematch.contracts.permissions import (
    can_manage_contracts,
    can_manage_in_territory,
    can_view_contract,
    territory_of,
)
from clausematch.offers.models import Programme


def can_view_reports(user: User) -> bool:
    return territory_of(user) is not None and has_role(user, Role.FACILITATOR, Role.BUYER)


def forced_buyer(user: User) -> int | None:
    """The buyer a user's reports are limited to (their own, for buyer users), else None."""
    if has_role(user, Role.BUYER) and user.organisation is not None:
        return user.organisation.id
    return None


def can_view_contract_bilan(user: User, contract: Contract) -> bool:
    return can_view_contract(user, contract)


def can_view_buyer_bilan(user: User, buyer: Buyer) -> bool:
    if can_manage_in_territory(user, buyer.territory_id):
        return True
    return has_role(user, Role.BUYER) and is_staff_of(user, buyer.id)


def sees_small_counts(user: User) -> bool:
    """Exact counts of 1 to 4 people are for the facilitators; every other reader of a report or
    bilan (the buyers) reads "< 5" (masking.py)."""
    return has_role(user, Role.FACILITATOR)


def can_manage_programmes(user: User) -> bool:
    """Programmes (list, creation, edition, their funnel) are the facilitators' own: a buyer's
    reports are limited to their contracts, while a programme's people come from events and
    steps that belong to no contract."""
    return can_manage_contracts(user)


def can_manage_programme(user: User, programme: Programme) -> bool:
    return can_manage_in_territory(user, programme.territory_id)
