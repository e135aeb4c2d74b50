"""Two prescribers racing for the last seat, and the same answer sent twice at once, with real
parallel connections on PostgreSQL (tests/concurrency.py)."""
import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race

from clausematch.accounts.models import User
from clausematch.extensions import db as _db
from clausematch.prehire import participation
from clausematch.prehire.models import EventParticipant, ParticipantStatus
from clausematch.prehire.rules import FULL

P = ParticipantStatus


def answer(participant_id: int, target: str, user_id: int):
    return lambda: participation.answer(participant_id, target, _db.session.get(User, user_id))


@pytest.mark.postgres
def test_two_prescribers_race_for_the_last_seat(app, db, personas, make_event, add_participant, candidate,
                                                neighbour, other_prescriber):
    event = make_event(capacity=1)
    mine = add_participant(event, candidate)
    theirs = add_participant(event, neighbour)

    outcomes = race([app, app], [answer(mine.id, "registered", personas["prescriber"].id),
                                 answer(theirs.id, "registered", other_prescriber.id)])

    assert failures(outcomes) == []
    assert messages(outcomes) == [FULL]
    db.session.expire_all()
    statuses = sorted(db.session.scalars(sa.select(EventParticipant.status)), key=str)
    assert statuses == sorted([P.REGISTERED, P.INVITED], key=str)


@pytest.mark.postgres
def test_the_same_answer_sent_twice_at_once_leaves_one_outcome(app, db, personas, make_event, add_participant,
                                                               candidate):
    participant = add_participant(make_event(capacity=5), candidate)
    send = answer(participant.id, "registered", personas["prescriber"].id)

    outcomes = race([app, app, app], [send, send, send])

    assert failures(outcomes) == []
    refused = messages(outcomes)
    assert len(refused) == 2 and all("a déjà été enregistrée" in m for m in refused)
    db.session.expire_all()
    assert db.session.get(EventParticipant, participant.id).status == P.REGISTERED
