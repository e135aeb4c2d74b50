"""Two prescribers racing for the last seat, the same answer sent twice at once, and a
registration or an invitation racing a consent withdrawal, with real parallel connections on
PostgreSQL (tests/concurrency.py)."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race

from clausematch.accounts.models import User
from clausematch.candidates.models import Candidate, Consent
from clausematch.database import today
from clausematch.extensions import db as _db
from clausematch.prehire import participation
from clausematch.prehire.models import EventParticipant, ParticipantStatus
from clausematch.prehire.rules import FULL
from clausematch.privacy.withdrawal import record_withdrawal

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


@pytest.mark.postgres
def test_two_attendance_sheets_saved_at_once_leave_one_and_refuse_the_other(app, db, personas, make_event,
                                                                            add_participant, candidate):
    from clausematch.prehire.participation import ABSENT, PRESENT, AttendanceLine
    from clausematch.versioning import CONFLICT_MESSAGE

    participant = add_participant(make_event(days=-0.1), candidate, P.REGISTERED)
    loaded = participant.version
    facilitator_id = personas["facilitator"].id

    def sheet(presence: str):
        return lambda: participation.record_attendance(
            participant.event_id, [AttendanceLine(participant.id, presence, version=loaded)],
            _db.session.get(User, facilitator_id))

    outcomes = race([app, app], [sheet(PRESENT), sheet(ABSENT)])

    assert failures(outcomes) == []
    assert messages(outcomes) == [CONFLICT_MESSAGE]
    saved = PRESENT if outcomes[0] == 1 else ABSENT
    db.session.expire_all()
    row = db.session.get(EventParticipant, participant.id)
    assert (row.status, row.version) == ({PRESENT: P.ATTENDED, ABSENT: P.ABSENT}[saved], loaded + 1)


@pytest.mark.postgres
def test_a_removal_and_an_answer_at_once_never_remove_an_answer_unseen(app, db, personas, make_event,
                                                                       add_participant, candidate):
    participant = add_participant(make_event(capacity=5), candidate)
    # Plain values: the removal may delete the row, and an expired instance cannot be read again.
    participant_id, seen = participant.id, participant.version
    facilitator_id = personas["facilitator"].id

    def remove():
        return participation.remove(participant_id, _db.session.get(User, facilitator_id), version=seen)

    outcomes = race([app, app], [remove, answer(participant_id, "registered", personas["prescriber"].id)])

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    db.session.expire_all()
    row = db.session.get(EventParticipant, participant_id)
    if row is None:  # the removal went first: the answer found no invitation
        assert refused == participation.WITHDRAWN
    else:  # the answer went first: the removal saw the row had changed
        assert row.status == P.REGISTERED and refused.startswith("La réponse pour Léa Martin a changé entre-temps")


def withdrawal(user_id: int, candidate_id: int):
    """The person's consent withdrawn (a consent is recorded first, as the withdrawal requires)."""
    person = _db.session.get(Candidate, candidate_id)
    person.consents.append(Consent(given_on=today() - timedelta(days=30), purposes="Accompagnement"))
    _db.session.commit()
    return lambda: record_withdrawal(_db.session.get(User, user_id), candidate_id, today(), "email")


@pytest.mark.postgres
@pytest.mark.parametrize("attempt", range(3))
def test_a_registration_racing_a_consent_withdrawal_never_leaves_the_person_on_the_list(
        app, db, personas, make_event, candidate, attempt):
    event = make_event(capacity=10)
    register = lambda: participation.register(  # noqa: E731
        event.id, candidate.id, _db.session.get(User, personas["prescriber"].id))
    outcomes = race([app, app], [register, withdrawal(personas["facilitator"].id, candidate.id)])

    assert failures(outcomes) == []
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).anonymised_at is not None
    # Either the registration came first (and the withdrawal took the person off the list) or it
    # waited for the withdrawal and was refused.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventParticipant)) == 0
    refused = messages(outcomes)
    assert refused in ([], ["Cette personne a retiré son consentement ou ses données ont été anonymisées : elle ne "
                            "peut plus être inscrite."])


@pytest.mark.postgres
def test_an_invitation_racing_a_consent_withdrawal_never_leaves_the_person_on_the_list(
        app, db, personas, make_event, candidate):
    event = make_event()
    invite = lambda: participation.invite(  # noqa: E731
        event.id, [candidate.id], _db.session.get(User, personas["facilitator"].id))
    outcomes = race([app, app], [invite, withdrawal(personas["prescriber"].id, candidate.id)])

    assert failures(outcomes) == []
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).anonymised_at is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventParticipant)) == 0
