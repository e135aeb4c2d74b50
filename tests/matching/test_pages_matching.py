"""The matching pages: suggested candidates with filters and the shortlist (facilitator), suggested
offers with "Proposer" (prescriber), the ranking model page; who may open them; bounded queries
and no rebuild of the index by a page."""
import re
from html import unescape

import pytest
from factories import FacilitatorTeamFactory, PrescriberFactory, UserFactory
from matching_app_support import AUBERVILLIERS, LILLE, candidate, offer_of

from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.matching import services, training
from clausematch.matching.models import MatchingModel
from clausematch.offers.models import OfferStatus

S = ApplicationStatus


@pytest.fixture
def offer(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, title="Maçon VRD")
    db.session.commit()
    return offer


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


def suggestions_url(offer, **args) -> str:
    query = "&".join(f"{key}={value}" for key, value in args.items())
    return f"/gestion/offres/{offer.id}/candidats-suggeres" + (f"?{query}" if query else "")


def test_facilitator_sees_ranked_candidates_with_reasons_and_checkboxes(db, client, login_as, personas, offer):
    prescriber = personas["prescriber"].organisation
    candidate(prescriber, first_name="Awa", last_name="Diallo", commune_insee=AUBERVILLIERS)
    db.session.commit()
    login_as("facilitator")
    response = client.get(suggestions_url(offer))
    assert response.status_code == 200
    text = page_text(response)
    assert "<h1>Candidats suggérés pour l'offre « Maçon VRD »</h1>" in text
    assert "Awa Diallo" in text and "Même métier : F1703 Maçonnerie" in text and "à 3 km" in text
    assert re.search(r'<label for="preselection-\d+" class="choix__libelle">Ajouter<span class="visuellement-cache"> '
                     r"Awa Diallo</span> à la présélection</label>", text)
    assert '<label for="distance" class="champ__libelle">Distance maximale' in text


def test_offer_page_links_to_the_suggestions_for_facilitators_only(db, client, login_as, offer):
    login_as("facilitator")
    assert suggestions_url(offer) in client.get(f"/gestion/offres/{offer.id}").get_data(as_text=True)
    login_as("company")
    assert suggestions_url(offer) not in client.get(f"/gestion/offres/{offer.id}").get_data(as_text=True)


def test_filters_come_from_the_query_string_and_bad_values_are_ignored(db, client, login_as, personas, offer):
    prescriber = personas["prescriber"].organisation
    candidate(prescriber, first_name="Proche", commune_insee=AUBERVILLIERS)
    candidate(prescriber, first_name="Lointain", commune_insee=LILLE, mobility_km=200)
    db.session.commit()
    login_as("facilitator")
    near_only = page_text(client.get(suggestions_url(offer, distance=10)))
    assert "Proche" in near_only and "Lointain" not in near_only
    assert '<option selected value="10">10 km</option>' in near_only
    everyone = page_text(client.get(suggestions_url(offer, distance="abc", nombre="9999")))
    assert "Proche" in everyone and "Lointain" in everyone


def test_the_page_reads_the_index_without_rebuilding_it_in_bounded_queries(db, count_queries, client, login_as,
                                                                          personas, offer):
    prescriber = personas["prescriber"].organisation
    login_as("facilitator")
    counts = []
    for n in (2, 12):
        while len(list(services.feed.candidate_profiles())) < n:
            candidate(prescriber)
        db.session.commit()
        services.rebuild_index()  # the nightly job's part, outside the page
        builds = services.holder().builds
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(suggestions_url(offer, nombre=50))
        assert response.status_code == 200
        assert page_text(response).count("à la présélection</label>") == n
        assert services.holder().builds == builds  # the page never rebuilt the index
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 11  # 11: one is the change log's query


