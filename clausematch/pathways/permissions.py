"""Who may see and change hires (employment contracts), exits, follow-ups and pathways: named
predicates, used by the views (404/403) and again inside the services.

- The facilitators of the lot's territory see and manage every contract of the territory: they
  extend, convert, record exits and do the 6-month follow-ups.
- The company that owes the hours (EmploymentContract.company_id, the lot's titulaire) sees its
  contracts and may extend, convert and record their exits.
- The employer that signs the contract (an ETTI, AI or GEIQ in a lending mode) sees it, read-only.
- The pathway page of a person (every organisation's steps) is for the facilitators of the
  person's territory and the prescriber organisation that owns the record. Companies never see
  it: they only know their own hires.
- Buyers and admins see none of this (buyers get counts in the bilans).
"""
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import is_candidate_prescriber, is_territory_facilitator
from clausematch.contracts.permissions import territory_of
from clausematch.pathways.models import EmploymentContract, FollowUp


def is_contract_facilitator(user: User, contract: EmploymentContract) -> bool:
    return is_territory_facilitator(user, contract.lot.contract.territory_id)


def is_owing_company(user: User, contract: EmploymentContract) -> bool:
    return has_role(user, Role.COMPANY) and is_staff_of(user, contract.company_id)


def can_view_contract(user: User, contract: EmploymentContract) -> bool:
    """Facilitators of the territory, the company owing the hours, the employer."""
    if is_contract_facilitator(user, contract) or is_owing_company(user, contract):
        return True
    return has_role(user, Role.COMPANY) and is_staff_of(user, contract.employer_id)


def can_manage_contract(user: User, contract: EmploymentContract) -> bool:
    """Extend, convert to CDI, record the exit: facilitators of the territory and the owing company."""
    return is_contract_facilitator(user, contract) or is_owing_company(user, contract)


def can_list_contracts(user: User) -> bool:
    """The hires list: facilitators (their territory) and company users (their company's)."""
    if has_role(user, Role.FACILITATOR):
        return territory_of(user) is not None
    return has_role(user, Role.COMPANY) and user.organisation is not None


def can_list_follow_ups(user: User) -> bool:
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_record_follow_up(user: User, follow_up: FollowUp) -> bool:
    return is_contract_facilitator(user, follow_up.exit.contract)


def can_view_pathway(user: User, candidate: Candidate) -> bool:
    return is_territory_facilitator(user, candidate.territory_id) or is_candidate_prescriber(user, candidate)


def can_see_follow_up(user: User, contract: EmploymentContract) -> bool:
    """The 6-month follow-up and the exit's comment are the facilitators' (never the companies')."""
    return is_contract_facilitator(user, contract)
