"""Eligibility state of a candidate, in Python and in SQL: valid, expired, to validate, none."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory

from clausematch.candidates.eligibility import (
    EligibilityState,
    add_months,
    declared_or_valid_criteria,
    eligibility_expired,
    eligibility_state,
    eligibility_state_sql,
    state_filter_sql,
    valid_criteria,
)
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.vocabulary import Criterion

TODAY = date(2025, 6, 15)


def criterion(candidate, code: Criterion, status=EligibilityStatus.DECLARED, valid_until=None, **values):
    if status == EligibilityStatus.VALIDATED:
        values.setdefault("validated_at", datetime(2025, 1, 1))
    if status == EligibilityStatus.REFUSED:
        values.setdefault("refusal_reason", "Justificatif illisible")
    row = EligibilityCriterion(criterion=code, status=status, valid_until=valid_until, evidence="Attestation",
                               **values)
    candidate.criteria.append(row)
    return row


@pytest.fixture
def candidate(db, personas):
    return CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)


def test_add_months_clamps_to_the_end_of_shorter_months():
    assert add_months(date(2025, 1, 15), 6) == date(2025, 7, 15)
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)


def test_no_criterion_is_none(candidate):
    assert eligibility_state(candidate, TODAY) == EligibilityState.NONE
    assert valid_criteria(candidate, TODAY) == set()


def test_declared_only_is_to_validate(candidate):
    criterion(candidate, Criterion.RSA)
    assert eligibility_state(candidate, TODAY) == EligibilityState.TO_VALIDATE
    assert valid_criteria(candidate, TODAY) == set()
    assert declared_or_valid_criteria(candidate, TODAY) == {"rsa"}


def test_valid_until_is_the_last_valid_day(candidate):
    criterion(candidate, Criterion.DELD, EligibilityStatus.VALIDATED, valid_until=TODAY)
    assert eligibility_state(candidate, TODAY) == EligibilityState.VALID
    assert valid_criteria(candidate, TODAY) == {"deld"}
    tomorrow = date(2025, 6, 16)
    assert eligibility_state(candidate, tomorrow) == EligibilityState.EXPIRED
    assert eligibility_expired(candidate, tomorrow)
    assert valid_criteria(candidate, tomorrow) == set()
    assert declared_or_valid_criteria(candidate, tomorrow) == set()


def test_one_valid_criterion_wins_over_an_expired_one(candidate):
    criterion(candidate, Criterion.DELD, EligibilityStatus.VALIDATED, valid_until=date(2025, 1, 1))
    criterion(candidate, Criterion.QPV, EligibilityStatus.VALIDATED, valid_until=date(2025, 12, 1))
    assert eligibility_state(candidate, TODAY) == EligibilityState.VALID
    assert valid_criteria(candidate, TODAY) == {"qpv"}


def test_expired_wins_over_a_new_declaration_until_renewed(candidate):
    criterion(candidate, Criterion.DELD, EligibilityStatus.VALIDATED, valid_until=date(2025, 1, 1))
    criterion(candidate, Criterion.RSA)
    assert eligibility_state(candidate, TODAY) == EligibilityState.EXPIRED
    assert declared_or_valid_criteria(candidate, TODAY) == {"rsa"}


def test_refused_only_is_none_and_never_counts(candidate):
    criterion(candidate, Criterion.RQTH, EligibilityStatus.REFUSED)
    assert eligibility_state(candidate, TODAY) == EligibilityState.NONE
    assert declared_or_valid_criteria(candidate, TODAY) == set()


def test_sql_state_matches_python_state(db, personas):
    prescriber = personas["prescriber"].organisation
    none = CandidateInTerritoryFactory(prescriber=prescriber)
    declared = CandidateInTerritoryFactory(prescriber=prescriber)
    criterion(declared, Criterion.RSA)
    valid = CandidateInTerritoryFactory(prescriber=prescriber)
    criterion(valid, Criterion.DELD, EligibilityStatus.VALIDATED, valid_until=TODAY)
    criterion(valid, Criterion.QPV, EligibilityStatus.VALIDATED, valid_until=date(2024, 1, 1))
    expired = CandidateInTerritoryFactory(prescriber=prescriber)
    criterion(expired, Criterion.DELD, EligibilityStatus.VALIDATED, valid_until=date(2025, 6, 14))
    criterion(expired, Criterion.RSA)
    refused = CandidateInTerritoryFactory(prescriber=prescriber)
    criterion(refused, Criterion.RQTH, EligibilityStatus.REFUSED)
    db.session.commit()

    rows = dict(db.session.execute(sa.select(Candidate.id, eligibility_state_sql(TODAY))).all())
    expected = {none.id: "none", declared.id: "to_validate", valid.id: "valid", expired.id: "expired",
                refused.id: "none"}
    assert rows == expected
    for candidate in (none, declared, valid, expired, refused):
        assert eligibility_state(candidate, TODAY).value == expected[candidate.id]
    for state in EligibilityState:
        ids = set(db.session.scalars(sa.select(Candidate.id).where(state_filter_sql(state, TODAY))))
        assert ids == {cid for cid, value in expected.items() if value == state.value}
