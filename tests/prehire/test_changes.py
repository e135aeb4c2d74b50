"""Changes after the first answer: a facilitator withdraws an invitation or takes someone off the
list, a prescriber changes their answer, a step's content is edited, an event is cancelled from
its confirmation page, and two attendance sheets saved over each other."""
import html
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clausematch.audit import AuditEvent
from clausematch.database import today
from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.notifications import Notification, OutboxMessage
from clausematch.prehire import participation, services, steps
from clausematch.prehire.models import (
    Event,
    EventKind,
    EventParticipant,
    ParticipantStatus,
    PreHireStep,
    StepKind,
    StepStatus,
)
from clausematch.prehire.participation import ABSENT, PRESENT, AttendanceConflict, AttendanceLine
from clausematch.prehire.rules import FULL
from clausematch.versioning import CONFLICT_MESSAGE, EditConflict

P = ParticipantStatus


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def notes(db, user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.message).where(Notification.user_id == user.id)))


def participants(db, event) -> dict[int, ParticipantStatus]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(EventParticipant.candidate_id, EventParticipant.status)
                                   .where(EventParticipant.event_id == event.id)).all())


# --- Withdrawing an invitation, taking someone off the list -------------------------------------

def test_the_facilitator_withdraws_an_invitation_and_the_prescriber_is_told(db, personas, make_event,
                                                                            add_participant, candidate, neighbour):
    event = make_event(title="Job-dating propreté", kind=EventKind.JOB_DATING)
    mine = add_participant(event, candidate, P.REGISTERED)
    add_participant(event, neighbour)
    name = participation.remove(mine.id, personas["facilitator"], version=mine.version)
    assert name == "Léa Martin"
    assert participants(db, event) == {neighbour.id: P.INVITED}
    [note] = notes(db, personas["prescriber"])
    assert note.startswith("L'inscription de Léa M. à l'événement Job-dating « Job-dating propreté »")
    assert note.endswith("a été retirée par l'équipe de facilitation.")
    [email] = db.session.scalars(sa.select(OutboxMessage)).all()
    assert email.recipient == personas["prescriber"].email
    assert email.subject.startswith("L'inscription retirée : « Job-dating propreté » du ")
    assert "retiré l'inscription de Léa M." in email.body and "Martin" not in email.body
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "event.participant_removed"))
    assert audit.candidate_id == candidate.id and audit.details["from_status"] == "registered"


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_the_facilitators_take_someone_off_the_list(db, personas, make_event, add_participant, candidate, role):
    participant = add_participant(make_event(), candidate)
    with pytest.raises(NotAllowed):
        participation.remove(participant.id, personas[role])
    assert participants(db, participant.event) == {candidate.id: P.INVITED}


def test_a_facilitator_of_another_territory_may_not_remove(db, personas, make_event, add_participant, candidate):
    from factories import FacilitatorTeamFactory, UserFactory

    from clausematch.accounts.models import Role

    outsider = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory())
    participant = add_participant(make_event(), candidate)
    with pytest.raises(NotAllowed):
        participation.remove(participant.id, outsider)


def test_no_removal_once_started_or_cancelled(db, personas, make_event, add_participant, candidate):
    started = add_participant(make_event(days=-0.1), candidate, P.REGISTERED)
    with pytest.raises(DomainError, match="a déjà commencé : la liste ne change plus"):
        participation.remove(started.id, personas["facilitator"])
    event = make_event()
    cancelled = add_participant(event, candidate)
    services.cancel_event(event.id, personas["facilitator"], "Salle indisponible")
    with pytest.raises(DomainError, match="annulé : la liste ne change plus"):
        participation.remove(cancelled.id, personas["facilitator"])
    assert db.session.scalar(sa.select(sa.func.count(EventParticipant.id))) == 2


def test_an_answer_given_since_the_page_was_loaded_is_not_removed_unseen(db, personas, make_event,
                                                                         add_participant, candidate):
    participant = add_participant(make_event(), candidate)
    seen = participant.version
    participation.answer(participant.id, "registered", personas["prescriber"])
    with pytest.raises(DomainError) as refused:
        participation.remove(participant.id, personas["facilitator"], version=seen)
    assert refused.value.message.startswith("La réponse pour Léa Martin a changé entre-temps (« Inscrite » par le "
                                            "prescripteur le ")
    assert participants(db, participant.event) == {candidate.id: P.REGISTERED}
    participation.remove(participant.id, personas["facilitator"], version=seen + 1)  # seen anew: removed
    with pytest.raises(DomainError, match="a déjà été retirée"):
        participation.remove(participant.id, personas["facilitator"], version=seen + 1)


