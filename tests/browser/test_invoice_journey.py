"""A SIAE invoice in Chromium: the titulaire company enters last month's invoice from its hours
page, a facilitator validates it from the queue of invoices to validate, and the lot's realised
hours grow by the converted hours (amount ÷ the clause's hourly cost, computed here)."""
import re
from datetime import date
from decimal import Decimal

import pytest
from browser_support import log_in
from playwright.sync_api import Page, expect

from clausematch.database import today
from clausematch.formats import format_hours, format_number, month_key, month_label
from clausematch.pathways.counting import converted_hours
from clausematch.pathways.hours_rules import previous_month

pytestmark = pytest.mark.browser

AMOUNT, COST, WORKED = Decimal("4125"), Decimal("27.50"), Decimal("100")


@pytest.fixture
def invoice_lot(db, personas, territory):
    """The persona company's only lot: a clause at 27,50 €/h, 100 h already validated; an EI of the territory."""
    from factories import (
        CandidateInTerritoryFactory,
        ClauseFactory,
        CompanyFactory,
        ContractInTerritoryFactory,
        EmploymentContractFactory,
        HoursEntryFactory,
        LotFactory,
    )

    from clausematch.accounts.models import CompanyKind

    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, title="Nettoyage des bureaux", end_date=None)
    ClauseFactory(lot=lot, hours_objective=Decimal("1000"), hourly_cost=COST)
    hire = EmploymentContractFactory(lot=lot, candidate=CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation), start_date=date(2025, 2, 3),
        planned_end_date=today().replace(year=today().year + 1))
    HoursEntryFactory(contract=hire, month=date(2025, 3, 1), hours=WORKED)
    CompanyFactory(territory=territory, name="Régie du Landy", company_kind=CompanyKind.EI)
    db.session.commit()
    return lot


def test_company_enters_an_invoice_and_the_facilitator_validates_it_from_the_queue(
        live_server, page: Page, personas, invoice_lot):
    month = previous_month(today())
    hours = converted_hours(AMOUNT, COST)
    assert hours == Decimal(150)  # 4 125 € ÷ 27,50 €/h

    # The company enters the invoice from its hours page.
    log_in(page, live_server, personas["company"].email)
    page.get_by_role("link", name="Heures d'insertion").click()
    expect(page.get_by_text("Aucune facture de SIAE saisie sur les lots de votre entreprise.")).to_be_visible()
    page.get_by_role("link", name=re.compile("saisir une facture sur le lot")).click()
    page.get_by_label("Structure d'insertion").select_option(label="Régie du Landy (Entreprise d'insertion (EI))")
    page.get_by_label("Nature").select_option(label="Sous-traitance")
    page.get_by_label("Mois facturé").fill(month_key(month))
    page.get_by_label("Montant facturé hors taxes (€)").fill("4 125")
    page.get_by_label("Référence de la facture (facultatif)").fill("RL-2025-17")
    page.get_by_role("button", name="Enregistrer la facture").click()
    expect(page.get_by_text(f"Facture enregistrée : {format_hours(hours)} h à valider")).to_be_visible()

    # Its hours page lists it, waiting for validation.
    page.get_by_role("link", name="Heures d'insertion").click()
    row = page.get_by_role("row", name=re.compile("RL-2025-17"))
    expect(row).to_contain_text("À valider")
    expect(row).to_contain_text("Nettoyage des bureaux")

    # A facilitator validates it from the queue, next to the hours to validate.
    log_in(page, live_server, personas["facilitator"].email)
    page.goto(f"{live_server}/lots/{invoice_lot.id}")
    total = page.get_by_role("row", name=re.compile("^Total"))
    expect(total).to_contain_text(format_number(WORKED))
    page.get_by_role("link", name="Heures à valider").click()
    page.get_by_role("link", name="Factures de SIAE à valider (1)").click()
    expect(page.get_by_role("heading", level=2)).to_have_text(f"1 facture en attente ({format_hours(hours)}\u00a0h)")
    page.get_by_role("button", name=f"Valider la facture de {month_label(month)}, Régie du Landy").click()
    expect(page.get_by_text(f"Facture validée : {format_hours(hours)} h comptent désormais")).to_be_visible()
    expect(page.get_by_role("heading", level=2)).to_have_text("Aucune facture en attente de validation")

    # The lot's realised hours grew by the converted hours.
    page.goto(f"{live_server}/lots/{invoice_lot.id}")
    expect(page.get_by_role("row", name=re.compile("^Total"))).to_contain_text(format_number(WORKED + hours))
