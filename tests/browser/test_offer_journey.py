"""An offer's journey in Chromium: a company user creates it, picking the job and the commune
with the autocomplete by keyboard, and submits it; a facilitator publishes it; a visitor finds
it on the public board by commune and radius."""
import re

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SLOW = 20_000  # ms: the first search builds the reference index in the server process


@pytest.fixture
def company_lot(db, personas, territory):
    from factories import ClauseFactory, ContractInTerritoryFactory, LotFactory

    from clausematch.accounts.models import TerritoryCommune

    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93066"))
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, title="Gros œuvre")
    ClauseFactory(lot=lot, eligible_criteria=["deld", "rsa"])
    db.session.commit()
    return lot


def pick_with_keyboard(page: Page, label: str, typed: str, expected: str) -> None:
    """Type in an autocomplete field, go down to the first suggestion and pick it with Enter."""
    field = page.get_by_role("combobox", name=re.compile(label))
    field.click()
    page.keyboard.type(typed, delay=60)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible(timeout=SLOW)
    expect(field).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="suggestion")).to_contain_text("disponible")
    page.keyboard.press("ArrowDown")
    expect(field).to_have_attribute("aria-activedescendant", re.compile(r"-suggestions-0$"))
    page.keyboard.press("Enter")
    expect(field).to_have_value(re.compile(expected))
    expect(field).to_have_attribute("aria-expanded", "false")


def test_offer_created_submitted_published_and_found_on_the_board(app, live_server, page: Page, personas,
                                                                 company_lot):
    # The company user writes the offer.
    log_in(page, live_server, personas["company"].email)
    page.get_by_role("link", name="Mes offres").click()
    page.get_by_role("link", name="Créer une offre").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle offre")
    pick_with_keyboard(page, "Métier", "maçon", r"^Maçon / Maçonne \(F1703")
    expect(page.locator("#appellation_code")).to_have_value("16250")
    page.get_by_label("Intitulé de l'offre").fill("Maçon coffreur (H/F) – groupe scolaire")
    pick_with_keyboard(page, "Commune du poste", "aubervil", r"^Aubervilliers \(93300\)$")
    expect(page.locator("#commune_insee")).to_have_value("93001")
    page.get_by_label("Type de contrat").select_option(label="CDD")
    page.get_by_label("Durée hebdomadaire (heures)").fill("35")
    expect(page.get_by_label("Bénéficiaire du RSA")).to_be_checked()  # from the lot's clause
    page.get_by_role("button", name="Enregistrer le brouillon").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Maçon coffreur (H/F) – groupe scolaire")
    expect(page.get_by_text("Offre enregistrée en brouillon")).to_be_visible()
    page.get_by_role("button", name="Soumettre à validation").click()
    expect(page.get_by_text("Offre soumise à validation")).to_be_visible()

    # A facilitator of the territory validates and publishes it.
    log_in(page, live_server, personas["facilitator"].email)
    page.get_by_role("link", name="Offres du territoire").click()
    page.get_by_role("link", name=re.compile("1 offre à valider")).click()
    page.get_by_role("link", name="Maçon coffreur (H/F) – groupe scolaire").click()
    page.get_by_role("button", name="Valider et publier").click()
    expect(page.get_by_text("Offre publiée")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="En attente de validation → Publiée")).to_contain_text(
        personas["facilitator"].full_name)

    # A visitor finds it around Saint-Denis (Aubervilliers is about 3 km away).
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{live_server}/offres?commune=Saint-Denis&rayon=10")
    results = page.locator("#resultats")
    expect(results.get_by_role("heading", level=2)).to_have_text("1 offre")
    expect(results).to_contain_text("Maçon coffreur (H/F) – groupe scolaire")
    expect(results).to_contain_text("Aubervilliers")


def test_autocomplete_escape_closes_then_clears_and_text_edits_forget_the_pick(app, live_server, page: Page,
                                                                              personas, company_lot):
    log_in(page, live_server, personas["company"].email)
    page.goto(f"{live_server}/gestion/offres/nouvelle")
    field = page.get_by_role("combobox", name=re.compile("Commune du poste"))
    expect(page.locator("#commune-suggestions")).to_have_attribute("aria-label", "Suggestions : Commune du poste")
    expect(page.locator("#commune-suggestions")).to_be_hidden()
    pick_with_keyboard(page, "Commune du poste", "saint-den", r"^Saint-Denis \(93")
    expect(page.locator("#commune_insee")).to_have_value("93066")
    page.keyboard.type("x")  # the text no longer names the commune picked
    expect(page.locator("#commune_insee")).to_have_value("")
    page.keyboard.press("Backspace")
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible(timeout=SLOW)
    page.keyboard.press("Escape")
    expect(field).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Escape")
    expect(field).to_have_value("")
