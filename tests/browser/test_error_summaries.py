"""A refused form in Chromium: the error summary at the top of the page takes the focus, lists
every error at the first submit (a phone number the service refuses too), and its links move the
focus to their field; a refused hours file lands on a page whose URL opens again."""
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from browser_support import log_in
from factories import (
    CandidateInTerritoryFactory,
    ClauseFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    LotFactory,
)
from playwright.sync_api import Page, expect

from clausematch.candidates.models import EligibilityCriterion
from clausematch.database import today
from clausematch.vocabulary import Criterion

pytestmark = pytest.mark.browser

FOCUSED_SUMMARY = "document.activeElement && document.activeElement.hasAttribute('data-resume-erreurs')"


def summary_has_focus(page: Page) -> bool:
    page.wait_for_load_state("load")
    return page.evaluate(FOCUSED_SUMMARY)


def test_new_candidate_refused_once_with_every_error_listed(live_server, page: Page, personas):
    log_in(page, live_server, personas["prescriber"])
    page.goto(f"{live_server}/candidats/nouveau")
    page.get_by_label("Date de naissance").fill("1988-04-02")
    page.get_by_label("Téléphone").fill("abc")  # refused by the service, not by WTForms
    page.get_by_role("button", name="Enregistrer le candidat").click()

    assert summary_has_focus(page)
    summary = page.locator("[data-resume-erreurs]")
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"Le formulaire contient \d+ erreurs"))
    for label in ("Prénom", "Nom", "Genre", "La personne a donné son consentement", "Téléphone"):
        expect(summary.get_by_role("link", name=re.compile("^" + label))).to_be_visible()
    expect(summary.get_by_role("link", name=re.compile("^Téléphone"))).to_contain_text("Numéro de téléphone invalide")
    summary.get_by_role("link", name=re.compile("^La personne a donné son consentement")).click()
    expect(page.get_by_label(re.compile("^La personne a donné son consentement"))).to_be_focused()


def test_a_criterion_refused_without_reason_shows_the_summary_on_top(db, live_server, page: Page, personas):
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Awa",
                                            last_name="Diallo")
    candidate.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation CAF",
                                                   declared_at=datetime(2025, 1, 1)))
    db.session.commit()
    log_in(page, live_server, personas["facilitator"])
    page.goto(f"{live_server}/candidats/{candidate.id}")
    page.get_by_role("button", name=re.compile("Refuser le critère")).click()

    assert summary_has_focus(page)
    expect(page).to_have_title(re.compile("^Erreur : "))
    link = page.locator("[data-resume-erreurs]").get_by_role("link", name=re.compile("^Motif du refus"))
    link.click()
    expect(page.get_by_role("textbox", name=re.compile("Motif du refus"))).to_be_focused()


def test_a_refused_hours_file_lands_on_a_page_that_opens_again(db, live_server, page: Page, personas, territory,
                                                               tmp_path):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, end_date=None)
    ClauseFactory(lot=lot, hours_objective=Decimal("833"))
    hire = EmploymentContractFactory(lot=lot, candidate=CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation), start_date=date(2025, 1, 6),
        planned_end_date=today().replace(year=today().year + 1))
    db.session.commit()
    csv_file = tmp_path / "heures.csv"
    csv_file.write_text(f"contrat;mois;heures\n{hire.id};2025-03;100\n{hire.id};2025-04;400\n", encoding="utf-8")

    log_in(page, live_server, personas["company"])
    page.goto(f"{live_server}/entreprise/heures?lot={lot.id}&mois=2025-03")
    page.locator("input[type=file]").set_input_files(str(csv_file))
    page.get_by_role("button", name="Importer le fichier").click()

    assert summary_has_focus(page)
    summary = page.locator("[data-resume-erreurs]")
    expect(summary.get_by_role("heading")).to_have_text("Fichier refusé : 1 ligne en erreur")
    expect(summary).to_contain_text("Ligne 3 : 400 heures")
    assert summary.bounding_box()["y"] < page.viewport_size["height"]  # at the top, not 1 800 px below
    assert "/entreprise/heures/import" in page.url
    response = page.goto(page.url)  # the address bar's URL, opened again
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer les heures d'un fichier CSV")
    expect(page.locator("input[type=file]")).to_be_visible()
