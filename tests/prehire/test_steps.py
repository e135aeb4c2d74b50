"""Pre-hire steps: who records which kind, every rule, the status change once and version-checked."""
from datetime import timedelta
from decimal import Decimal

import pytest

from clausematch.database import today
from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.prehire import steps
from clausematch.prehire.models import PreHireStep, StepKind, StepStatus
from clausematch.versioning import EditConflict


def data(**values) -> steps.StepData:
    base = {"kind": "pmsmp", "start_date": today() + timedelta(days=5), "organisation_name": "Bâtir Ensemble"}
    return steps.StepData(**{**base, **values})


def fields(error: FieldErrors) -> dict[str, str]:
    return {e.field: e.message for e in error.errors}


def test_a_prescriber_records_an_immersion_at_a_company_of_the_territory(db, personas, candidate):
    company = personas["company"].organisation
    step = steps.record_step(candidate.id, data(organisation_id=company.id, organisation_name="",
                                                end_date=today() + timedelta(days=30)), personas["prescriber"])
    db.session.expire_all()
    step = db.session.get(PreHireStep, step.id)
    assert (step.kind, step.status, step.organisation_id, step.organisation_name) == (
        StepKind.PMSMP, StepStatus.PLANNED, company.id, company.name)


def test_every_rule_at_once(db, personas, candidate):
    start = today()
    with pytest.raises(FieldErrors) as refused:
        steps.check_step(candidate.id, data(kind="pmsmp", start_date=start, end_date=start - timedelta(days=1),
                                            hours=Decimal("35"), status="completed", organisation_name=""),
                         personas["facilitator"])
    found = fields(refused.value)
    assert set(found) == {"end_date", "hours", "organisation_name"}
    assert found["hours"] == "Les heures ne s'indiquent que pour une formation (POEC, POEI, AFPR)."


def test_an_immersion_lasts_two_months_at_most(db, personas, candidate):
    start = today()
    steps.check_step(candidate.id, data(start_date=start, end_date=start + timedelta(days=55)), personas["prescriber"])
    with pytest.raises(FieldErrors) as refused:
        steps.check_step(candidate.id, data(start_date=start, end_date=start + timedelta(days=70)),
                         personas["prescriber"])
    assert fields(refused.value)["end_date"].startswith("Une immersion (PMSMP) dure au plus un mois, renouvelable")


@pytest.mark.parametrize(("hours", "accepted"), [(Decimal("1"), True), (Decimal("2000"), True),
                                                 (Decimal("0.5"), False), (Decimal("2001"), False)])
def test_training_hours_from_1_to_2000(db, personas, candidate, hours, accepted):
    values = data(kind="poec", hours=hours, organisation_name="AFPA Stains")
    if accepted:
        assert steps.check_step(candidate.id, values, personas["facilitator"])["hours"] == hours
    else:
        with pytest.raises(FieldErrors, match="de 1 à 2000 heures"):
            steps.check_step(candidate.id, values, personas["facilitator"])


def test_a_done_step_needs_its_end_date(db, personas, candidate):
    with pytest.raises(FieldErrors) as refused:
        steps.check_step(candidate.id, data(status="completed"), personas["facilitator"])
    assert fields(refused.value)["end_date"] == "Indiquez la date de fin d'une étape « réalisée »."


def test_a_training_validation_is_the_facilitators(db, personas, candidate):
    with pytest.raises(FieldErrors) as refused:
        steps.check_step(candidate.id, data(kind="training_validation"), personas["prescriber"])
    assert "décidée par l'équipe de facilitation" in fields(refused.value)["kind"]
    step = steps.record_step(candidate.id, data(kind="training_validation", organisation_name=""),
                             personas["facilitator"])
    with pytest.raises(NotAllowed):
        steps.change_status(step.id, steps.StepStatusData("completed", today()), personas["prescriber"])


def test_other_prescribers_companies_buyers_and_territories_record_nothing(db, personas, candidate,
                                                                             other_prescriber, stranger):
    for user in (other_prescriber, personas["company"], personas["buyer"], personas["admin"]):
        with pytest.raises(NotAllowed):
            steps.record_step(candidate.id, data(), user)
    with pytest.raises(NotAllowed):
        steps.record_step(stranger.id, data(), personas["facilitator"])


def test_a_step_ends_once_version_checked(db, personas, candidate):
    step = steps.record_step(candidate.id, data(), personas["prescriber"])
    with pytest.raises(FieldErrors, match="date de fin"):
        steps.change_status(step.id, steps.StepStatusData("interrupted"), personas["prescriber"], version=1)
    steps.change_status(step.id, steps.StepStatusData("completed", step.start_date + timedelta(days=20)),
                        personas["prescriber"], version=1)
    with pytest.raises(DomainError, match="déjà terminée"):
        steps.change_status(step.id, steps.StepStatusData("not_retained"), personas["facilitator"], version=2)
    db.session.expire_all()
    assert db.session.get(PreHireStep, step.id).status == StepStatus.COMPLETED


def test_a_stale_version_is_refused(db, personas, candidate):
    step = steps.record_step(candidate.id, data(), personas["prescriber"])
    db.session.execute(PreHireStep.__table__.update().values(version=2))
    db.session.commit()
    with pytest.raises(EditConflict):
        steps.change_status(step.id, steps.StepStatusData("not_retained"), personas["prescriber"], version=1)
    db.session.expire_all()
    assert db.session.get(PreHireStep, step.id).status == StepStatus.PLANNED
