"""The prescriber's journey in Chromium: create a candidate (warned of a likely duplicate followed
by another organisation, without seeing it), propose them to an offer, then — once the guichet
has checked and sent the candidate — follow the state as the company records an interview."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from browser_support import log_in
from factories import (
    CandidateInTerritoryFactory,
    ContractInTerritoryFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
)
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(db, territory, personas):
    """A published offer of the persona company, and the same person already followed elsewhere."""
    contract = ContractInTerritoryFactory(buyer__territory=territory)
    lot = LotFactory(contract=contract, company=personas["company"].organisation)
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur", eligible_criteria=["deld"])
    elsewhere = PrescriberFactory(territory=territory, name="Association Voisine")
    CandidateInTerritoryFactory(prescriber=elsewhere, first_name="Hélène", last_name="Dupont-Martin",
                                name_key="dupont helene martin", birth_date=date(1988, 4, 2),
                                phone="07 98 76 54 32")
    db.session.commit()
    return offer


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))


def create_candidate(page: Page, server: str) -> None:
    page.goto(f"{server}/candidats/nouveau")
    page.get_by_label("La personne a donné son consentement").check()
    page.get_by_label("Prénom").fill("Helene")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Dupont Martin")
    page.get_by_label("Date de naissance").fill("1988-04-02")
    page.get_by_label("Femme").check()
    page.get_by_label("Niveau de formation").select_option(label="CAP, BEP (niveau 3)")
    page.get_by_label("Déclarer le critère : Demandeur d'emploi de longue durée (plus de 12 mois)").check()
    page.get_by_role("group", name="Demandeur d'emploi de longue durée (plus de 12 mois)") \
        .get_by_label("Justificatif vu").fill("Attestation France Travail")
    page.get_by_role("button", name="Enregistrer le candidat").click()


def guichet_checks_and_sends(db, personas, offer) -> None:
    """The facilitator's part, through the services: criterion validated, candidate shortlisted, sent."""
    from clausematch.applications import services
    from clausematch.applications.models import Application, ApplicationStatus
    from clausematch.candidates.validation import validate_criterion

    db.session.expire_all()
    application = db.session.scalars(sa.select(Application).where(Application.offer_id == offer.id)).one()
    facilitator = personas["facilitator"]
    validate_criterion(facilitator, application.candidate.criteria[0].id)
    for target in (ApplicationStatus.VALIDATED, ApplicationStatus.SHORTLISTED, ApplicationStatus.SENT):
        services.move(application.id, target, facilitator, "Vu en commission")


def test_prescriber_creates_proposes_and_follows_the_interview(db, personas, scene, live_server, page: Page):
    log_in(page, live_server, personas["prescriber"])
    create_candidate(page, live_server)

    warning = page.get_by_role("alert").filter(has_text="semble déjà suivie par une autre structure")
    expect(warning).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Association Voisine")
    expect(page.locator("main")).not_to_contain_text("07 98 76 54 32")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Helene")

    page.get_by_role("link", name="Proposer à une offre").click()
    page.get_by_role("combobox", name="Offre").select_option(value=str(scene.id))
    expect(page.get_by_role("combobox", name="Offre").locator("option:checked")).to_have_text(
        re.compile(rf"^Coffreur bancheur — {re.escape(scene.company.name)} — Saint-Denis \(93\d{{3}}\) — lot "
                   rf"{scene.lot.number} du marché .+ \(offre n° {scene.id}\)$"))
    page.get_by_label("Message à l'équipe de facilitation").fill("Motivée, disponible tout de suite.")
    page.get_by_role("button", name="Proposer la candidature").click()
    expect(page.get_by_role("status").filter(has_text="Candidature proposée")).to_be_visible()
    expect(page.locator(".chapo")).to_contain_text("Proposée")
    log_out(page)

    guichet_checks_and_sends(db, personas, scene)

    log_in(page, live_server, personas["company"])
    page.goto(f"{live_server}/entreprise/candidatures")
    page.get_by_role("link", name="Helene Dupont Martin").click()
    expect(page.locator("main")).not_to_contain_text("longue durée")
    # An interview after the proposal (made today) and less than a year ahead.
    page.get_by_label("Date de l'entretien").fill((date.today() + timedelta(days=7)).isoformat())
    page.get_by_role("button", name="Enregistrer un entretien").click()
    expect(page.get_by_role("status").filter(has_text="Entretien enregistré")).to_be_visible()
    log_out(page)

    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/candidats")
    page.get_by_role("link", name=re.compile("Helene")).first.click()
    row = page.get_by_role("row").filter(has_text="Coffreur bancheur")
    expect(row.get_by_role("cell", name="Entretien", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Notifications"))).to_contain_text("non lue")
