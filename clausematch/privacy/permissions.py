"""Who may exercise a person's rights in ClauseMatch: named predicates, checked by the views (403)
and again by the services under the row lock."""
from clausematch.accounts.models import User
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import is_territory_facilitator


def can_anonymise(user: User, candidate: Candidate) -> bool:
    """The facilitators of the person's territory (the controller's team): never the prescriber
    who follows them, a company or a buyer. True on a record already anonymised, so that a second
    submit of the form is told it was done rather than refused."""
    return is_territory_facilitator(user, candidate.territory_id)