def test_shortlist_then_send_through_the_pages(db, client, login_as, personas, offer):
    prescriber_user = personas["prescriber"]
    awa = candidate(prescriber_user.organisation, first_name="Awa", last_name="Diallo", referent_id=prescriber_user.id)
    nono = candidate(prescriber_user.organisation, first_name="Nono", last_name="Critère", criteria=())
    db.session.commit()
    login_as("facilitator")

    response = client.post(f"/gestion/offres/{offer.id}/preselection?distance=30&nombre=20",
                           data={"candidate_ids": [awa.id, nono.id]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/gestion/offres/{offer.id}/candidats-suggeres?distance=30")
    text = page_text(client.get(response.headers["Location"]))
    assert "1 candidat ajouté à la présélection : Awa Diallo." in text
    assert "Non ajouté — Nono Critère : Aucun critère d'éligibilité de ce candidat n'est validé" in text
    assert "Présélection à envoyer à l'entreprise" in text and "Awa Diallo</a> (" in text

    response = client.post(f"/gestion/offres/{offer.id}/preselection/envoyer", follow_redirects=True)
    assert "Présélection envoyée à l'entreprise : 1 candidature." in page_text(response)
    application = db.session.query(Application).one()
    db.session.refresh(application)
    assert application.status == S.SENT and application.candidate_id == awa.id

    login_as("company")
    received = page_text(client.get("/entreprise/candidatures"))
    assert "Awa Diallo" in received and "Nono" not in received


def test_empty_selection_is_refused_with_a_message(db, client, login_as, offer):
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/preselection", follow_redirects=True)
    assert "Cochez au moins un candidat à ajouter à la présélection." in page_text(response)
    response = client.post(f"/gestion/offres/{offer.id}/preselection/envoyer", follow_redirects=True)
    assert "Aucune candidature présélectionnée à envoyer pour cette offre." in page_text(response)


def test_prescriber_sees_suggested_offers_and_proposes_with_the_offer_chosen(db, client, login_as, personas, offer):
    person = candidate(personas["prescriber"].organisation, first_name="Awa", last_name="Diallo")
    db.session.commit()
    login_as("prescriber")
    assert f"/candidats/{person.id}/offres-suggerees" in client.get(f"/candidats/{person.id}").get_data(as_text=True)
    text = page_text(client.get(f"/candidats/{person.id}/offres-suggerees"))
    assert "<h1>Offres suggérées pour Awa Diallo</h1>" in text
    assert "Maçon VRD" in text and "Même métier : F1703 Maçonnerie" in text
    link = re.search(r'href="(/candidats/\d+/proposer\?[^"]+)"', text).group(1)
    assert f"offre={offer.id}" in link
    form = page_text(client.get(link))
    assert re.search(rf'<option selected value="{offer.id}">Maçon VRD', form)


def test_unavailable_candidate_is_told_why_there_is_nothing(db, client, login_as, personas, offer):
    person = candidate(personas["prescriber"].organisation, available=False)
    db.session.commit()
    login_as("prescriber")
    text = page_text(client.get(f"/candidats/{person.id}/offres-suggerees"))
    assert "est indiqué(e) comme non disponible : aucune offre n'est suggérée" in text


def test_model_page_shows_fixed_weights_then_a_learnt_model(db, client, login_as, personas):
    login_as("facilitator")
    text = page_text(client.get("/rapprochement/modele"))
    assert "<strong>Pondérations fixes</strong>" in text and "Aucun modèle appris pour l'instant." in text
    assert "<dt>Même métier (code ROME)</dt><dd>50 %</dd>" in text.replace("\u00a0", " ")
    db.session.add(MatchingModel(
        algorithm="logistic_regression", samples=60, beats_fixed_weights=True, is_active=True,
        parameters={"feature_names": ["same_code"], "coefficients": [1.5], "intercept": 0.0},
        metrics={"auc": {"model": 0.93, "fixed": 0.41}, "ndcg": {"model": 0.97, "fixed": 0.7}, "held_out": 18}))
    db.session.commit()
    text = page_text(client.get("/rapprochement/modele"))
    assert "<strong>Modèle appris</strong>" in text and "Évaluation sur 18 résultats mis de côté" in text
    assert "<td>0,93</td><td>0,41</td>" in text and "0,93 / 0,41" in text


def test_retrain_button_runs_the_training(db, client, login_as, monkeypatch):
    called = []

    def fake(actor=None):
        called.append(actor.id)
        return training.TrainingOutcome(None, "Pas assez de résultats pour apprendre : 0 embauche(s).")

    monkeypatch.setattr(training, "train_and_store", fake)
    user = login_as("facilitator")
    response = client.post("/rapprochement/modele/entrainer", follow_redirects=True)
    assert called == [user.id]
    assert "Pas assez de résultats pour apprendre : 0 embauche(s)." in page_text(response)


# --- Who may open what (the access matrix has the rows; these add the cases it does not build) ----

@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_facilitator_pages_are_refused_to_other_roles(db, client, login_as, offer, role):
    login_as(role)
    for method, url in (("GET", suggestions_url(offer)), ("POST", f"/gestion/offres/{offer.id}/preselection"),
                        ("POST", f"/gestion/offres/{offer.id}/preselection/envoyer"),
                        ("GET", "/rapprochement/modele"), ("POST", "/rapprochement/modele/entrainer")):
        assert client.open(url, method=method).status_code == 403, url


def test_facilitator_of_another_territory_is_refused_and_missing_offers_are_404(db, client, login_as, offer):
    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory())
    db.session.commit()
    login_as(stranger)
    assert client.get(suggestions_url(offer)).status_code == 403
    assert client.post(f"/gestion/offres/{offer.id}/preselection").status_code == 403
    assert client.get("/gestion/offres/999999/candidats-suggeres").status_code == 404


def test_suggested_offers_are_refused_to_another_organisation(db, client, login_as, personas, offer):
    person = candidate(personas["prescriber"].organisation)
    other = UserFactory(role=Role.PRESCRIBER,
                        organisation=PrescriberFactory(territory=personas["prescriber"].organisation.territory))
    db.session.commit()
    login_as(other)
    assert client.get(f"/candidats/{person.id}/offres-suggerees").status_code == 403
    assert client.get("/candidats/999999/offres-suggerees").status_code == 404
    login_as("facilitator")
    assert client.get(f"/candidats/{person.id}/offres-suggerees").status_code == 403


def test_shortlist_lists_every_refusal_at_the_first_submit(db, client, login_as, offer):
    """The form's own refusal (a selection that cannot be read) and the service's (an offer that is
    not published) on one submit: both said, nothing shortlisted."""
    offer.status = OfferStatus.DRAFT
    db.session.commit()
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/preselection", data={"candidate_ids": ["abc"]},
                           follow_redirects=True)
    text = page_text(response)
    assert "La sélection n'a pas pu être lue" in text and "L'offre n'est pas publiée" in text
    response = client.post(f"/gestion/offres/{offer.id}/preselection", follow_redirects=True)
    text = page_text(response)
    assert "Cochez au moins un candidat" in text and "L'offre n'est pas publiée" in text
    assert db.session.query(Application).count() == 0
