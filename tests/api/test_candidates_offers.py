"""Offers (public) and a prescriber's candidates through the API: the services' rules and the
pages' predicates, pagination, idempotency keys, rate limits."""
from datetime import date, timedelta

import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, OfferInTerritoryFactory, PrescriberFactory

from clausematch.api.models import IdempotencyKey
from clausematch.candidates.models import Candidate
from clausematch.offers.models import OfferStatus

NEW = {"prenom": "Awa", "nom": "Diallo", "date_naissance": "1992-04-03", "genre": "f", "niveau_etudes": "bac",
       "commune_insee": "93066",
       "consentement": {"donne": True, "date": date.today().isoformat(), "finalites": "Accompagnement"}}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_offers_are_public_paginated_and_drafts_are_404(db, client, personas):
    published = OfferInTerritoryFactory.create_batch(3)
    draft = OfferInTerritoryFactory(status=OfferStatus.DRAFT)
    db.session.commit()
    page = client.get("/api/v1/offres?par_page=2")
    assert page.status_code == 200
    assert (page.json["total"], page.json["pages"], len(page.json["elements"])) == (3, 2, 2)
    assert client.get("/api/v1/offres?par_page=2&page=2").json["elements"][0]["id"] in {o.id for o in published}
    assert client.get(f"/api/v1/offres/{published[0].id}").json["titre"] == published[0].title
    assert client.get(f"/api/v1/offres/{draft.id}").status_code == 404
    refused = client.get("/api/v1/offres?par_page=500")
    assert refused.status_code == 422
    assert refused.json["erreur"]["champs"]["par_page"] == ["Valeur hors des limites permises (1 à 100)."]
    assert client.get("/api/v1/offres?type=nimporte").json["erreur"]["champs"]["type"] == ["Valeur non reconnue."]


def test_offer_list_runs_a_bounded_number_of_queries(db, client, count_queries):
    OfferInTerritoryFactory.create_batch(3)
    db.session.commit()
    with count_queries() as few:
        client.get("/api/v1/offres")
    OfferInTerritoryFactory.create_batch(10)
    db.session.commit()
    with count_queries() as more:
        assert len(client.get("/api/v1/offres").json["elements"]) == 13
    assert len(more) == len(few)


def test_prescriber_creates_reads_lists_and_updates_own_candidate(db, api, personas):
    prescriber = api("prescriber")
    created = prescriber.post("/api/v1/candidats", json=NEW)
    assert created.status_code == 201, created.json
    candidate_id, version = created.json["id"], created.json["version"]
    candidate = db.session.get(Candidate, candidate_id)
    assert candidate.prescriber_id == personas["prescriber"].organisation.id and len(candidate.consents) == 1
    assert prescriber.get(f"/api/v1/candidats/{candidate_id}").json["nom"] == "Diallo"
    listed = prescriber.get("/api/v1/candidats").json
    assert [line["id"] for line in listed["elements"]] == [candidate_id] and listed["total"] == 1
    updated = prescriber.patch(f"/api/v1/candidats/{candidate_id}",
                               json={"version": version, "telephone": "0612345678"})
    assert updated.status_code == 200, updated.json
    assert updated.json["telephone"] and updated.json["version"] == version + 1
    stale = prescriber.patch(f"/api/v1/candidats/{candidate_id}", json={"version": version, "prenom": "Aïssata"})
    assert stale.status_code == 409 and stale.json["erreur"]["code"] == "conflit"
    db.session.expire_all()
    assert db.session.get(Candidate, candidate_id).first_name == "Awa"


def test_creation_without_consent_or_with_bad_values_is_refused_in_french_and_saves_nothing(db, api):
    prescriber = api("prescriber")
    no_consent = prescriber.post("/api/v1/candidats", json={**NEW, "consentement": {**NEW["consentement"],
                                                                                    "donne": False}})
    assert no_consent.status_code == 422
    assert "consentement" in no_consent.json["erreur"]["champs"]
    assert "consentement" in no_consent.json["erreur"]["message"]
    missing = prescriber.post("/api/v1/candidats", json={"prenom": "A"})
    assert missing.status_code == 422
    assert missing.json["erreur"]["champs"]["nom"] == ["Champ obligatoire."]
    future = prescriber.post("/api/v1/candidats", json={**NEW, "date_naissance": (date.today() + timedelta(days=3))
                                                        .isoformat()})
    assert future.status_code == 422 and "date_naissance" in future.json["erreur"]["champs"]
    assert count(db, Candidate) == 0


def test_other_organisation_candidate_is_403_missing_is_404_and_company_token_403(db, api, personas, territory):
    other = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    db.session.commit()
    assert api("prescriber").get(f"/api/v1/candidats/{other.id}").status_code == 403
    assert api("prescriber").patch(f"/api/v1/candidats/{other.id}", json={"version": 1}).status_code == 403
    assert api("prescriber").get("/api/v1/candidats/999999").status_code == 404
    assert api("company").get(f"/api/v1/candidats/{other.id}").status_code == 403
    assert api("company").post("/api/v1/candidats", json=NEW).status_code == 403
    assert count(db, Candidate) == 1


def test_idempotency_key_replays_the_same_answer_and_refuses_another_body(db, api):
    prescriber = api("prescriber")
    headers = {"Idempotency-Key": "creation-42"}
    first = prescriber.post("/api/v1/candidats", json=NEW, headers=headers)
    again = prescriber.post("/api/v1/candidats", json=NEW, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert count(db, Candidate) == 1
    other = prescriber.post("/api/v1/candidats", json={**NEW, "prenom": "Binta"}, headers=headers)
    assert other.status_code == 409 and "autre requête" in other.json["erreur"]["message"]
    # A refused request frees its key: the corrected one goes through with it.
    refused = prescriber.post("/api/v1/candidats", json={**NEW, "genre": "?"}, headers={"Idempotency-Key": "k2"})
    assert refused.status_code == 422
    assert prescriber.post("/api/v1/candidats", json={**NEW, "nom": "Sow"},
                           headers={"Idempotency-Key": "k2"}).status_code == 201
    assert count(db, IdempotencyKey) == 2


def test_rate_limit_is_per_token(app, db, api, client, personas):
    app.config.update(API_RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    prescriber = api("prescriber")
    statuses = [prescriber.get("/api/v1/candidats").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = prescriber.get("/api/v1/candidats")
    assert limited.json["erreur"]["code"] == "trop_de_requetes" and int(limited.headers["Retry-After"]) >= 1
    # Another token of the same organisation has its own count.
    from clausematch.api import tokens
    _, secret = tokens.create_token(None, personas["prescriber"].organisation.id, "Autre", ["candidates:read"])
    assert client.get("/api/v1/candidats", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert api("prescriber").get("/api/v1/offres").status_code == 200  # public, no token counted
