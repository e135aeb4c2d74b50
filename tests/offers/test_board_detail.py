"""The public page of an offer /offres/<id>, personal data kept off the board, and the pieces of
the board's search that can be checked without a page."""
import re
from datetime import timedelta
from html import unescape

import pytest
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.database import today, utcnow
from clausematch.offers.models import OfferStatus
from clausematch.offers.search import equirectangular_km, labelled_rome_code
from clausematch.referential.geo import haversine_km
from clausematch.web.offers.board import read_filters


@pytest.fixture
def offer(db):
    """A published offer: "Maçon / Maçonne" (F1703) in Saint-Denis, for DELD and RSA publics."""
    offer = OfferInTerritoryFactory(
        title="Maçon / Maçonne en rénovation", description="Chantier de réhabilitation.\nTravail en équipe.",
        skills="Lecture de plans", eligible_criteria=["deld", "rsa"], qpv_required=True,
        driving_licence_required=False, certificates_required="CACES R482", positions=2, weekly_hours=35,
        start_date=today() + timedelta(days=10), published_at=utcnow(), lot__company__name="Bâtisseurs de la Plaine")
    db.session.commit()
    return offer


def page_text(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\u00a0", " "))


def test_detail_shows_the_job_the_place_and_how_to_apply(client, offer):
    response = client.get(f"/offres/{offer.id}")

    assert response.status_code == 200
    text = page_text(response)
    for expected in ("Maçon / Maçonne en rénovation", "Bâtisseurs de la Plaine", "Saint-Denis (93200)",
                     "Code ROME F1703 — Maçonnerie", "Métier Maçon / Maçonne", "Type de contrat CDD",
                     "Durée hebdomadaire 35 h", "Nombre de postes 2", "Chantier de réhabilitation.",
                     "Lecture de plans", "Demandeur d'emploi de longue durée (plus de 12 mois)",
                     "Bénéficiaire du RSA", "Résidence dans un quartier prioritaire (QPV) Exigée",
                     "Permis de conduire Non exigé", "Certificats ou habilitations CACES R482",
                     "Comment candidater ?", "France Travail, mission locale, Cap Emploi, PLIE",
                     f"Donnez-lui la référence de l'offre : n° {offer.id}"):
        assert expected in text, expected
    assert "Bénéficiaire de l'AAH" not in text  # only the offer's publics


def test_detail_without_criteria_says_every_eligible_public(db, client, offer):
    offer.eligible_criteria = []
    db.session.commit()

    assert "ouvert à toutes les personnes éligibles à la clause" in page_text(client.get(f"/offres/{offer.id}"))


@pytest.mark.parametrize("status", [OfferStatus.DRAFT, OfferStatus.SUBMITTED, OfferStatus.FILLED,
                                    OfferStatus.CLOSED])
def test_detail_is_404_unless_published(db, client, offer, status):
    offer.status = status
    db.session.commit()

    response = client.get(f"/offres/{offer.id}")

    assert response.status_code == 404
    assert "Page introuvable" in page_text(response)


def test_detail_is_404_once_publication_is_over_or_for_unknown_ids(db, client, offer):
    offer.publication_end = today() - timedelta(days=1)
    db.session.commit()

    assert client.get(f"/offres/{offer.id}").status_code == 404
    assert client.get("/offres/999999").status_code == 404


def test_no_personal_data_on_the_board(db, client, offer):
    prescriber = PrescriberFactory(name="Mission locale de la Plaine")
    referent = UserFactory(role=Role.PRESCRIBER, full_name="Conseillère Vérane Marchal",
                           email="verane.marchal@exemple.fr", organisation=prescriber)
    author = UserFactory(role=Role.COMPANY, full_name="Gérant Octave Bellerose", organisation=offer.company)
    offer.created_by_id = author.id
    candidate = CandidateInTerritoryFactory(prescriber=prescriber, first_name="Ysaline", last_name="Tremouillac",
                                            email="ysaline.t@exemple.fr", phone="0612345678")
    ApplicationFactory(offer=offer, candidate=candidate, proposed_by_id=referent.id,
                       message="Ysaline a travaillé deux ans en maçonnerie")
    db.session.commit()

    pages = [client.get("/offres").get_data(as_text=True), client.get(f"/offres/{offer.id}").get_data(as_text=True),
             client.get("/offres?q=macon&commune=93066").get_data(as_text=True)]

    assert offer.title in pages[0] and offer.title in pages[2]
    for html in pages:
        for secret in ("Ysaline", "Tremouillac", "ysaline.t@", "0612345678", "Vérane", "Marchal",
                       "verane.marchal", "Octave", "Bellerose", "Mission locale de la Plaine"):
            assert secret not in unescape(html), secret


def test_read_filters_defaults_and_notices(app):
    filters, notices = read_filters({})
    assert (filters.q, filters.place, filters.radius_km, filters.page, notices) == ("", None, 30, 1, {})

    filters, notices = read_filters({"q": "  macon ", "commune": "93200", "rayon": "10 km", "type": "cdi",
                                     "secteur": "services", "page": "3"})
    assert (filters.q, filters.place.label, filters.radius_km, filters.contract_type, filters.sector.value,
            filters.page) == ("macon", "Saint-Denis (93200)", 10, "cdi", "services", 3)
    assert notices == {}
    assert filters.as_args() == {"q": "macon", "commune": "93200", "rayon": "10", "type": "cdi",
                                 "secteur": "services"}

    filters, notices = read_filters({"rayon": "101", "page": "-2", "q": "x" * 500})
    assert (filters.radius_km, filters.page, len(filters.q)) == (30, 1, 100)
    assert set(notices) == {"rayon"}


def test_an_autocomplete_label_or_a_rome_code_names_the_job_exactly():
    assert labelled_rome_code("Maçon / Maçonne (F1703 Maçonnerie)") == "F1703"
    assert labelled_rome_code(" k2204 ") == "K2204"
    assert labelled_rome_code("macon") is None
    assert labelled_rome_code("agent F1703 maçon") is None


@pytest.mark.parametrize(("lat", "lon", "km"), [
    (48.91461, 2.38179, 3), (45.76769, 4.83537, 399), (48.80052, 2.13038, 23), (49.9, 2.3, 107)])
def test_equirectangular_distance_stays_close_to_haversine(lat, lon, km):
    saint_denis = (48.93697, 2.35976)
    flat, exact = equirectangular_km(*saint_denis, lat, lon), haversine_km(*saint_denis, lat, lon)
    assert round(exact) == pytest.approx(km, abs=1)
    if exact <= 110:
        assert abs(flat - exact) / exact < 0.005
