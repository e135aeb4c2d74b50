"""Where a candidate's eligibility stands, in Python (one loaded candidate) and in SQL (lists).

A criterion counts as valid while it is validated and `today <= valid_until`; the day after
`valid_until` it has expired. The candidate's state, in this order of precedence:
- valid: at least one criterion is valid today;
- expired: none is valid, but at least one was validated and is now past its date — this blocks
  new orientations until a facilitator renews it (re-validation);
- to_validate: none was ever validated (or all were refused) and at least one is declared;
- none: no criterion, or only refused ones.
The applications feature relies on `valid_criteria`, `declared_or_valid_criteria` and
`eligibility_state` (names agreed with it: keep them).

What a prescriber is shown is the state of the criteria they may see (`state_of` over
permissions.visible_criteria; in SQL, `seen_by` their organisations): after a merge, a record may
hold criteria another organisation declared, and the overall state must not reveal them.
"""
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.database import LabelledEnum, add_months


class EligibilityState(LabelledEnum):
    VALID = "valid", "Éligibilité valide"
    EXPIRED = "expired", "Éligibilité expirée"
    TO_VALIDATE = "to_validate", "Éligibilité à valider"
    NONE = "none", "Aucun critère d'éligibilité"



def valid_until_for(validated_on: date, validity_months: int) -> date:
    """Last day of validity of a criterion validated on `validated_on` (territory setting)."""
    return add_months(validated_on, validity_months)


def is_valid(criterion: EligibilityCriterion, today: date) -> bool:
    return (criterion.status == EligibilityStatus.VALIDATED and criterion.valid_until is not None
            and today <= criterion.valid_until)


def is_expired(criterion: EligibilityCriterion, today: date) -> bool:
    return (criterion.status == EligibilityStatus.VALIDATED and criterion.valid_until is not None
            and criterion.valid_until < today)


def valid_criteria(candidate: Candidate, today: date) -> set[str]:
    """Codes of the criteria validated by a facilitator and not expired on `today`."""
    return {c.criterion.value for c in candidate.criteria if is_valid(c, today)}


def declared_or_valid_criteria(candidate: Candidate, today: date) -> set[str]:
    """Codes of the valid criteria plus those declared and awaiting validation (not refused,
    not expired)."""
    return declared_or_valid_codes(candidate.criteria, today)


def declared_or_valid_codes(criteria: Iterable[EligibilityCriterion], today: date) -> set[str]:
    """The same among these criteria (all of a candidate's, or only those a user may see)."""
    return {c.criterion.value for c in criteria
            if is_valid(c, today) or c.status == EligibilityStatus.DECLARED}


def eligibility_state(candidate: Candidate, today: date) -> EligibilityState:
    """The state of all the candidate's criteria (the rules; facilitators' pages)."""
    return state_of(candidate.criteria, today)


def state_of(criteria: Iterable[EligibilityCriterion], today: date) -> EligibilityState:
    """The state these criteria give (all of a candidate's, or only those a user may see)."""
    criteria = list(criteria)
    if any(is_valid(c, today) for c in criteria):
        return EligibilityState.VALID
    if any(is_expired(c, today) for c in criteria):
        return EligibilityState.EXPIRED
    if any(c.status == EligibilityStatus.DECLARED for c in criteria):
        return EligibilityState.TO_VALIDATE
    return EligibilityState.NONE


def eligibility_expired(candidate: Candidate, today: date) -> bool:
    """The flag shown on the candidate and in lists; new orientations are blocked while it holds."""
    return eligibility_state(candidate, today) == EligibilityState.EXPIRED


# --- The same rules in SQL ---------------------------------------------------------------------

SeenBy = Iterable[int] | None  # organisation ids of a prescriber, or None: every criterion


def _criteria_exist(candidate_id, status: EligibilityStatus, valid_until=None, seen_by: SeenBy = None) -> sa.Exists:
    """EXISTS a criterion of the candidate with that status (and a condition on valid_until),
    among those declared by the organisations `seen_by` when given. A row without a declaring
    organisation belongs to the record's owner (permissions.declaring_organisation_id): the
    enclosing query selects Candidate, whose prescriber_id this correlates to."""
    criterion = aliased(EligibilityCriterion)
    conditions = [criterion.candidate_id == candidate_id, criterion.status == status]
    if valid_until is not None:
        conditions.append(valid_until(criterion.valid_until))
    if seen_by is not None:
        declared_by = sa.func.coalesce(criterion.declared_by_organisation_id, Candidate.prescriber_id)
        conditions.append(declared_by.in_(sorted(set(seen_by))))
    return sa.exists().where(*conditions)


def has_valid_sql(today: date, candidate_id=Candidate.id, seen_by: SeenBy = None) -> sa.Exists:
    return _criteria_exist(candidate_id, EligibilityStatus.VALIDATED, lambda until: until >= today, seen_by)


def has_expired_sql(today: date, candidate_id=Candidate.id, seen_by: SeenBy = None) -> sa.Exists:
    return _criteria_exist(candidate_id, EligibilityStatus.VALIDATED, lambda until: until < today, seen_by)


def has_declared_sql(candidate_id=Candidate.id, seen_by: SeenBy = None) -> sa.Exists:
    return _criteria_exist(candidate_id, EligibilityStatus.DECLARED, seen_by=seen_by)


def eligibility_state_sql(today: date, candidate_id=Candidate.id, seen_by: SeenBy = None) -> sa.Case:
    """A CASE giving the EligibilityState value of each candidate row (correlated EXISTS on the
    indexed candidate_id of eligibility_criteria): select it as a column, or filter on it.
    `seen_by`: only the criteria these organisations declared count (a prescriber's lists)."""
    return sa.case(
        (has_valid_sql(today, candidate_id, seen_by), EligibilityState.VALID.value),
        (has_expired_sql(today, candidate_id, seen_by), EligibilityState.EXPIRED.value),
        (has_declared_sql(candidate_id, seen_by), EligibilityState.TO_VALIDATE.value),
        else_=EligibilityState.NONE.value,
    )


def state_filter_sql(state: EligibilityState, today: date, candidate_id=Candidate.id, seen_by: SeenBy = None):
    """A WHERE clause keeping the candidates in `state` (cheaper than comparing the CASE)."""
    valid, expired = has_valid_sql(today, candidate_id, seen_by), has_expired_sql(today, candidate_id, seen_by)
    declared = has_declared_sql(candidate_id, seen_by)
    if state == EligibilityState.VALID:
        return valid
    if state == EligibilityState.EXPIRED:
        return sa.and_(~valid, expired)
    if state == EligibilityState.TO_VALIDATE:
        return sa.and_(~valid, ~expired, declared)
    return sa.and_(~valid, ~expired, ~declared)
