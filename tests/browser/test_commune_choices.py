"""A person types a commune without picking it from the list (issue 12: "Zzzzville" was saved as
Ozeville, a far commune): the form refuses it on the field with the closest communes, keeps what
was typed, and saves the commune once it is named without doubt."""
import re

import pytest
import sqlalchemy as sa
from browser_support import log_in
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def fill_person(page: Page) -> None:
    page.get_by_label("La personne a donné son consentement").check()
    page.get_by_label("Prénom").fill("Awa")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Traoré")
    page.get_by_label("Date de naissance").fill("1994-06-12")
    page.get_by_label("Femme").check()
    page.get_by_label("Niveau de formation").select_option(label="CAP, BEP (niveau 3)")
    page.get_by_label("Déclarer le critère : Bénéficiaire du RSA").check()
    page.get_by_role("group", name="Bénéficiaire du RSA").get_by_label("Justificatif vu").fill("Attestation CAF")


def test_a_commune_typed_without_picking_gets_the_choices(db, personas, live_server, page: Page):
    from clausematch.candidates.models import Candidate

    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/candidats/nouveau")
    fill_person(page)
    commune = page.get_by_role("combobox", name="Commune de résidence")
    commune.fill("Aubervilier")  # a typo, and no suggestion picked
    commune.press("Tab")
    page.get_by_role("button", name="Enregistrer le candidat").click()

    errors = page.locator("#commune-erreurs")
    expect(errors).to_contain_text("ne désigne pas une commune précise")
    expect(errors).to_contain_text("Aubervilliers (93300)")
    expect(page.get_by_role("combobox", name="Commune de résidence")).to_have_value("Aubervilier")
    expect(page.get_by_role("combobox", name="Commune de résidence")).to_have_attribute("aria-invalid", "true")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0

    page.get_by_label("La personne a donné son consentement").check()  # a refused form asks it again
    page.get_by_role("combobox", name="Commune de résidence").fill("Aubervilliers (93300)")
    page.get_by_role("combobox", name="Commune de résidence").press("Tab")
    page.get_by_role("button", name="Enregistrer le candidat").click()
    expect(page.get_by_text("La fiche du candidat a été enregistrée")).to_be_visible()
    expect(page.get_by_text("Aubervilliers (93300)")).to_be_visible()
    db.session.expire_all()
    assert db.session.scalar(sa.select(Candidate.commune_insee)) == "93001"
