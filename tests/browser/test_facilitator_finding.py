"""A facilitator finds a person whose name they misspell, then narrows the eligibility queue to
one criterion and one name: in Chromium, from the dashboard, filters kept in the address."""
import re
from datetime import date, timedelta

import pytest
from browser_support import log_in
from factories import CandidateInTerritoryFactory, PrescriberFactory
from playwright.sync_api import Page, expect

from clausematch.candidates.models import EligibilityCriterion
from clausematch.database import utcnow
from clausematch.vocabulary import Criterion

pytestmark = pytest.mark.browser


@pytest.fixture
def people(db, territory, personas):
    elsewhere = PrescriberFactory(territory=territory, name="Mission locale Voisine")
    aminata = CandidateInTerritoryFactory(prescriber=elsewhere, first_name="Aminata", last_name="Diallo",
                                          birth_date=date(1994, 6, 15))
    CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Fatou", last_name="Diarra")
    benoit = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Benoît",
                                         last_name="Martin")
    aminata.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation CAF",
                                                 declared_at=utcnow() - timedelta(days=40)))
    benoit.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation CAF",
                                                declared_at=utcnow() - timedelta(days=50)))
    benoit.criteria.append(EligibilityCriterion(criterion=Criterion.DELD, evidence="Attestation France Travail",
                                                declared_at=utcnow() - timedelta(days=45)))
    db.session.commit()
    return aminata


def test_facilitator_finds_a_misspelt_name_and_filters_the_queue(page: Page, live_server, personas, people):
    log_in(page, live_server, personas["facilitator"])

    # The dashboard's "Candidats" figure leads to the search of people.
    page.get_by_role("link", name=re.compile(r"^Candidats : 3, voir la liste")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rechercher une personne")
    page.get_by_label("Nom ou prénom").fill("Dialo")
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"nom=Dialo"))
    results = page.get_by_role("table")
    expect(page.get_by_role("status")).to_have_text("1 candidat")
    expect(results.get_by_role("row")).to_have_count(2)  # heading row + Aminata Diallo
    expect(results).to_contain_text("15/06/1994")
    expect(results).to_contain_text("Mission locale Voisine")
    results.get_by_role("link", name="DIALLO Aminata").click()
    expect(page).to_have_url(re.compile(rf"/candidats/{people.id}$"))

    # The eligibility queue: RSA only, then one name; the reset link clears both.
    page.get_by_role("link", name="Éligibilités", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("3 critères à valider")
    page.get_by_label("Critère", exact=True).select_option(label="Bénéficiaire du RSA")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_have_text("2 critères à valider")
    page.get_by_label("Nom ou prénom du candidat").fill("benoit")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("status")).to_have_text("1 critère à valider")
    expect(page).to_have_url(re.compile(r"critere=rsa.*nom=benoit|nom=benoit.*critere=rsa"))
    expect(page.get_by_role("table")).to_contain_text("MARTIN Benoît")
    expect(page.get_by_label("Critère", exact=True)).to_have_value("rsa")  # the form shows the filters in force
    page.get_by_role("link", name="Effacer les filtres").click()
    expect(page.get_by_role("status")).to_have_text("3 critères à valider")
