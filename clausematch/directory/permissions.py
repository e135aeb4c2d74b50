"""Who may search the directory and edit a profile.

Search: facilitators, prescribers, buyers and companies attached to a territory, within their
own territory. Facilitators also see the profiles not (yet) published. Edit: the facilitators of
the structure's territory, and the members of the structure itself; never another company,
a prescriber, a buyer or another territory.
"""
from clausematch.accounts.models import Company, Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.contracts.permissions import can_manage_in_territory, territory_of
from clausematch.directory.models import INCLUSIVE_KINDS

SEARCHERS = (Role.FACILITATOR, Role.PRESCRIBER, Role.BUYER, Role.COMPANY)


def can_search_directory(user: User) -> bool:
    return has_role(user, *SEARCHERS) and territory_of(user) is not None


def sees_unpublished(user: User) -> bool:
    """Facilitators see every profile of their territory, published or not."""
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_edit_profile(user: User, company: Company) -> bool:
    """An inclusive company's profile: the facilitators of its territory, or its own members."""
    if not isinstance(company, Company) or company.company_kind not in INCLUSIVE_KINDS:
        return False
    if can_manage_in_territory(user, company.territory_id):
        return True
    return has_role(user, Role.COMPANY) and is_staff_of(user, company.id)
