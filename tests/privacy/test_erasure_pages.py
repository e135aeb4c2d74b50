"""The facilitator's erasure of a person (web/candidates/erasure.py), its denials, the person's page
afterwards, a double submit on PostgreSQL, and `flask privacy erase`."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from concurrency import failures, race
from factories import CandidateInTerritoryFactory, PrescriberFactory, TerritoryFactory, UserFactory
from markupsafe import escape

from clausematch.accounts.models import Role, User
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.extensions import db as _db
from clausematch.prehire.models import EventParticipant
from clausematch.privacy import services
from clausematch.web.candidates.forms import ERASURE_NOT_CONFIRMED


@pytest.fixture
def person(db, personas):
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Zéphirine",
                                            last_name="Quatrefages", email="zq@exemple.org", phone="0611223344")
    db.session.commit()
    return candidate


def anonymised_events(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "candidate.anonymised"))


def path(candidate) -> str:
    return f"/candidats/{candidate.id}/anonymiser"


def test_the_facilitator_is_offered_the_erasure_and_told_what_it_does(client, login_as, person):
    login_as("facilitator")
    page = client.get(f"/candidats/{person.id}").get_data(as_text=True)
    assert "Anonymiser cette personne…" in page and path(person) in page
    response = client.get(path(person))
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert text.count("<h1") == 1 and "Anonymiser Zéphirine Quatrefages" in text
    for said in ("Ce qui est effacé", "Ce qui est gardé", "irréversible", 'type="checkbox"', "Je confirme",
                 "(obligatoire)"):
        assert said in text


def test_without_the_box_nothing_is_erased(client, login_as, person, db):
    login_as("facilitator")
    response = client.post(path(person), data={})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert str(escape(ERASURE_NOT_CONFIRMED)) in text and 'aria-invalid="true"' in text
    db.session.expire_all()
    assert person.first_name == "Zéphirine" and person.anonymised_at is None and anonymised_events(db) == 0


def test_confirmed_the_record_is_anonymised_and_the_page_says_so(client, login_as, person, db, personas):
    login_as("facilitator")
    response = client.post(path(person), data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/candidats/{person.id}")
    db.session.expire_all()
    assert person.anonymised_at is not None and person.email is None
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "candidate.anonymised"))
    assert (event.actor_id, event.details) == (personas["facilitator"].id, {"reason": "erasure"})

    page = client.get(f"/candidats/{person.id}").get_data(as_text=True)
    assert f"Données anonymisées le {person.anonymised_at:%d/%m/%Y}" in page
    assert "Zéphirine" not in page and "zq@exemple.org" not in page
    for action in ("Anonymiser cette personne", "Inviter à un événement", "Ajouter une étape", "Proposer à une offre",
                   "Valider<span"):
        assert action not in page


def test_nothing_is_actionable_for_the_prescriber_afterwards(client, login_as, person, db, personas):
    services.erase(personas["facilitator"], person.id)
    login_as("prescriber")
    page = client.get(f"/candidats/{person.id}").get_data(as_text=True)
    assert "Données anonymisées le" in page and "Modifier la fiche" not in page
    assert client.get(f"/candidats/{person.id}/modifier").status_code == 403
    assert client.get(f"/candidats/{person.id}/proposer").status_code == 403


def test_a_second_submit_says_it_was_done_and_writes_nothing(client, login_as, person, db):
    login_as("facilitator")
    client.post(path(person), data={"confirm": "y"})
    response = client.post(path(person), data={"confirm": "y"}, follow_redirects=True)
    assert "ont déjà été anonymisées le" in response.get_data(as_text=True)
    assert response.request.path == f"/candidats/{person.id}"
    assert anonymised_events(db) == 1


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_the_territory_facilitators_may_erase(client, login_as, person, db, role):
    login_as(role)
    assert client.get(path(person)).status_code == 403
    assert client.post(path(person), data={"confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert person.anonymised_at is None and anonymised_events(db) == 0
    if role == "prescriber":  # they see the page, not the action
        assert "Anonymiser cette personne" not in client.get(f"/candidats/{person.id}").get_data(as_text=True)


def test_a_facilitator_of_another_territory_may_not(client, login_as, person, db):
    from factories import FacilitatorTeamFactory

    elsewhere = UserFactory(role=Role.FACILITATOR, email="ailleurs@exemple.fr",
                            organisation=FacilitatorTeamFactory(territory=TerritoryFactory(name="Ailleurs")))
    db.session.commit()
    login_as(elsewhere)
    assert client.post(path(person), data={"confirm": "y"}).status_code == 403
    assert client.get("/candidats/999999/anonymiser").status_code == 404
    db.session.expire_all()
    assert person.anonymised_at is None


def test_the_service_rechecks_the_permission(db, person, personas):
    from clausematch.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.erase(personas["prescriber"], person.id)
    db.session.expire_all()
    assert person.anonymised_at is None


@pytest.mark.postgres
def test_two_facilitators_erasing_at_once_leave_one_audit_event(app, db, person, personas):
    facilitator_id = personas["facilitator"].id
    other = UserFactory(role=Role.FACILITATOR, email="collegue@exemple.fr",
                        organisation=personas["facilitator"].organisation)
    db.session.commit()
    other_id = other.id

    def erase(user_id: int):
        return lambda: services.erase(_db.session.get(User, user_id), person.id)[1]

    outcomes = race([app, app], [erase(facilitator_id), erase(other_id)])

    assert failures(outcomes) == []
    assert sorted(outcomes) == [False, True]
    db.session.expire_all()
    assert anonymised_events(db) == 1 and db.session.get(Candidate, person.id).anonymised_at is not None


# --- flask privacy erase -----------------------------------------------------------------------

def test_the_command_refuses_without_yes(runner, person, db):
    result = runner.invoke(args=["privacy", "erase", "--candidate", str(person.id)])
    assert result.exit_code != 0 and "--yes" in result.output and "Rien n'a été modifié" in result.output
    db.session.expire_all()
    assert person.anonymised_at is None and anonymised_events(db) == 0


def test_the_command_erases_with_yes(runner, person, db):
    result = runner.invoke(args=["privacy", "erase", "--candidate", str(person.id), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Fiche n° {person.id} anonymisée" in result.output
    db.session.expire_all()
    assert person.first_name == "Personne" and person.anonymised_at is not None
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "candidate.anonymised"))
    assert (event.actor_id, event.details) == (None, {"reason": "erasure"})
    again = runner.invoke(args=["privacy", "erase", "--candidate", str(person.id), "--yes"])
    assert again.exit_code == 0 and "déjà anonymisée" in again.output and anonymised_events(db) == 1


def test_the_command_names_an_unknown_record(runner, db):
    result = runner.invoke(args=["privacy", "erase", "--candidate", "424242", "--yes"])
    assert result.exit_code != 0 and "Aucune personne n'a la fiche n° 424242" in result.output
    assert anonymised_events(db) == 0


def test_other_people_of_the_prescriber_are_left_alone(runner, person, db):
    neighbour = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=person.territory),
                                            first_name="Zéphirine", last_name="Autre")
    db.session.commit()
    runner.invoke(args=["privacy", "erase", "--candidate", str(person.id), "--yes"])
    db.session.expire_all()
    assert (neighbour.first_name, neighbour.anonymised_at) == ("Zéphirine", None)


def test_the_services_refuse_to_act_on_an_anonymised_record(db, person, personas, world_offer):
    from clausematch.applications import services as applications
    from clausematch.errors import DomainError
    from clausematch.prehire import participation
    from clausematch.prehire.models import Event, EventKind
    from clausematch.prehire.rules import local_now

    facilitator = personas["facilitator"]
    event = Event(territory_id=person.territory_id, kind=EventKind.INFO_SESSION, title="Réunion", place="Mairie",
                  starts_at=local_now() + timedelta(days=7), created_by_id=facilitator.id)
    db.session.add(event)
    db.session.commit()
    services.erase(facilitator, person.id)
    with pytest.raises(DomainError, match="anonymisées"):
        participation.invite(event.id, [person.id], facilitator)
    db.session.rollback()
    with pytest.raises(DomainError, match="anonymisées"):  # check_can_be_proposed, under the lock
        applications.propose(person.id, world_offer.id, "", facilitator)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventParticipant)) == 0


@pytest.fixture
def world_offer(db, personas, territory):
    from factories import ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory

    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot)
    db.session.commit()
    return offer
