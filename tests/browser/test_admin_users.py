"""An administrator finds a person in Chromium, deactivates their account with the keyboard, and
the person, logged in elsewhere, is sent to the login page at their next click, where a French
message tells them to ask the administrator."""
import re

import pytest
from browser_support import log_in
from factories import TEST_PASSWORD
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def test_an_admin_deactivates_a_user_who_is_logged_out_at_once(live_server, page: Page, browser: Browser,
                                                                personas):
    person = personas["prescriber"]
    their_context = browser.new_context()
    their_page = their_context.new_page()
    log_in(their_page, live_server, person.email)
    expect(their_page.get_by_role("heading", level=1)).to_have_text("Espace prescripteur")

    log_in(page, live_server, personas["admin"].email)
    page.get_by_role("link", name="Comptes", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Comptes et invitations")
    page.get_by_label("Nom ou adresse e-mail").fill(person.email)
    page.get_by_label("Rôle").select_option(label="Prescripteur")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("table")).to_contain_text("1 résultat")
    page.get_by_role("link", name=person.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Compte de {person.full_name}")

    button = page.get_by_role("button", name="Désactiver le compte")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(f"Le compte de {person.full_name} est désactivé")
    expect(page.get_by_role("table")).to_contain_text("Compte désactivé ; ses sessions ont été fermées")
    expect(page.get_by_role("button", name="Réactiver le compte")).to_be_visible()

    their_page.get_by_role("link", name="Mes candidats").click()
    expect(their_page).to_have_url(re.compile(r"/connexion"))
    their_page.get_by_label("Adresse e-mail").fill(person.email)
    their_page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    their_page.get_by_role("button", name="Se connecter").click()
    expect(their_page.get_by_role("alert")).to_contain_text("adressez-vous à l'administrateur de ClauseMatch")
    their_context.close()
