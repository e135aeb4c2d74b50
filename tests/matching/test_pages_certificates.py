"""Certificates on the matching pages: « Candidats suggérés » ranks the offer's trade holders of
its required certificates first with the reasons, lets the facilitator change them or require
them for this search (GET), refuses a typed fragment it cannot read with a French message on the
field (never a 500); « Offres suggérées » says what the candidate holds and lacks; bounded queries."""
import re
from html import unescape

import pytest
from matching_app_support import candidate, offer_of

from clausematch.matching import services

FORKLIFT = 11679  # "Cariste", N1101
MEAUX, SAINT_DENIS = "77284", "93066"


def page_text(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.get_data(as_text=True)))


@pytest.fixture
def offer(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, title="Cariste", appellation_code=FORKLIFT,
                     rome_code="N1101", certificates_required="CACES R489 cat. 3",
                     required_certificates=["caces-r489-3"])
    db.session.commit()
    return offer


@pytest.fixture
def people(db, personas):
    prescriber = personas["prescriber"].organisation
    neighbour = candidate(prescriber, appellations=(FORKLIFT,), first_name="Voisin", last_name="Sanscaces",
                          commune_insee=SAINT_DENIS, certificate_codes=["caces-r489-1a"])
    holder = candidate(prescriber, appellations=(FORKLIFT,), first_name="Titulaire", last_name="Loin",
                       commune_insee=MEAUX, mobility_km=60, certificate_codes=["caces-r489-3"])
    db.session.commit()
    return neighbour, holder


def url(offer, query="") -> str:
    return f"/gestion/offres/{offer.id}/candidats-suggeres" + (f"?{query}" if query else "")


def order(text: str, *names: str) -> list[int]:
    return [text.index(name) for name in names]


def test_the_holder_far_away_ranks_first_with_the_reasons(db, client, login_as, offer, people):
    login_as("facilitator")
    response = client.get(url(offer))
    assert response.status_code == 200
    text = page_text(response)
    holder_at, neighbour_at = order(text, "Titulaire Loin", "Voisin Sanscaces")
    assert holder_at < neighbour_at
    assert "CACES R489 cat. 3 : détenu" in text[holder_at:neighbour_at]
    assert "manque : CACES R489 cat. 3 (détient cat. 1A)" in text[neighbour_at:]
    # The search's certificates start from the offer's.
    assert re.search(r'id="certificats" name="certificats" type="text" value="CACES R489 cat. 3"', text)


def test_require_mode_leaves_out_the_candidates_lacking_one(db, client, login_as, offer, people):
    login_as("facilitator")
    text = page_text(client.get(url(offer, "mode_certificats=exiger")))
    assert "Titulaire Loin" in text and "Voisin Sanscaces" not in text
    assert '<option selected value="exiger">' in text


def test_the_facilitator_changes_the_certificates_of_this_search(db, client, login_as, offer, people):
    login_as("facilitator")
    none = page_text(client.get(url(offer, "certificats=")))  # none required: the nearest first
    assert none.index("Voisin Sanscaces") < none.index("Titulaire Loin")
    assert "manque :" not in none
    other = page_text(client.get(url(offer, "certificats=caces+1a&mode_certificats=exiger")))
    assert "Voisin Sanscaces" in other and "Titulaire Loin" not in other
    assert "CACES R489 cat. 1A : détenu" in other


def test_an_unreadable_certificate_is_a_field_error_and_the_offer_s_own_apply(db, client, login_as, offer, people):
    login_as("facilitator")
    response = client.get(url(offer, "certificats=caces+a%2C+zzz"))
    assert response.status_code == 200
    text = page_text(response)
    assert "« caces a » peut désigner plusieurs certificats : précisez CACES R482 cat. A ou CACES R486 cat. A." in text
    assert "« zzz » n'est pas un certificat connu" in text
    assert text.index("Titulaire Loin") < text.index("Voisin Sanscaces")


def test_the_shortlist_keeps_the_certificate_filters_in_its_return_address(db, client, login_as, offer, people):
    login_as("facilitator")
    response = client.post(f"/gestion/offres/{offer.id}/preselection?certificats=sst&mode_certificats=exiger",
                           data={"candidate_ids": []})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "certificats=sst" in location and "mode_certificats=exiger" in location


def test_suggested_offers_say_what_the_candidate_holds_and_lacks(db, client, login_as, personas, territory, offer,
                                                                  people):
    neighbour, holder = people
    offer_of(personas["company"].organisation, territory, title="Cariste amiante", appellation_code=FORKLIFT,
             rome_code="N1101", certificates_required="SS4 amiante", required_certificates=["ss4"])
    db.session.commit()
    login_as("prescriber")
    text = page_text(client.get(f"/candidats/{holder.id}/offres-suggerees"))
    assert "CACES R489 cat. 3 : détenu" in text and "manque : SS4 amiante" in text
    # The offer they can take comes first.
    assert text.index("CACES R489 cat. 3 : détenu") < text.index("manque : SS4 amiante")


def test_the_page_runs_the_same_bounded_queries_with_certificates(db, count_queries, client, login_as, personas,
                                                                  offer):
    prescriber = personas["prescriber"].organisation
    login_as("facilitator")
    counts = []
    for n in (2, 12):
        while len(list(services.feed.candidate_profiles())) < n:
            candidate(prescriber, appellations=(FORKLIFT,), certificate_codes=["caces-r489-3", "sst"])
        db.session.commit()
        services.rebuild_index()
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(url(offer, "nombre=50&certificats=caces+3%2C+sst&mode_certificats=exiger"))
        assert page_text(response).count("CACES R489 cat. 3 : détenu") == n
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 11
