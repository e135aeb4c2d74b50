"""Certificates in Chromium: an offer requiring a CACES R489 cat. 3; on « Candidats suggérés » the
holder 38 km away ranks first, with « CACES R489 cat. 3 : détenu », above the same-trade neighbour
who only holds cat. 1A (the near miss named); « Exiger » leaves the neighbour out, a typed
certificate the page cannot read is explained on its field."""
import re
from datetime import timedelta

import pytest
from browser_support import log_in
from factories import CandidateInTerritoryFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory
from playwright.sync_api import Page, expect

from clausematch.candidates.models import CandidateDesiredJob, EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.vocabulary import Criterion

pytestmark = pytest.mark.browser

FORKLIFT = 11679  # Cariste (N1101)


def person(prescriber, first_name, last_name, commune, codes, mobility_km=30):
    candidate = CandidateInTerritoryFactory(prescriber=prescriber, first_name=first_name, last_name=last_name,
                                            commune_insee=commune, mobility_km=mobility_km,
                                            certificate_codes=codes)
    candidate.desired_jobs.append(CandidateDesiredJob(appellation_code=FORKLIFT))
    candidate.criteria.append(EligibilityCriterion(
        criterion=Criterion.RSA, status=EligibilityStatus.VALIDATED, evidence="Attestation CAF",
        validated_at=utcnow(), valid_until=today() + timedelta(days=90)))
    return candidate


@pytest.fixture
def offer(db, territory, personas):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Cariste", appellation_code=FORKLIFT, rome_code="N1101",
                                    certificates_required="CACES R489 cat. 3", required_certificates=["caces-r489-3"])
    prescriber = personas["prescriber"].organisation
    person(prescriber, "Victor", "Voisin", "93066", ["caces-r489-1a"])  # Saint-Denis, next door
    person(prescriber, "Thelma", "Titulaire", "77284", ["caces-r489-3"], mobility_km=60)  # Meaux, 38 km
    db.session.commit()
    return offer


def test_the_caces_holder_ranks_first_with_the_reason_then_require_mode(db, personas, offer, live_server,
                                                                        page: Page):
    log_in(page, live_server, personas["facilitator"])
    page.goto(f"{live_server}/gestion/offres/{offer.id}")
    expect(page.locator("main")).to_contain_text("CACES R489 cat. 3")
    page.get_by_role("link", name="Candidats suggérés").click()
    expect(page.get_by_label("Certificats requis pour cette recherche")).to_have_value("CACES R489 cat. 3")

    table = page.get_by_role("table", name=re.compile("Candidats suggérés"))
    rows = table.get_by_role("row")
    expect(rows).to_have_count(3)  # heading + two candidates
    expect(rows.nth(1)).to_contain_text("Thelma Titulaire")
    expect(rows.nth(1)).to_contain_text("CACES R489 cat. 3 : détenu")
    expect(rows.nth(1)).to_contain_text("à 38 km")
    expect(rows.nth(2)).to_contain_text("Victor Voisin")
    expect(rows.nth(2)).to_contain_text("manque : CACES R489 cat. 3 (détient cat. 1A)")

    page.get_by_label("Candidats à qui il en manque un").select_option("exiger")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"mode_certificats=exiger"))
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("Thelma Titulaire")
    expect(table).not_to_contain_text("Victor")

    page.get_by_label("Certificats requis pour cette recherche").fill("caces a")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.locator("main")).to_contain_text(
        "« caces a » peut désigner plusieurs certificats : précisez CACES R482 cat. A ou CACES R486 cat. A.")
