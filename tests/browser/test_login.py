"""Each demo account logs in through the real form in Chromium, lands on its role's home page,
and logs out; the skip link is the first thing the keyboard reaches."""
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "clausematch-demo"
HOME_HEADINGS = {
    "facilitateur": "Tableau de bord du facilitateur",
    "prescripteur": "Espace prescripteur",
    "entreprise": "Espace entreprise",
    "acheteur": "Espace acheteur public",
    "admin": "Administration",
}


def test_each_demo_account_logs_in_lands_on_its_home_and_logs_out(app, live_server, page: Page, subtests):
    from seeds.demo import seed_demo

    seed_demo()  # once for the five accounts: building the demo territory takes seconds
    for account, heading in HOME_HEADINGS.items():
        with subtests.test(msg=account):
            page.context.clear_cookies()  # a failed account must not leave the next one logged in
            page.goto(f"{live_server}/connexion")
            page.get_by_label("Adresse e-mail").fill(f"{account}@demo.clausematch.fr")
            page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Se connecter").click()

            expect(page.get_by_role("heading", level=1)).to_have_text(heading)

            page.get_by_role("button", name="Se déconnecter").click()
            expect(page).to_have_url(re.compile(r"/connexion$"))
            expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)


@pytest.mark.parametrize("path", ["/", "/connexion"])
def test_first_tab_focuses_the_skip_link(live_server, page: Page, path):
    page.goto(f"{live_server}{path}")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()


def test_skip_link_moves_focus_to_the_main_content(live_server, page: Page):
    page.goto(f"{live_server}/connexion")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#contenu")).to_be_focused()
