"""Who may do what with offers: named predicates, used by the views (404/403) and again
inside the services.

Two kinds of people manage offers:
- a company user acts for their company: the lots it holds (Lot.company_id) and its offers;
- a facilitator acts for their territory: every lot and offer of that territory.
Prescribers, buyers and admins do not manage offers (prescribers see the public board).
"""
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.contracts.models import Lot
from clausematch.offers.models import Offer, OfferStatus
from clausematch.offers.transitions import allowed_capacities

# Statuses in which a company user may still change the offer's content; facilitators may
# also correct a published offer. Filled and closed offers are frozen (reopen first).
COMPANY_EDITABLE = frozenset({OfferStatus.DRAFT, OfferStatus.SUBMITTED})
FACILITATOR_EDITABLE = frozenset({OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.PUBLISHED})


def territory_of(user: User) -> int | None:
    """The territory a staff user works in (None for users without an organisation)."""
    organisation = user.organisation if user and user.is_authenticated else None
    return organisation.territory_id if organisation is not None else None


def is_offer_facilitator(user: User, territory_id: int) -> bool:
    return has_role(user, Role.FACILITATOR) and territory_of(user) == territory_id


def is_offer_company(user: User, company_id: int | None) -> bool:
    return has_role(user, Role.COMPANY) and is_staff_of(user, company_id)


def can_manage_offers(user: User) -> bool:
    """The user has an offers workspace at all (company users and facilitators)."""
    return has_role(user, Role.COMPANY, Role.FACILITATOR)


def can_create_offer_for_lot(user: User, lot: Lot) -> bool:
    """Company users on the lots their company holds; facilitators on any lot of their territory."""
    return is_offer_company(user, lot.company_id) or is_offer_facilitator(user, lot.contract.territory_id)


def can_view_offer(user: User, offer: Offer) -> bool:
    """The staff view of an offer, any status (the public board shows published ones to all)."""
    return is_offer_company(user, offer.company_id) or is_offer_facilitator(user, offer.territory_id)


def can_edit_offer(user: User, offer: Offer) -> bool:
    if is_offer_facilitator(user, offer.territory_id):
        return offer.status in FACILITATOR_EDITABLE
    return is_offer_company(user, offer.company_id) and offer.status in COMPANY_EDITABLE


def offer_capacity(user: User, offer: Offer) -> Role | None:
    """In which capacity `user` acts on `offer`: Role.FACILITATOR, Role.COMPANY, or None."""
    if is_offer_facilitator(user, offer.territory_id):
        return Role.FACILITATOR
    if is_offer_company(user, offer.company_id):
        return Role.COMPANY
    return None


def can_change_offer_status(user: User, offer: Offer, target: OfferStatus) -> bool:
    """The move offer.status → target exists and the user's capacity is allowed to make it."""
    capacity = offer_capacity(user, offer)
    return capacity is not None and capacity in allowed_capacities(offer.status, target)
