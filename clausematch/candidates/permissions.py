"""Who may see and change candidates: named predicates, used by the views (404/403) and again
inside the services.

Candidates are sensitive personal data about vulnerable people: least privilege.
- The prescriber organisation that brought the person owns the record: its members see and edit it.
- The facilitators of the candidate's territory see it, validate eligibility and merge duplicates;
  they do not edit the person's file (the prescriber is the one in contact with the person).
- Company users never open a candidate page: they see the candidates sent to their offers only
  through the applications feature, restricted to what a recruiter needs.
- Buyers and admins see no candidate.
- Eligibility criteria (RSA, disability…) are shown to a prescriber only when their own
  organisation declared them: after a merge, a record may hold criteria another organisation
  declared (`visible_criteria`, the one filter every page showing criteria uses), and the overall
  eligibility state they are shown is computed from those criteria only (`visible_state`), so
  that it reveals nothing of the others.
"""
from datetime import date

from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.candidates.eligibility import EligibilityState, state_of
from clausematch.candidates.models import Candidate, EligibilityCriterion
from clausematch.contracts.permissions import territory_of


def is_candidate_prescriber(user: User, candidate: Candidate) -> bool:
    """A member of the prescriber organisation that owns the record."""
    return has_role(user, Role.PRESCRIBER) and is_staff_of(user, candidate.prescriber_id)


def is_territory_facilitator(user: User, territory_id: int | None) -> bool:
    return has_role(user, Role.FACILITATOR) and territory_id is not None and territory_of(user) == territory_id


def can_list_candidates(user: User) -> bool:
    """"Mes candidats" and the creation form: prescribers attached to an organisation."""
    return has_role(user, Role.PRESCRIBER) and user.organisation is not None


def can_search_candidates(user: User) -> bool:
    """The search of people (/candidats): the territory's facilitators across it, prescribers
    attached to an organisation among their own people (search.scope_of); never companies."""
    if has_role(user, Role.FACILITATOR):
        return territory_of(user) is not None
    return can_list_candidates(user)


def can_view_candidate(user: User, candidate: Candidate) -> bool:
    return is_candidate_prescriber(user, candidate) or is_territory_facilitator(user, candidate.territory_id)


def is_open(candidate: Candidate) -> bool:
    """Neither merged into another record nor anonymised: a record one can still act on
    (Candidate.is_active, also usable in SQL)."""
    return candidate.is_active


def can_edit_candidate(user: User, candidate: Candidate) -> bool:
    """The owning prescriber, while the record is active (neither merged into another one nor anonymised)."""
    return is_candidate_prescriber(user, candidate) and candidate.is_active


def can_validate_eligibility(user: User, candidate: Candidate) -> bool:
    return is_territory_facilitator(user, candidate.territory_id) and candidate.is_active


def can_review_candidates(user: User) -> bool:
    """The eligibility queue and the suspected duplicates of the territory: its facilitators."""
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_merge(user: User, keep: Candidate, drop: Candidate) -> bool:
    """A facilitator of the territory both records belong to."""
    return (keep.territory_id == drop.territory_id
            and is_territory_facilitator(user, keep.territory_id))


def declaring_organisation_id(row: EligibilityCriterion) -> int:
    """Rows declared before organisations were recorded belong to the record's owner."""
    return row.declared_by_organisation_id or row.candidate.prescriber_id


def can_see_criterion(user: User, row: EligibilityCriterion) -> bool:
    """The territory's facilitators see every criterion; a prescriber only those their organisation declared."""
    if is_territory_facilitator(user, row.candidate.territory_id):
        return True
    return has_role(user, Role.PRESCRIBER) and is_staff_of(user, declaring_organisation_id(row))


def visible_criteria(user: User, candidate: Candidate) -> list[EligibilityCriterion]:
    """The candidate's criteria `user` may see, in the vocabulary's order."""
    return sorted((row for row in candidate.criteria if can_see_criterion(user, row)),
                  key=lambda row: list(type(row.criterion)).index(row.criterion))


def visible_state(user: User, candidate: Candidate, today: date) -> EligibilityState:
    """The overall eligibility state shown to `user`: that of the criteria they may see (all of
    them for the territory's facilitators)."""
    return state_of(visible_criteria(user, candidate), today)
