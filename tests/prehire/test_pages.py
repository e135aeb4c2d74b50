"""Events and steps pages: what each reader sees, the forms' refusals (422), the list's query count."""
import html
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clausematch.database import today
from clausematch.prehire.models import Event, EventParticipant, ParticipantOutcome, ParticipantStatus, PreHireStep
from clausematch.prehire.rules import local_now

P = ParticipantStatus


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_facilitator_creates_an_event_from_the_form(client, login_as, db, offer):
    login_as("facilitator")
    starts = (local_now() + timedelta(days=9)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/evenements/nouveau", data={
        "kind": "info_session", "title": "Découvrir le coffrage", "place": "Maison de l'emploi", "starts_at": starts,
        "capacity": "15", "offer_ids": [str(offer.id)]})
    event = db.session.scalar(sa.select(Event))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/evenements/{event.id}")
    page = text(client.get(f"/evenements/{event.id}"))
    assert "Découvrir le coffrage" in page and "0 prise(s) sur 15" in page and "Coffreur bancheur" in page


def test_a_refused_event_form_lists_every_error_with_422(client, login_as):
    login_as("facilitator")
    response = client.post("/evenements/nouveau", data={"capacity": "0"})
    assert response.status_code == 422
    page = text(response)
    assert "Le formulaire contient 5 erreurs" in page
    for message in ("Choisissez le type d'événement.", "Indiquez l'intitulé de l'événement.",
                    "Indiquez le lieu (adresse ou salle).", "Indiquez la date et l'heure de début",
                    "au moins 1 place"):
        assert message in page


def test_a_prescriber_sees_only_their_own_people_on_an_event(client, login_as, make_event, add_participant,
                                                             candidate, neighbour):
    event = make_event()
    add_participant(event, candidate)
    add_participant(event, neighbour)
    login_as("prescriber")
    page = text(client.get(f"/evenements/{event.id}"))
    assert candidate.full_name in page and neighbour.full_name not in page
    assert "Inscrire<span class=\"visuellement-cache\"> Léa Martin" in page
    login_as("facilitator")
    page = text(client.get(f"/evenements/{event.id}"))
    assert candidate.full_name in page and neighbour.full_name in page and "Inviter des personnes" in page


@pytest.mark.parametrize("role", ["company", "buyer", "admin"])
def test_companies_buyers_and_admins_see_no_event(client, login_as, make_event, role):
    event = make_event()
    login_as(role)
    assert client.get("/evenements").status_code == 403
    assert client.get(f"/evenements/{event.id}").status_code == 403


def test_an_event_of_another_territory_is_refused(client, login_as, make_event):
    from factories import TerritoryFactory

    event = make_event(territory_id=TerritoryFactory().id)
    login_as("prescriber")
    assert client.get(f"/evenements/{event.id}").status_code == 403
    login_as("facilitator")
    assert client.get(f"/evenements/{event.id}/presences").status_code == 403


