"""The shortlist journey in Chromium: a facilitator opens the suggested candidates of an offer,
reads why each is ranked, ticks one, sends the shortlist; the company then finds the candidate on
its candidatures page, without eligibility data."""
import re
from datetime import timedelta

import pytest
from browser_support import log_in
from factories import (
    CandidateInTerritoryFactory,
    ContractInTerritoryFactory,
    LotFactory,
    OfferInTerritoryFactory,
)
from playwright.sync_api import Page, expect

from clausematch.candidates.models import CandidateDesiredJob, EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.vocabulary import Criterion

pytestmark = pytest.mark.browser

MASON, CLEANER = 16250, 10571  # Maçon / Maçonne (F1703); Agent / Agente de propreté de locaux (K2204)


def person(prescriber, first_name: str, last_name: str, appellation: int, commune: str, mobility_km: int = 30):
    candidate = CandidateInTerritoryFactory(prescriber=prescriber, first_name=first_name, last_name=last_name,
                                            commune_insee=commune, mobility_km=mobility_km)
    candidate.desired_jobs.append(CandidateDesiredJob(appellation_code=appellation))
    candidate.criteria.append(EligibilityCriterion(
        criterion=Criterion.RSA, status=EligibilityStatus.VALIDATED, evidence="Attestation CAF",
        validated_at=utcnow(), valid_until=today() + timedelta(days=90)))
    return candidate


@pytest.fixture
def scene(db, territory, personas):
    """A published offer of the persona company at Saint-Denis, a maçon nearby (suggested), a
    cleaner (other job) and a maçon in Lille who does not travel that far (not suggested)."""
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur", eligible_criteria=["rsa"])
    prescriber = personas["prescriber"].organisation
    person(prescriber, "Awa", "Diallo", MASON, "93001")  # Aubervilliers, next door
    person(prescriber, "Bruno", "Lefort", CLEANER, "93066")
    person(prescriber, "Chloé", "Nord", MASON, "59350", mobility_km=10)  # Lille
    db.session.commit()
    return offer


def test_facilitator_ranks_shortlists_and_sends_then_the_company_sees_it(db, personas, scene, live_server,
                                                                         page: Page):
    log_in(page, live_server, personas["facilitator"])
    page.goto(f"{live_server}/gestion/offres/{scene.id}")
    page.get_by_role("link", name="Candidats suggérés").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidats suggérés pour l'offre « Coffreur bancheur »")

    table = page.get_by_role("table", name=re.compile("Candidats suggérés"))
    row = table.get_by_role("row").filter(has_text="Awa Diallo")
    expect(row).to_contain_text("Même métier : F1703 Maçonnerie")
    expect(row).to_contain_text("public éligible : RSA")
    expect(table).not_to_contain_text("Bruno")  # another job
    expect(table).not_to_contain_text("Chloé")  # farther than her mobility

    page.get_by_label("Ajouter Awa Diallo à la présélection").check()
    page.get_by_role("button", name="Ajouter à la présélection").click()
    added = "1 candidat ajouté à la présélection : Awa Diallo"
    expect(page.get_by_role("status").filter(has_text=added)).to_be_visible()
    shortlist = page.get_by_role("region", name="Présélection à envoyer à l'entreprise")
    expect(shortlist.get_by_role("link", name="Awa Diallo")).to_be_visible()

    page.get_by_role("button", name="Envoyer la présélection à l'entreprise").click()
    sent = "Présélection envoyée à l'entreprise : 1 candidature"
    expect(page.get_by_role("status").filter(has_text=sent)).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()

    log_in(page, live_server, personas["company"])
    page.goto(f"{live_server}/entreprise/candidatures")
    received = page.get_by_role("table")
    expect(received.get_by_role("link", name="Awa Diallo")).to_be_visible()
    expect(received).to_contain_text("Envoyée à l'entreprise")
    received.get_by_role("link", name="Awa Diallo").click()
    expect(page.locator("main")).not_to_contain_text("RSA")
