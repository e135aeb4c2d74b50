"""Facilitators validate, refuse and renew criteria; validity follows the territory setting (frozen time)."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from candidate_inputs import make_consent, make_input

from clausematch.audit import AuditEvent
from clausematch.candidates.checks import CriterionInput
from clausematch.candidates.eligibility import EligibilityState, eligibility_state, valid_criteria
from clausematch.candidates.models import Candidate, EligibilityStatus
from clausematch.candidates.services import create_candidate
from clausematch.candidates.validation import refuse_criterion, validate_criterion
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed
from clausematch.notifications import Notification

VALIDATION_DAY = datetime(2025, 1, 31, 10, 0)


@pytest.fixture
def candidate(db, prescriber):
    with time_machine.travel(datetime(2025, 1, 20, 9, 0), tick=False):
        data = make_input(referent_id=prescriber.id,
                          criteria=[CriterionInput("rsa", "Attestation CAF"), CriterionInput("qpv", "Domicile")])
        return create_candidate(prescriber, data, make_consent()).candidate


def rows(candidate):
    return {row.criterion.value: row for row in candidate.criteria}


def test_validation_is_dated_signed_and_lasts_the_territory_setting(db, candidate, facilitator, territory):
    territory.eligibility_validity_months = 4
    db.session.commit()
    with time_machine.travel(VALIDATION_DAY, tick=False):
        row = validate_criterion(facilitator, rows(candidate)["rsa"].id)
    assert (row.status, row.validated_by_id, row.validated_at) == (EligibilityStatus.VALIDATED, facilitator.id,
                                                                    VALIDATION_DAY)
    assert row.valid_until == date(2025, 5, 31)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "eligibility.validated"))
    assert (event.entity_id, event.actor_id) == (row.id, facilitator.id)
    notification = db.session.scalar(sa.select(Notification))
    assert notification.user_id == candidate.referent_id
    assert notification.message == "Un critère d'éligibilité d'Hélène M. a été validé."


def test_eligibility_expires_after_the_validity_then_is_renewed(db, candidate, facilitator):
    with time_machine.travel(VALIDATION_DAY, tick=False):
        validate_criterion(facilitator, rows(candidate)["rsa"].id)
    refreshed = db.session.get(Candidate, candidate.id)
    assert rows(refreshed)["rsa"].valid_until == date(2025, 7, 31)  # default: 6 months
    with time_machine.travel(datetime(2025, 7, 31, 23, 0), tick=False):
        assert eligibility_state(refreshed, today()) == EligibilityState.VALID
    with time_machine.travel(datetime(2025, 8, 1, 8, 0), tick=False):
        assert eligibility_state(refreshed, today()) == EligibilityState.EXPIRED
        assert valid_criteria(refreshed, today()) == set()
        renewed = validate_criterion(facilitator, rows(refreshed)["rsa"].id)
        assert renewed.valid_until == date(2026, 2, 1)
        assert eligibility_state(refreshed, today()) == EligibilityState.VALID
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "eligibility.renewed")) == 1


def test_refusal_needs_a_reason(db, candidate, facilitator):
    row_id = rows(candidate)["qpv"].id
    with pytest.raises(DomainError) as refused:
        refuse_criterion(facilitator, row_id, "   ")
    assert refused.value.field == "reason"
    row = refuse_criterion(facilitator, row_id, "Adresse hors quartier prioritaire")
    assert (row.status, row.refusal_reason, row.valid_until) == (EligibilityStatus.REFUSED,
                                                                 "Adresse hors quartier prioritaire", None)
    with pytest.raises(DomainError):
        validate_criterion(facilitator, row_id)  # the prescriber must declare it again first


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_facilitators_decide(db, candidate, personas, role):
    with pytest.raises(NotAllowed):
        validate_criterion(personas[role], rows(candidate)["rsa"].id)
    with pytest.raises(NotAllowed):
        refuse_criterion(personas[role], rows(candidate)["rsa"].id, "Motif")


def test_a_facilitator_of_another_territory_cannot_decide(db, candidate):
    from factories import FacilitatorTeamFactory, UserFactory

    from clausematch.accounts.models import Role

    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory())
    with pytest.raises(NotAllowed):
        validate_criterion(stranger, rows(candidate)["rsa"].id)
    assert rows(candidate)["rsa"].status == EligibilityStatus.DECLARED