def test_the_prescriber_registers_from_their_home_page(client, login_as, db, make_event, add_participant,
                                                       candidate):
    event = make_event(title="Job-dating propreté")
    participant = add_participant(event, candidate)
    login_as("prescriber")
    home = text(client.get("/prescripteur"))
    assert "À faire : invitations à des événements (1)" in home and "Job-dating propreté" in home
    response = client.post(f"/evenements/participants/{participant.id}/reponse",
                           data={"answer": "registered", "retour": "/prescripteur"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/prescripteur")
    db.session.expire_all()
    assert db.session.get(EventParticipant, participant.id).status == P.REGISTERED
    assert "Aucune invitation en attente de réponse." in text(client.get("/prescripteur"))


def test_the_attendance_sheet_records_every_row(client, login_as, db, make_event, add_participant, candidate,
                                                neighbour):
    event = make_event(days=-0.05)
    one = add_participant(event, candidate, P.REGISTERED)
    two = add_participant(event, neighbour, P.INVITED)
    login_as("facilitator")
    refused = client.post(f"/evenements/{event.id}/presences", data={f"presence_{one.id}": "present"})
    assert refused.status_code == 422 and f"Indiquez la présence de {neighbour.full_name}" in text(refused)
    response = client.post(f"/evenements/{event.id}/presences", data={
        f"presence_{one.id}": "present", f"outcome_{one.id}": "oriented", f"presence_{two.id}": "absent"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EventParticipant, one.id).outcome == ParticipantOutcome.ORIENTED
    assert db.session.get(EventParticipant, two.id).status == P.ABSENT


def test_the_facilitator_invites_from_a_name_search(client, login_as, db, make_event, candidate, stranger):
    event = make_event()
    login_as("facilitator")
    found = text(client.get(f"/evenements/{event.id}/inviter?nom=Martin"))
    assert f'value="{candidate.id}"' in found and "Léa Martin" in found
    elsewhere = text(client.get(f"/evenements/{event.id}/inviter?nom=Ailleurs"))
    assert "Aucune personne ne correspond à ce nom." in elsewhere and f'value="{stranger.id}"' not in elsewhere
    response = client.post(f"/evenements/{event.id}/inviter", data={"candidate_ids": [str(candidate.id)]})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(EventParticipant.candidate_id)) == candidate.id


def test_steps_and_events_appear_on_the_candidate_page_and_the_pathway(client, login_as, db, make_event,
                                                                        add_participant, candidate):
    event = make_event(days=-3, title="Visite du chantier Pleyel")
    add_participant(event, candidate, P.ATTENDED, outcome=ParticipantOutcome.ORIENTED)
    login_as("prescriber")
    response = client.post(f"/candidats/{candidate.id}/etapes/nouvelle", data={
        "kind": "poec", "organisation_name": "AFPA Stains", "title": "Coffreur", "start_date": today().isoformat(),
        "hours": "400", "status": "planned"})
    assert response.status_code == 302
    step = db.session.scalar(sa.select(PreHireStep))
    detail = text(client.get(f"/candidats/{candidate.id}"))
    assert "Visite du chantier Pleyel" in detail and "Coffreur" in detail and "Ajouter une étape" in detail
    assert "Inscrire à un événement" in detail
    pathway = text(client.get(f"/parcours/{candidate.id}"))
    assert pathway.index("Visite du chantier Pleyel") < pathway.index("(POEC) : Coffreur")
    assert "Présente — Orientée vers une offre." in pathway and "400 h" in pathway
    assert f'/etapes/{step.id}"' in pathway


def test_a_prescriber_is_not_offered_the_training_validation(client, login_as, candidate):
    login_as("prescriber")
    page = text(client.get(f"/candidats/{candidate.id}/etapes/nouvelle"))
    assert "Immersion (PMSMP)" in page and "Validation pour une formation" not in page
    login_as("facilitator")
    assert "Validation pour une formation" in text(client.get(f"/candidats/{candidate.id}/etapes/nouvelle"))


def test_the_list_puts_upcoming_events_first_and_filters_by_kind(client, login_as, make_event):
    make_event(days=-5, title="Forum passé", kind=__import__("clausematch").prehire.models.EventKind.JOB_FAIR)
    make_event(days=20, title="Plus tard")
    make_event(days=2, title="Bientôt")
    login_as("prescriber")
    page = text(client.get("/evenements"))
    assert page.index("Bientôt") < page.index("Plus tard") < page.index("Forum passé")
    filtered = text(client.get("/evenements?type=job_fair"))
    assert "Forum passé" in filtered and "Bientôt" not in filtered


def statements_for(db, count_queries, client, path: str) -> int:
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("role", ["facilitator", "prescriber"])
def test_the_list_runs_the_same_number_of_queries_for_3_or_30_events(db, client, login_as, count_queries,
                                                                     make_event, add_participant, candidate,
                                                                     role):
    def add(n):
        for index in range(n):
            event = make_event(days=index - 5)
            add_participant(event, candidate, P.REGISTERED)

    login_as(role)
    add(3)
    few = statements_for(db, count_queries, client, "/evenements")
    add(27)
    many = statements_for(db, count_queries, client, "/evenements")
    assert few == many


def test_the_prescriber_home_runs_a_bounded_number_of_queries(db, client, login_as, count_queries, make_event,
                                                              add_participant, candidate):
    login_as("prescriber")
    add_participant(make_event(), candidate)
    few = statements_for(db, count_queries, client, "/prescripteur")
    for index in range(15):
        add_participant(make_event(days=index + 1), candidate)
    assert statements_for(db, count_queries, client, "/prescripteur") == few


@pytest.mark.parametrize(("path", "data", "message"), [
    ("/evenements/nouveau", {"capacity": "99999999999999999999"}, "Saisissez un nombre entier d'au plus"),
    ("/evenements/{event}/inviter", {"candidate_ids": ["99999999999999999999"]},
     "Une des personnes cochées n'existe pas."),
    ("/evenements/{event}/inviter", {"candidate_ids": ["abc"]}, "Une des personnes cochées n'existe pas."),
])
def test_values_beyond_range_are_french_field_errors(client, login_as, make_event, path, data, message):
    event = make_event()
    login_as("facilitator")
    response = client.post(path.format(event=event.id), data=data)
    assert response.status_code == 422 and message in text(response)


def test_an_offer_that_is_not_in_the_list_is_a_french_field_error(client, login_as):
    login_as("facilitator")
    response = client.post("/evenements/nouveau", data={"offer_ids": ["99999999999999999999"]})
    assert response.status_code == 422 and "Un des choix cochés n'existe pas." in text(response)
