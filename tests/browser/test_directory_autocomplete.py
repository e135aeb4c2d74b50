"""The inclusion directory in Chromium: a structure's profile picks its trades (ROME codes) and
its communes with the same autocomplete as the offer form, added to the typed lists; the
directory search picks its commune like the job board."""
import re

import pytest
import sqlalchemy as sa
from browser_support import log_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

SLOW = 20_000  # ms: the first search builds the reference index in the server process


@pytest.fixture
def regie(db, territory, personas):
    from factories import CompanyFactory

    from clausematch.accounts.models import CompanyKind, TerritoryCommune

    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93066"))
    company = CompanyFactory(territory=territory, name="Régie de quartier du Landy", company_kind=CompanyKind.REGIE,
                             commune_insee="93066")
    db.session.commit()
    return company


def pick(page: Page, label: str, typed: str) -> None:
    """Type in an autocomplete box, go down to the first suggestion and pick it with Enter."""
    box = page.get_by_role("combobox", name=re.compile(label))
    box.click()
    page.keyboard.type(typed, delay=60)
    expect(page.get_by_role("listbox").get_by_role("option").first).to_be_visible(timeout=SLOW)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")


def test_profile_adds_rome_codes_and_communes_picked_in_the_referential(db, live_server, page: Page, personas,
                                                                       regie):
    from clausematch.directory.models import DirectoryProfile

    log_in(page, live_server, personas["facilitator"].email)
    page.goto(f"{live_server}/annuaire-inclusion/structures/{regie.id}/fiche")
    page.get_by_label("Activités").fill("Nettoyage des halls et petits travaux de peinture")
    codes = page.get_by_label("Codes ROME des métiers")
    codes.fill("K2204")  # typed, as without JavaScript
    pick(page, "Ajouter un métier", "peintre en bat")
    expect(codes).to_have_value(re.compile(r"^K2204, F16\d\d$"))
    expect(page.get_by_role("combobox", name=re.compile("Ajouter un métier"))).to_have_value("")
    expect(page.get_by_role("status").filter(has_text="ajouté")).to_contain_text("F16")
    pick(page, "Ajouter un métier", "agent de propre")  # K2204 again: not twice
    expect(page.get_by_role("status").filter(has_text="figure déjà")).to_be_visible()
    pick(page, "Ajouter une commune", "aubervill")
    expect(page.get_by_label("Communes desservies")).to_have_value(re.compile(r"^Aubervilliers \(93300\)$"))
    page.get_by_role("button", name="Enregistrer la fiche").click()
    expect(page.get_by_text("La fiche annuaire a été enregistrée.")).to_be_visible()

    profile = db.session.scalars(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == regie.id)).one()
    db.session.refresh(profile)
    saved = sorted(row.rome_code for row in profile.rome_codes)
    assert saved[0].startswith("F16") and saved[1] == "K2204" and len(saved) == 2
    assert [row.commune_insee for row in profile.communes] == ["93001"]


def test_directory_search_picks_its_commune_in_the_list(db, live_server, page: Page, personas, regie):
    from clausematch.directory import services

    services.save_profile(personas["facilitator"], regie.id, services.ProfileInput(
        activities="Nettoyage de locaux", rome_codes="K2204", contact_email="contact@regie-landy.fr",
        is_published=True))
    log_in(page, live_server, personas["prescriber"].email)
    page.goto(f"{live_server}/annuaire-inclusion")
    pick(page, "^Commune", "saint-den")
    commune = page.get_by_role("combobox", name=re.compile("^Commune"))
    expect(commune).to_have_value(re.compile(r"^Saint-Denis \(93"))
    page.get_by_role("button", name="Filtrer").click()
    expect(page).to_have_url(re.compile(r"commune=Saint-Denis"))
    expect(page.get_by_role("table")).to_contain_text("Régie de quartier du Landy")
    expect(page.get_by_role("table")).to_contain_text("les plus proches de Saint-Denis")