def test_answering_a_withdrawn_invitation_says_so(db, personas, make_event, add_participant, candidate):
    participant = add_participant(make_event(), candidate)
    participation.remove(participant.id, personas["facilitator"])
    with pytest.raises(DomainError, match="l'équipe de facilitation l'a retirée"):
        participation.answer(participant.id, "registered", personas["prescriber"])


def test_the_remove_button_sends_the_version_and_an_empty_post_is_malformed(client, login_as, db, make_event,
                                                                            add_participant, candidate):
    event = make_event()
    participant = add_participant(event, candidate)
    login_as("facilitator")
    page = text(client.get(f"/evenements/{event.id}"))
    assert "Retirer l'invitation<span class=\"visuellement-cache\"> de Léa Martin" in page
    assert client.post(f"/evenements/participants/{participant.id}/retirer").status_code == 400
    response = client.post(f"/evenements/participants/{participant.id}/retirer",
                           data={"version": str(participant.version)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/evenements/{event.id}")
    assert participants(db, event) == {}
    assert "Léa Martin ne figure plus parmi les participants" in text(client.get(f"/evenements/{event.id}"))


def test_the_prescriber_sees_no_remove_button(client, login_as, make_event, add_participant, candidate):
    event = make_event()
    add_participant(event, candidate)
    login_as("prescriber")
    assert "Retirer l'invitation" not in text(client.get(f"/evenements/{event.id}"))


# --- A prescriber changes their answer ----------------------------------------------------------

def test_a_prescriber_changes_the_answer_and_the_seat_is_rechecked(db, personas, make_event, add_participant,
                                                                   candidate, neighbour, other_prescriber):
    event = make_event(capacity=1)
    mine = add_participant(event, candidate)
    theirs = add_participant(event, neighbour)
    participation.answer(mine.id, "registered", personas["prescriber"])
    participation.answer(mine.id, "declined", personas["prescriber"])  # the seat is freed…
    participation.answer(theirs.id, "registered", other_prescriber)  # …and taken by someone else
    with pytest.raises(DomainError) as refused:
        participation.answer(mine.id, "registered", personas["prescriber"])
    assert refused.value.message == FULL
    assert participants(db, event) == {candidate.id: P.DECLINED, neighbour.id: P.REGISTERED}


def test_the_page_offers_the_other_answer_until_the_event_starts(client, login_as, make_event, add_participant,
                                                                 candidate):
    registered = make_event()
    add_participant(registered, candidate, P.REGISTERED, answered_at=registered.starts_at - timedelta(days=9))
    started = make_event(days=-0.1)
    add_participant(started, candidate, P.REGISTERED)
    login_as("prescriber")
    page = text(client.get(f"/evenements/{registered.id}"))
    assert "Ne viendra pas<span class=\"visuellement-cache\"> Léa Martin" in page
    assert "Inscrire<span class=\"visuellement-cache\">" not in page
    assert "Ne viendra pas<span" not in text(client.get(f"/evenements/{started.id}"))


# --- Editing a step ---------------------------------------------------------------------------

def step_data(**values) -> steps.StepData:
    base = {"kind": None, "start_date": today() + timedelta(days=3), "organisation_name": "AFPA Stains",
            "title": "Coffreur", "hours": Decimal("400"), "status": None}
    return steps.StepData(**{**base, **values})


@pytest.fixture
def training(db, personas, candidate):
    return steps.record_step(candidate.id, steps.StepData(
        kind="poec", start_date=today() + timedelta(days=10), organisation_name="GRETA", hours=Decimal("300")),
        personas["prescriber"])


def test_a_step_content_is_edited_and_its_kind_and_state_stay(db, personas, training):
    steps.update_step(training.id, step_data(comment="Reportée de huit jours", status="completed"),
                      personas["prescriber"], version=training.version)
    db.session.expire_all()
    step = db.session.get(PreHireStep, training.id)
    assert (step.start_date, step.organisation_name, step.title, step.hours, step.comment) == (
        today() + timedelta(days=3), "AFPA Stains", "Coffreur", Decimal("400"), "Reportée de huit jours")
    assert (step.kind, step.status, step.version) == (StepKind.POEC, StepStatus.PLANNED, 2)


def test_a_step_edited_meanwhile_is_a_conflict_and_nothing_is_saved(db, personas, training):
    loaded = training.version
    steps.update_step(training.id, step_data(title="Bancheur"), personas["facilitator"], version=loaded)
    with pytest.raises(EditConflict) as refused:
        steps.update_step(training.id, step_data(title="Maçon", hours=Decimal("350")), personas["prescriber"],
                          version=loaded)
    assert ("title", "Bancheur") in refused.value.differences
    db.session.expire_all()
    assert db.session.get(PreHireStep, training.id).title == "Bancheur"


def test_an_edit_keeps_every_rule(db, personas, candidate):
    immersion = steps.record_step(candidate.id, steps.StepData(
        kind="pmsmp", start_date=today(), end_date=today() + timedelta(days=20), organisation_name="Bâtir",
        status="completed"), personas["prescriber"])
    with pytest.raises(FieldErrors) as refused:
        steps.check_edit(immersion.id, step_data(start_date=today(), end_date=None, organisation_name="",
                                                 hours=Decimal("35")), personas["prescriber"])
    assert {e.field for e in refused.value.errors} == {"end_date", "organisation_name", "hours"}


def test_who_may_edit_a_step(db, personas, candidate, other_prescriber, training):
    validation = steps.record_step(candidate.id, steps.StepData(kind="training_validation", start_date=today()),
                                   personas["facilitator"])
    with pytest.raises(NotAllowed):  # decided by the facilitators
        steps.check_edit(validation.id, step_data(organisation_name=""), personas["prescriber"])
    for user in (other_prescriber, personas["company"], personas["buyer"]):
        with pytest.raises(NotAllowed):
            steps.update_step(training.id, step_data(), user)
    steps.check_edit(training.id, step_data(), personas["facilitator"])


def test_the_step_edit_page_fills_the_form_and_refuses_with_422(client, login_as, db, training):
    login_as("prescriber")
    assert "Modifier l'étape" in text(client.get(f"/etapes/{training.id}"))
    page = text(client.get(f"/etapes/{training.id}/modifier"))
    assert 'value="GRETA"' in page and 'name="version" type="hidden" value="1"' in page
    refused = client.post(f"/etapes/{training.id}/modifier", data={"version": "1", "hours": "5000"})
    assert refused.status_code == 422
    assert "Indiquez la date de début." in text(refused) and "de 1 à 2000 heures" in text(refused)
    response = client.post(f"/etapes/{training.id}/modifier", data={
        "version": "1", "start_date": (today() + timedelta(days=4)).isoformat(), "organisation_name": "GRETA",
        "hours": "280"})
    assert response.status_code == 302
    stale = client.post(f"/etapes/{training.id}/modifier", data={
        "version": "1", "start_date": today().isoformat(), "organisation_name": "GRETA", "hours": "250"})
    assert stale.status_code == 422 and CONFLICT_MESSAGE in text(stale)
    db.session.expire_all()
    assert db.session.get(PreHireStep, training.id).hours == Decimal("280")


# --- Cancelling from the confirmation page ------------------------------------------------------

def test_the_cancel_page_says_who_is_told_then_cancels_with_the_reason(client, login_as, db, personas, make_event,
                                                                       add_participant, candidate, neighbour,
                                                                       other_prescriber):
    event = make_event(title="Visite du chantier Pleyel")
    add_participant(event, candidate, P.REGISTERED)
    add_participant(event, neighbour)
    login_as("facilitator")
    page = text(client.get(f"/evenements/{event.id}/annuler"))
    assert "1 personne(s) inscrite(s) et 1 personne(s) invitée(s)" in page and "de 2 structure(s)" in page
    refused = client.post(f"/evenements/{event.id}/annuler", data={"reason": "  "})
    assert refused.status_code == 422 and "Indiquez le motif de l'annulation" in text(refused)
    db.session.expire_all()
    assert db.session.get(Event, event.id).cancelled_at is None
    response = client.post(f"/evenements/{event.id}/annuler", data={"reason": "Chantier fermé ce jour-là"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).cancelled_at is not None
    [note] = notes(db, other_prescriber)
    assert note.endswith("est annulé. Motif : Chantier fermé ce jour-là")
    emails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(emails) == {personas["prescriber"].email, other_prescriber.email}
    mine = emails[personas["prescriber"].email]
    assert mine.subject.startswith("Événement annulé : « Visite du chantier Pleyel » du ")
    assert "Motif : Chantier fermé ce jour-là" in mine.body and "- Léa M." in mine.body
    assert "Awa" not in mine.body and "Martin" not in mine.body
    assert client.get(f"/evenements/{event.id}/annuler").status_code == 302  # already cancelled


# --- E-mails of invitations ---------------------------------------------------------------------

def test_an_invitation_reaches_each_prescriber_by_one_email_naming_their_people(db, personas, make_event,
                                                                               candidate, neighbour,
                                                                               other_prescriber):
    from factories import CandidateInTerritoryFactory

    second = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Hélène",
                                         last_name="Durand")
    db.session.commit()
    event = make_event(title="Les métiers de la propreté")
    participation.invite(event.id, [candidate.id, second.id, neighbour.id], personas["facilitator"])
    emails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(emails) == {personas["prescriber"].email, other_prescriber.email}
    mine, theirs = emails[personas["prescriber"].email], emails[other_prescriber.email]
    when = f"{event.starts_at:%d/%m/%Y à %H:%M}"
    assert mine.subject == f"Invitation à un événement : « Les métiers de la propreté » du {when}"
    assert "- Léa M.\n- Hélène D.\n" in mine.body and "Awa" not in mine.body
    assert "Martin" not in mine.body and "Durand" not in mine.body and str(candidate.birth_date.year) not in mine.body
    assert f"http://localhost/evenements/{event.id}" in mine.body and "Salle des fêtes, Saint-Denis" in mine.body
    assert "- Awa D.\n" in theirs.body and "Léa" not in theirs.body


def test_an_invitation_to_a_past_event_sends_no_email(db, personas, make_event, candidate):
    participation.invite(make_event(days=-1).id, [candidate.id], personas["facilitator"])
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


# --- Two attendance sheets ----------------------------------------------------------------------

def test_the_second_of_two_attendance_sheets_loaded_together_is_refused(db, personas, make_event, add_participant,
                                                                        candidate, neighbour):
    event = make_event(days=-0.1)
    one = add_participant(event, candidate, P.REGISTERED)
    two = add_participant(event, neighbour, P.REGISTERED)
    loaded = {one.id: one.version, two.id: two.version}
    participation.record_attendance(event.id, [AttendanceLine(one.id, PRESENT, version=loaded[one.id]),
                                               AttendanceLine(two.id, ABSENT, version=loaded[two.id])],
                                    personas["facilitator"])
    with pytest.raises(AttendanceConflict) as refused:
        participation.record_attendance(event.id, [AttendanceLine(one.id, ABSENT, version=loaded[one.id]),
                                                   AttendanceLine(two.id, ABSENT, version=loaded[two.id])],
                                        personas["facilitator"])
    assert refused.value.message == CONFLICT_MESSAGE
    assert refused.value.differences == [(f"presence_{one.id}", PRESENT)]
    assert refused.value.versions == {one.id: loaded[one.id] + 1, two.id: loaded[two.id] + 1}
    assert participants(db, event) == {candidate.id: P.ATTENDED, neighbour.id: P.ABSENT}
    # Saved again on purpose, with the current versions: it replaces the values.
    participation.record_attendance(event.id, [AttendanceLine(one.id, ABSENT, version=refused.value.versions[one.id]),
                                               AttendanceLine(two.id, ABSENT, version=refused.value.versions[two.id])],
                                    personas["facilitator"])
    assert participants(db, event)[candidate.id] == P.ABSENT


def test_the_attendance_page_shows_the_conflict_and_keeps_the_input(client, login_as, db, make_event,
                                                                     add_participant, candidate):
    event = make_event(days=-0.1)
    one = add_participant(event, candidate, P.REGISTERED)
    login_as("facilitator")
    page = text(client.get(f"/evenements/{event.id}/presences"))
    assert f'name="version_{one.id}" type="hidden" value="1"' in page
    first = client.post(f"/evenements/{event.id}/presences", data={f"presence_{one.id}": "present",
                                                                   f"version_{one.id}": "1"})
    assert first.status_code == 302
    second = client.post(f"/evenements/{event.id}/presences", data={
        f"presence_{one.id}": "absent", f"comment_{one.id}": "Prévenue la veille", f"version_{one.id}": "1"})
    assert second.status_code == 422
    page = text(second)
    assert CONFLICT_MESSAGE in page and "Présence de Léa Martin : Présente" in page
    assert f'name="version_{one.id}" type="hidden" value="2"' in page and 'value="Prévenue la veille"' in page
    db.session.expire_all()
    assert db.session.get(EventParticipant, one.id).status == P.ATTENDED
