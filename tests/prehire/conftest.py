"""Fixtures of the events and steps tests: an offer of the persona company, people of the persona
prescriber and of another prescriber of the territory, a person of another territory, and events
built at any date."""
from datetime import timedelta

import pytest
from factories import (
    CandidateInTerritoryFactory,
    ContractInTerritoryFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.prehire.models import Event, EventKind, EventParticipant, ParticipantStatus
from clausematch.prehire.rules import local_now


@pytest.fixture
def offer(db, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur")
    db.session.commit()
    return offer


@pytest.fixture
def candidate(db, personas):
    person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Léa",
                                         last_name="Martin")
    db.session.commit()
    return person


@pytest.fixture
def other_prescriber(db, territory):
    """A prescriber of another organisation of the same territory."""
    user = UserFactory(role=Role.PRESCRIBER, email="autre-prescripteur@exemple.fr",
                       organisation=PrescriberFactory(territory=territory, name="Mission locale"))
    db.session.commit()
    return user


@pytest.fixture
def neighbour(db, other_prescriber):
    """A person followed by the other prescriber organisation of the territory."""
    person = CandidateInTerritoryFactory(prescriber=other_prescriber.organisation, first_name="Awa",
                                         last_name="Diallo")
    db.session.commit()
    return person


@pytest.fixture
def stranger(db):
    """A person of another territory."""
    person = CandidateInTerritoryFactory(first_name="Zoé", last_name="Ailleurs")
    db.session.commit()
    return person


@pytest.fixture
def make_event(db, territory, personas):
    def make(days: float = 7, capacity=None, territory_id=None, **values) -> Event:
        starts = local_now() + timedelta(days=days)
        event = Event(territory_id=territory_id or territory.id, kind=values.pop("kind", EventKind.INFO_SESSION),
                      title=values.pop("title", "Les métiers du gros œuvre"), place="Salle des fêtes, Saint-Denis",
                      starts_at=starts, capacity=capacity, created_by_id=personas["facilitator"].id, **values)
        db.session.add(event)
        db.session.commit()
        return event
    return make


@pytest.fixture
def add_participant(db):
    def add(event: Event, candidate, status=ParticipantStatus.INVITED, **values) -> EventParticipant:
        participant = EventParticipant(event_id=event.id, candidate_id=candidate.id, status=status,
                                       invited_at=local_now(), **values)
        db.session.add(participant)
        db.session.commit()
        return participant
    return add
