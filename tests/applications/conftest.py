"""Fixtures of the applications tests: a published offer of the persona company, a candidate of
the persona prescriber with a valid criterion, and applications built at any state."""
from datetime import date

import pytest
from applications_support import PATHS, S, add_criterion
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    ClauseFactory,
    ContractInTerritoryFactory,
    LotFactory,
    OfferInTerritoryFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications.models import ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.candidates.models import EligibilityStatus


@pytest.fixture
def contract(db, territory):
    return ContractInTerritoryFactory(buyer__territory=territory)


@pytest.fixture
def lot(db, personas, contract):
    lot = LotFactory(contract=contract, company=personas["company"].organisation)
    ClauseFactory(lot=lot, eligible_criteria=["deld", "rsa"])
    return lot


@pytest.fixture
def offer(db, lot):
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur")
    db.session.commit()
    return offer


@pytest.fixture
def referent(db, personas):
    """A second adviser of the persona prescriber organisation, the candidate's referent."""
    user = UserFactory(role=Role.PRESCRIBER, email="referente@exemple.fr", full_name="Rita Référente",
                       organisation=personas["prescriber"].organisation)
    db.session.commit()
    return user


@pytest.fixture
def candidate(db, personas, referent):
    candidate = CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation, referent_id=referent.id, first_name="Léa",
        last_name="Martin", birth_date=date(1991, 3, 14), email="lea.martin@exemple.fr", phone="06 12 34 56 78",
        skills="Lecture de plans", experience="Deux ans de coffrage", certificates="CACES R482",
        desired_jobs_text="coffreuse")
    add_criterion(candidate, "deld")
    add_criterion(candidate, "rsa", status=EligibilityStatus.DECLARED)
    db.session.commit()
    return candidate


@pytest.fixture
def make_application(db, personas, candidate, offer):
    """make_application(status, **columns) → an application that went through PATHS[status]."""
    def make(status: ApplicationStatus = S.SUBMITTED, path: list | None = None, **columns):
        columns.setdefault("candidate", candidate)
        columns.setdefault("offer", offer)
        if status == S.REFUSED:
            columns.setdefault("refusal_reason", RefusalReason.LACKS_SKILLS)
        columns.setdefault("proposed_by_id", personas["prescriber"].id)
        application = ApplicationFactory(status=status, **columns)
        previous = None
        for step in path or PATHS[status]:
            db.session.add(ApplicationEvent(application=application, from_status=previous, to_status=step,
                                            actor_id=personas["facilitator"].id))
            previous = step
        db.session.commit()
        return application
    return make

