"""The facilitator's and prescriber's pages: lists with filters (age of the last event with frozen
time), SQL pagination and query counts, proposing through the forms, the application page and
its move buttons."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from applications_support import S, statements_for
from factories import (
    CandidateInTerritoryFactory,
    CompanyFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.offers.models import OfferStatus

NOW = datetime(2026, 6, 15, 10, 0)


@pytest.fixture
def territory_data(db, territory, personas, contract, offer, candidate, make_application, time_machine):
    """Applications of two offers (two lots, two companies), two prescribers, various ages."""
    time_machine.move_to(NOW, tick=False)
    other_company = CompanyFactory(territory=territory, name="Nettoyage Plaine")
    other_offer = OfferInTerritoryFactory(lot=LotFactory(contract=contract, company=other_company),
                                          title="Agent de propreté")
    other_prescriber = PrescriberFactory(territory=territory, name="Mission locale Saint-Denis")

    def app(first_name, status, days_ago, offer_=offer, prescriber=None):
        person = CandidateInTerritoryFactory(prescriber=prescriber or personas["prescriber"].organisation,
                                             first_name=first_name, last_name="Test")
        return make_application(status, candidate=person, offer=offer_, last_event_at=NOW - timedelta(days=days_ago))

    apps = {
        "Alice": app("Alice", S.SUBMITTED, 20),
        "Bruno": app("Bruno", S.SENT, 40, offer_=other_offer),
        "Chloé": app("Chloé", S.REFUSED, 70, prescriber=other_prescriber),
        "Driss": app("Driss", S.INTERVIEW, 2, offer_=other_offer, prescriber=other_prescriber),
    }
    elsewhere = OfferInTerritoryFactory()  # another territory
    app("Zoé", S.SUBMITTED, 1, offer_=elsewhere, prescriber=PrescriberFactory())
    db.session.commit()
    return {"apps": apps, "other_offer": other_offer, "other_company": other_company,
            "other_prescriber": other_prescriber}


def names_in(response) -> set[str]:
    html = response.get_data(as_text=True)
    return {name for name in ("Alice", "Bruno", "Chloé", "Driss", "Zoé") if f"{name} Test</a>" in html}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"Alice", "Bruno", "Chloé", "Driss"}),
    ("?etat=submitted", {"Alice"}),
    ("?etat=inconnu", {"Alice", "Bruno", "Chloé", "Driss"}),  # a wrong value is ignored
    ("?sans_nouvelle=15", {"Alice", "Bruno"}),  # Chloé's is closed: no news is expected
    ("?sans_nouvelle=30", {"Bruno"}),
    ("?sans_nouvelle=60", set()),
    ("?sans_nouvelle=7", {"Alice", "Bruno", "Chloé", "Driss"}),  # not a proposed choice: ignored
])
def test_facilitator_list_filters_by_state_and_age(client, login_as, territory_data, query, expected):
    login_as("facilitator")
    assert names_in(client.get(f"/orientations{query}")) == expected


def test_facilitator_list_filters_by_offer_lot_company_and_prescriber(client, login_as, territory_data):
    login_as("facilitator")
    other_offer = territory_data["other_offer"]
    assert names_in(client.get(f"/orientations?offre={other_offer.id}")) == {"Bruno", "Driss"}
    assert names_in(client.get(f"/orientations?lot={other_offer.lot_id}")) == {"Bruno", "Driss"}
    company = territory_data["other_company"].id
    assert names_in(client.get(f"/orientations?entreprise={company}")) == {"Bruno", "Driss"}
    prescriber = territory_data["other_prescriber"].id
    assert names_in(client.get(f"/orientations?prescripteur={prescriber}&etat=refused")) == {"Chloé"}


def test_facilitator_list_shows_joined_columns_and_filter_choices(client, login_as, territory_data):
    login_as("facilitator")
    html = client.get("/orientations").get_data(as_text=True)
    assert "Nettoyage Plaine" in html and "Mission locale Saint-Denis" in html and "Agent de propreté" in html
    assert '<label for="filtre-sans_nouvelle"' in html and "plus de 30 jours" in html
    assert "1 candidature</a>" not in html and "4 candidatures" in html


def test_prescriber_list_shows_only_its_organisation(client, login_as, territory_data):
    login_as("prescriber")
    assert names_in(client.get("/mes-orientations")) == {"Alice", "Bruno"}
    assert names_in(client.get("/mes-orientations?etat=sent")) == {"Bruno"}
    assert names_in(client.get("/mes-orientations?sans_nouvelle=30")) == {"Bruno"}


def test_company_list_shows_only_candidates_sent_to_its_offers(client, login_as, territory_data, make_application,
                                                               offer):
    login_as("company")  # holds `offer`: Alice (submitted, not sent yet) and Chloé (refused after being sent)
    assert names_in(client.get("/entreprise/candidatures")) == {"Chloé"}
    person = CandidateInTerritoryFactory(first_name="Emma", last_name="Test")
    make_application(S.INTERVIEW, candidate=person, offer=offer)
    html = client.get("/entreprise/candidatures").get_data(as_text=True)
    assert "Emma Test</a>" in html and "Alice Test" not in html


def test_lists_paginate_in_sql(client, login_as, app, territory_data):
    app.config["PAGE_SIZE"] = 3
    login_as("facilitator")
    first = client.get("/orientations").get_data(as_text=True)
    second = client.get("/orientations?page=2").get_data(as_text=True)
    assert "Page 1 sur 2" in first and "Page 2 sur 2" in second
    assert len(names_in(client.get("/orientations"))) == 3 and names_in(client.get("/orientations?page=2")) == {"Chloé"}


def add_applications(personas, offer, make_application, n: int) -> None:
    for _ in range(n):
        person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
        make_application(S.SENT, candidate=person, offer=offer)


@pytest.mark.parametrize(("role", "path"), [("facilitator", "/orientations"), ("prescriber", "/mes-orientations"),
                                            ("company", "/entreprise/candidatures")])
def test_lists_run_the_same_number_of_queries_for_3_and_30(db, count_queries, client, login_as, personas, offer,
                                                           make_application, role, path):
    login_as(role)
    add_applications(personas, offer, make_application, 3)
    few = statements_for(db, count_queries, client, path)
    add_applications(personas, offer, make_application, 27)
    many = statements_for(db, count_queries, client, path)
    assert few == many
    assert few <= 12


# --- Proposing through the pages -----------------------------------------------------------------

def test_orient_page_lists_open_offers_of_the_territory_with_search(db, client, login_as, offer, lot):
    OfferInTerritoryFactory(lot=lot, title="Chef de chantier", status=OfferStatus.DRAFT)
    OfferInTerritoryFactory(title="Coffreur ailleurs")  # another territory
    OfferInTerritoryFactory(lot=lot, title="Agent d'entretien", search_text="agent d entretien")
    offer.search_text = "coffreur bancheur"
    db.session.commit()
    login_as("prescriber")
    html = client.get("/orienter").get_data(as_text=True)
    assert "Coffreur bancheur" in html and "Agent d&#39;entretien" in html
    assert "Chef de chantier" not in html and "Coffreur ailleurs" not in html
    html = client.get("/orienter?q=Coffreur").get_data(as_text=True)
    assert "Coffreur bancheur" in html and "Agent d&#39;entretien" not in html
    assert f'href="/orienter/offres/{offer.id}"' in html


def test_propose_from_the_offer(db, client, login_as, personas, candidate, offer):
    CandidateInTerritoryFactory(first_name="Étrangère", last_name="Autre")  # another organisation
    db.session.commit()
    login_as("prescriber")
    page = client.get(f"/orienter/offres/{offer.id}").get_data(as_text=True)
    assert f'<option value="{candidate.id}">MARTIN Léa' in page and "Étrangère" not in page

    response = client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": candidate.id, "message": "Motivée"})

    application = db.session.scalars(sa.select(Application)).one()
    assert response.headers["Location"] == f"/orientations/{application.id}"
    assert (application.candidate_id, application.offer_id, application.message) == (candidate.id, offer.id, "Motivée")


def test_propose_from_the_candidate_page(db, client, login_as, candidate, offer):
    login_as("prescriber")
    page = client.get(f"/candidats/{candidate.id}/proposer").get_data(as_text=True)
    assert f'<option value="{offer.id}">Coffreur bancheur' in page
    client.post(f"/candidats/{candidate.id}/proposer", data={"offer_id": offer.id})
    assert db.session.scalar(sa.select(Application.offer_id)) == offer.id


def test_propose_errors_are_shown_on_the_form(db, client, login_as, candidate, offer):
    offer.eligible_criteria = ["rqth"]
    db.session.commit()
    login_as("prescriber")
    response = client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": candidate.id})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "ne relève d&#39;aucun des publics attendus" in html and "Travailleur handicapé (RQTH)" in html
    response = client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": ""})
    assert response.status_code == 422 and "Choisissez le candidat à proposer." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_propose_to_an_offer_that_is_not_published_sends_back_with_the_reason(db, client, login_as, offer):
    offer.status = OfferStatus.CLOSED  # a filled one: test_propose_elsewhere.py
    db.session.commit()
    login_as("prescriber")
    response = client.get(f"/orienter/offres/{offer.id}", follow_redirects=True)
    assert "pas ouverte aux candidatures (statut : clôturée)" in response.get_data(as_text=True)


def test_prescriber_cannot_propose_another_organisations_candidate_by_url(db, client, login_as, offer, territory):
    stranger = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    db.session.commit()
    login_as("prescriber")
    assert client.get(f"/candidats/{stranger.id}/proposer").status_code == 403
    assert client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": stranger.id}).status_code == 403
    assert client.get("/candidats/999999/proposer").status_code == 404


# --- The application page -------------------------------------------------------------------------

def test_facilitator_page_shows_history_and_only_its_moves(client, login_as, make_application, personas):
    application = make_application(S.SUBMITTED)
    login_as("facilitator")
    html = client.get(f"/orientations/{application.id}").get_data(as_text=True)
    assert "Valider l&#39;éligibilité" in html and "Refuser la candidature" in html
    assert "Retirer la candidature" in html and "Enregistrer un entretien" not in html
    assert 'for="refused-refusal_reason"' in html and 'for="refused-comment"' in html
    assert "Proposition (proposée)" in html and personas["facilitator"].full_name in html


def test_prescriber_page_offers_withdrawal_only_and_hides_company_names(db, client, login_as, make_application,
                                                                        personas):
    application = make_application(S.INTERVIEW, path=[S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT])
    db.session.add(ApplicationEvent(application=application, from_status=S.SENT, to_status=S.INTERVIEW,
                                    actor_id=personas["company"].id, comment="Entretien lundi"))
    db.session.commit()
    login_as("prescriber")
    html = client.get(f"/orientations/{application.id}").get_data(as_text=True)
    assert "Retirer la candidature" in html and "Valider l&#39;éligibilité" not in html
    assert "<td>L'entreprise</td>" in html and "Entretien lundi" in html
    assert personas["company"].full_name not in html


def test_facilitator_moves_through_the_buttons(db, client, login_as, make_application):
    application = make_application(S.SUBMITTED)
    login_as("facilitator")
    response = client.post(f"/orientations/{application.id}/etat/validated", data={"validated-comment": "Pièces vues"},
                           follow_redirects=True)
    assert "Éligibilité validée pour cette candidature." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == S.VALIDATED
    assert db.session.get(Application, application.id).events[-1].comment == "Pièces vues"


def test_refusal_without_reason_shows_the_error_on_its_field(db, client, login_as, make_application):
    application = make_application(S.VALIDATED)
    login_as("facilitator")
    response = client.post(f"/orientations/{application.id}/etat/refused", data={"refused-comment": "Non"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="refused-refusal_reason-erreurs"' in html and "Choisissez le motif du refus." in html
    assert "<title>Erreur : " in html


def test_prescriber_withdraws(db, client, login_as, make_application):
    application = make_application(S.SENT)
    login_as("prescriber")
    client.post(f"/orientations/{application.id}/etat/withdrawn", data={"withdrawn-comment": "A trouvé un CDI"})
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == S.WITHDRAWN


def test_impossible_or_forbidden_moves_by_url(db, client, login_as, make_application):
    application = make_application(S.SUBMITTED)
    login_as("prescriber")
    assert client.post(f"/orientations/{application.id}/etat/validated").status_code == 403
    assert client.post(f"/orientations/{application.id}/etat/nimporte").status_code == 404
    login_as("facilitator")
    response = client.post(f"/orientations/{application.id}/etat/sent", follow_redirects=True)
    assert "ne peut pas passer à « Envoyée à l&#39;entreprise »" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Application, application.id).status == S.SUBMITTED


def test_other_prescriber_and_other_territory_get_403(db, client, login_as, make_application, territory):
    application = make_application(S.SUBMITTED)
    colleague_elsewhere = UserFactory(role=Role.PRESCRIBER, organisation=PrescriberFactory(territory=territory))
    db.session.commit()
    login_as(colleague_elsewhere)
    assert client.get(f"/orientations/{application.id}").status_code == 403
    login_as("company")  # the company uses its own restricted page
    assert client.get(f"/orientations/{application.id}").status_code == 403
