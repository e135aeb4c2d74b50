"""Invitations, answers, direct registrations, capacity and attendance."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.notifications import Notification
from clausematch.prehire import participation
from clausematch.prehire.models import EventParticipant, ParticipantOutcome, ParticipantStatus
from clausematch.prehire.participation import ABSENT, PRESENT, AttendanceLine
from clausematch.prehire.rules import FULL

P = ParticipantStatus


def notes(db, user) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)))


def test_an_invitation_tells_every_prescriber_of_the_person(db, personas, make_event, candidate, neighbour,
                                                             other_prescriber):
    event = make_event()
    participation.invite(event.id, [candidate.id, neighbour.id], personas["facilitator"])
    statuses = dict(db.session.execute(sa.select(EventParticipant.candidate_id, EventParticipant.status)).all())
    assert statuses == {candidate.id: P.INVITED, neighbour.id: P.INVITED}
    [mine] = notes(db, personas["prescriber"])
    [theirs] = notes(db, other_prescriber)
    assert mine.message.startswith("Invitation de Léa M. à l'événement Réunion d'information collective")
    assert theirs.message.startswith("Invitation d'Awa D.") and theirs.link == f"/evenements/{event.id}"
    assert notes(db, personas["company"]) == [] and notes(db, personas["facilitator"]) == []


def test_inviting_twice_or_someone_of_another_territory_is_refused(db, personas, make_event, candidate, stranger):
    event = make_event()
    participation.invite(event.id, [candidate.id], personas["facilitator"])
    with pytest.raises(FieldErrors, match="figure déjà parmi les participants"):
        participation.invite(event.id, [candidate.id], personas["facilitator"])
    with pytest.raises(NotAllowed):
        participation.invite(event.id, [stranger.id], personas["facilitator"])
    with pytest.raises(DomainError, match="au moins une personne"):
        participation.invite(event.id, [], personas["facilitator"])


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_facilitators_invite(db, personas, make_event, candidate, role):
    with pytest.raises(NotAllowed):
        participation.invite(make_event().id, [candidate.id], personas[role])


def test_the_prescriber_answers_for_the_person_and_the_same_answer_twice_is_refused(
        db, personas, make_event, add_participant, candidate):
    participant = add_participant(make_event(), candidate)
    participation.answer(participant.id, "registered", personas["prescriber"])
    with pytest.raises(DomainError, match=r"\(« Inscrite »\) a déjà été enregistrée le"):
        participation.answer(participant.id, "registered", personas["prescriber"])
    participation.answer(participant.id, "declined", personas["prescriber"])
    db.session.expire_all()
    assert db.session.get(EventParticipant, participant.id).status == P.DECLINED


def test_another_prescriber_company_or_facilitator_may_not_answer(db, personas, make_event, add_participant,
                                                                   candidate, other_prescriber):
    participant = add_participant(make_event(), candidate)
    for user in (other_prescriber, personas["company"], personas["buyer"], personas["facilitator"]):
        with pytest.raises(NotAllowed):
            participation.answer(participant.id, "registered", user)


def test_a_full_event_refuses_the_registration(db, personas, make_event, add_participant, candidate, neighbour):
    event = make_event(capacity=1)
    add_participant(event, neighbour, P.REGISTERED)
    participant = add_participant(event, candidate)
    with pytest.raises(DomainError) as refused:
        participation.answer(participant.id, "registered", personas["prescriber"])
    assert refused.value.message == FULL == "L'événement est complet : toutes ses places sont prises."
    participation.answer(participant.id, "declined", personas["prescriber"])  # declining needs no seat


def test_a_prescriber_registers_their_own_person_directly_not_someone_else(db, personas, make_event, candidate,
                                                                            neighbour):
    event = make_event(capacity=3)
    participant = participation.register(event.id, candidate.id, personas["prescriber"])
    assert participant.status == P.REGISTERED and participant.invited_at is None
    with pytest.raises(NotAllowed):
        participation.register(event.id, neighbour.id, personas["prescriber"])
    with pytest.raises(DomainError, match="a déjà été enregistrée"):
        participation.register(event.id, candidate.id, personas["prescriber"])


def test_no_registration_to_a_cancelled_or_started_event(db, personas, make_event, candidate):
    from clausematch.prehire.services import cancel_event

    cancelled = make_event()
    cancel_event(cancelled.id, personas["facilitator"], "Intervenant absent")
    with pytest.raises(DomainError, match="est annulé"):
        participation.register(cancelled.id, candidate.id, personas["prescriber"])
    started = make_event(days=-0.1)
    with pytest.raises(DomainError, match="a déjà commencé"):
        participation.register(started.id, candidate.id, personas["prescriber"])


def test_attendance_every_refusal_at_once_then_the_whole_sheet(db, personas, make_event, add_participant,
                                                                candidate, neighbour):
    event = make_event(days=-0.1)
    one = add_participant(event, candidate, P.REGISTERED)
    two = add_participant(event, neighbour, P.INVITED)
    with pytest.raises(FieldErrors) as refused:
        participation.record_attendance(event.id, [
            AttendanceLine(one.id, None), AttendanceLine(two.id, ABSENT, outcome="oriented")], personas["facilitator"])
    assert {e.field for e in refused.value.errors} == {f"presence_{one.id}", f"outcome_{two.id}"}
    changed = participation.record_attendance(event.id, [
        AttendanceLine(one.id, PRESENT, outcome="oriented", comment="Motivée"), AttendanceLine(two.id, ABSENT)],
        personas["facilitator"])
    assert changed == 2
    db.session.expire_all()
    one, two = db.session.get(EventParticipant, one.id), db.session.get(EventParticipant, two.id)
    assert (one.status, one.outcome, one.comment) == (P.ATTENDED, ParticipantOutcome.ORIENTED, "Motivée")
    assert (two.status, two.outcome) == (P.ABSENT, None)
    assert one.attendance_recorded_by_id == personas["facilitator"].id


def test_attendance_waits_for_the_start_and_is_the_facilitators(db, personas, make_event, add_participant,
                                                                 candidate):
    future = make_event(days=2)
    participant = add_participant(future, candidate, P.REGISTERED)
    with pytest.raises(DomainError, match="une fois l'événement commencé"):
        participation.record_attendance(future.id, [AttendanceLine(participant.id, PRESENT)], personas["facilitator"])
    past = make_event(days=-1)
    other = add_participant(past, candidate, P.REGISTERED)
    with pytest.raises(NotAllowed):
        participation.record_attendance(past.id, [AttendanceLine(other.id, PRESENT)], personas["prescriber"])


def test_an_invitation_to_a_past_event_notifies_nobody(db, personas, make_event, candidate):
    event = make_event(days=-1)
    participation.invite(event.id, [candidate.id], personas["facilitator"])
    assert notes(db, personas["prescriber"]) == []
    assert event.starts_at < participation.local_now() - timedelta(hours=1)
