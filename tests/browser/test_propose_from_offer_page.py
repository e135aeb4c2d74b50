"""A logged-in prescriber on an offer's public page proposes one of their candidates from there
("Proposer un candidat"); an anonymous visitor reads how to be proposed instead. A facilitator
proposes a candidate of the territory from the offer's staff page the same way."""
import re

import pytest
import sqlalchemy as sa
from browser_support import log_in
from factories import CandidateInTerritoryFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(db, territory, personas):
    contract = ContractInTerritoryFactory(buyer__territory=territory)
    lot = LotFactory(contract=contract, company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Agent d'entretien de locaux", eligible_criteria=[])
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Awa",
                                            last_name="Diallo")
    db.session.commit()
    return offer, candidate


def test_prescriber_proposes_a_candidate_from_the_offer_page(db, personas, scene, live_server, page: Page):
    from clausematch.applications.models import Application

    offer, candidate = scene
    page.goto(f"{live_server}/offres/{offer.id}")
    expect(page.get_by_role("heading", name="Comment candidater ?")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Proposer un candidat"))).to_have_count(0)

    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/offres/{offer.id}")
    page.get_by_role("link", name=re.compile("^Proposer un candidat")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Agent d'entretien de locaux")
    page.get_by_role("combobox", name="Candidat").select_option(label=f"DIALLO Awa (n° {candidate.id})")
    page.get_by_label("Message à l'équipe de facilitation").fill("Disponible le matin.")
    page.get_by_role("button", name="Proposer la candidature").click()

    expect(page.get_by_role("status").filter(has_text="Candidature proposée")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidature de Awa Diallo")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Application.candidate_id).where(Application.offer_id == offer.id)).all() \
        == [candidate.id]


def test_facilitator_proposes_a_candidate_from_the_staff_offer_page(db, personas, scene, live_server, page: Page):
    from clausematch.applications.models import Application

    offer, candidate = scene
    log_in(page, live_server, personas["facilitator"])
    page.goto(f"{live_server}/gestion/offres/{offer.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agent d'entretien de locaux")
    page.get_by_role("link", name=re.compile("^Proposer un candidat")).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Agent d'entretien de locaux")
    page.get_by_role("combobox", name="Candidat").select_option(label=f"DIALLO Awa (n° {candidate.id})")
    page.get_by_role("button", name="Proposer la candidature").click()

    expect(page.get_by_role("status").filter(has_text="Candidature proposée")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidature de Awa Diallo")
    db.session.expire_all()
    proposed = db.session.execute(sa.select(Application.candidate_id, Application.proposed_by_id)
                                  .where(Application.offer_id == offer.id)).all()
    assert proposed == [(candidate.id, personas["facilitator"].id)]
