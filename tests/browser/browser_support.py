"""What the browser journeys share: logging in as someone, from whatever state the page is in."""
from factories import TEST_PASSWORD
from playwright.sync_api import Page, expect


def log_in(page: Page, base: str, account, password: str = TEST_PASSWORD) -> None:
    """Log in as `account` (a User or an e-mail address) and wait for the logged-in page.

    Whoever was logged in on this page before is forgotten first. The previous page's own requests
    (scripts, icon) must be over before its cookies are cleared: a response arriving after
    clear_cookies() would set the old session cookie again (seen once: the second login landed
    on the first user's home page)."""
    email = getattr(account, "email", account)
    page.wait_for_load_state("networkidle")
    page.context.clear_cookies()
    page.goto(f"{base}/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
