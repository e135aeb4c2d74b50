"""Who may use the matching pages: named predicates, used by the views (404/403) and again
inside the services.

- Suggested candidates for an offer, the shortlist and sending it: the facilitators of the
  offer's territory (the guichet sources; companies only see what it sends them).
- Suggested offers for a candidate: the prescriber organisation that follows the person (it is
  the one that proposes).
- The ranking model, its evaluation and retraining: facilitators.
"""
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import is_candidate_prescriber
from clausematch.offers.models import Offer
from clausematch.offers.permissions import is_offer_facilitator, territory_of


def can_rank_candidates(user: User, offer: Offer) -> bool:
    return is_offer_facilitator(user, offer.territory_id)


def can_shortlist(user: User, offer: Offer) -> bool:
    return can_rank_candidates(user, offer)


def can_see_suggested_offers(user: User, candidate: Candidate) -> bool:
    return is_candidate_prescriber(user, candidate)


def can_view_ranking_model(user: User) -> bool:
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_train_ranking_model(user: User) -> bool:
    return can_view_ranking_model(user)
