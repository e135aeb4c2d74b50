"""A month of insertion hours in Chromium: a company user declares last month's hours in the grid
(a typing mistake first refused on its cell), a facilitator validates the lot-month and sees the
hours count on the lot's progress."""
import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from clausematch.contracts.figures import month_label
from clausematch.database import today
from clausematch.pathways.hours_rules import previous_month

pytestmark = pytest.mark.browser


@pytest.fixture
def hours_lot(db, personas, territory):
    """The persona company's lot (833 h objective) with two people under contract since 2025."""
    from factories import (CandidateInTerritoryFactory, ClauseFactory, ContractInTerritoryFactory,
                           EmploymentContractFactory, LotFactory)

    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, title="Gros œuvre", end_date=None)
    ClauseFactory(lot=lot, hours_objective=Decimal("833"))
    for first, last in (("Awa", "Diallo"), ("Binta", "Traoré")):
        candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name=first,
                                                last_name=last)
        EmploymentContractFactory(lot=lot, candidate=candidate, start_date=date(2025, 1, 6),
                                  planned_end_date=today().replace(year=today().year + 1))
    db.session.commit()
    return lot


def log_in(page: Page, base: str, email: str) -> None:
    from factories import TEST_PASSWORD

    page.context.clear_cookies()
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_company_declares_a_month_and_the_facilitator_validates_it(app, live_server, page: Page, personas,
                                                                  hours_lot):
    month = month_label(previous_month(today()))

    # The company user opens the grid: their only lot, last month.
    log_in(page, live_server, personas["company"].email)
    page.get_by_role("link", name="Heures d'insertion").click()
    expect(page.get_by_role("heading", level=2, name=re.compile(f"Gros œuvre : {month}"))).to_be_visible()
    page.get_by_label("Heures travaillées de Awa Diallo").fill("151,67")
    binta = page.get_by_label("Heures travaillées de Binta Traoré")
    binta.fill("300")
    page.get_by_role("button", name="Enregistrer les heures").click()

    # Refused on its cell, nothing saved, what was typed kept.
    expect(page.get_by_role("alert")).to_contain_text("aucune heure n'a été enregistrée")
    binta = page.get_by_label("Heures travaillées de Binta Traoré")
    expect(binta).to_have_attribute("aria-invalid", "true")
    expect(binta).to_have_accessible_description(re.compile("300 heures dépasse le maximum de 230 h par mois"))
    expect(page.get_by_label("Heures travaillées de Awa Diallo")).to_have_value("151,67")
    page.get_by_role("link", name=re.compile("Binta Traoré, heures travaillées")).click()
    expect(binta).to_be_focused()
    binta.fill("80")
    page.get_by_role("button", name="Enregistrer les heures").click()
    expect(page.get_by_text(f"Heures de {month} enregistrées (2 valeurs)")).to_be_visible()
    expect(page.get_by_label("Heures travaillées de Binta Traoré")).to_have_value("80")

    # A facilitator of the territory validates the lot-month from the queue.
    log_in(page, live_server, personas["facilitator"].email)
    page.get_by_role("link", name="Heures à valider").click()
    expect(page.get_by_role("heading", level=2)).to_have_text("2 déclarations en attente (231,67\u00a0h)")
    page.get_by_role("link", name=re.compile("lot .* Gros œuvre")).click()
    page.get_by_role("button", name="Valider les 2 déclarations en attente").click()
    expect(page.get_by_text(f"2 déclarations de {month} validées")).to_be_visible()

    # The lot's page now counts them against the objective.
    page.get_by_role("link", name="Avancement du lot").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuetext", "28\u00a0% de l'objectif")
    expect(page.get_by_role("row", name=re.compile(month))).to_contain_text("231,67")
