"""Consent withdrawals racing each other and racing a proposal, with real parallel connections on
PostgreSQL (tests/concurrency.py): one outcome each time, never an open application on a
withdrawn person."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race
from factories import CandidateInTerritoryFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory

from clausematch.accounts.models import User
from clausematch.applications import services as application_services
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.applications.workflow import OPEN
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate, Consent
from clausematch.database import today
from clausematch.extensions import db as _db
from clausematch.privacy.withdrawal import record_withdrawal


@pytest.fixture
def person(db, personas):
    lea = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Léa",
                                      last_name="Martin")
    lea.consents.append(Consent(given_on=today() - timedelta(days=30), purposes="Accompagnement"))
    db.session.commit()
    return lea


@pytest.fixture
def offer(db, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot)
    db.session.commit()
    return offer


def withdrawal(user_id: int, candidate_id: int, channel: str):
    return lambda: record_withdrawal(_db.session.get(User, user_id), candidate_id, today(), channel)


def proposal(user_id: int, candidate_id: int, offer_id: int):
    return lambda: application_services.propose(candidate_id, offer_id, "", _db.session.get(User, user_id))


@pytest.mark.postgres
def test_two_withdrawals_at_once_leave_one_audit_event_and_one_outcome(app, db, personas, person):
    outcomes = race([app, app], [withdrawal(personas["prescriber"].id, person.id, "email"),
                                 withdrawal(personas["facilitator"].id, person.id, "post")])

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    assert "a déjà été enregistré" in refused
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "consent.withdrawn")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "candidate.anonymised")) == 1
    [consent] = db.session.scalars(sa.select(Consent)).all()
    assert consent.withdrawal_channel in ("email", "post") and consent.withdrawn_on == today()


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_a_withdrawal_racing_a_proposal_never_leaves_an_open_application(app, db, personas, person, offer,
                                                                         attempt):
    outcomes = race([app, app], [withdrawal(personas["prescriber"].id, person.id, "email"),
                                 proposal(personas["prescriber"].id, person.id, offer.id)])

    assert not [o for o in failures(outcomes)]
    db.session.expire_all()
    assert db.session.get(Candidate, person.id).anonymised_at is not None
    rows = db.session.execute(sa.select(Application.status, Application.refusal_reason)).all()
    # Either the proposal came first (its application closed by the withdrawal) or it was refused.
    assert rows in ([], [(ApplicationStatus.REFUSED, RefusalReason.CLOSED)])
    assert not any(status in OPEN for status, _ in rows)
    if not rows:
        assert any("a retiré son consentement" in m for m in messages(outcomes))
