"""A month of insertion hours in Chromium: a company user declares last month's hours in the grid
(a typing mistake first refused on its cell), a facilitator validates the lot-month and sees the
hours count on the lot's progress, then opens the funnel of the contract and downloads its XLSX."""
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from browser_support import log_in
from playwright.sync_api import Page, expect

from clausematch.database import today
from clausematch.formats import month_label
from clausematch.pathways.hours_rules import previous_month

pytestmark = pytest.mark.browser


@pytest.fixture
def hours_lot(db, personas, territory):
    """The persona company's lot (833 h objective) with two people under contract since 2025."""
    from factories import (
        CandidateInTerritoryFactory,
        ClauseFactory,
        ContractInTerritoryFactory,
        EmploymentContractFactory,
        LotFactory,
    )

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


@pytest.fixture
def oriented(db, hours_lot):
    """The two people of the lot came through an offer of the lot: oriented, validated,
    shortlisted, sent, interviewed, hired (and recorded in each application's history)."""
    from factories import ApplicationFactory, OfferInTerritoryFactory

    from clausematch.applications.models import ApplicationEvent
    from clausematch.applications.models import ApplicationStatus as S
    from clausematch.pathways.models import EmploymentContract

    offer = OfferInTerritoryFactory(lot=hours_lot, company=hours_lot.company)
    path = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
    for hire in db.session.scalars(sa.select(EmploymentContract).where(EmploymentContract.lot_id == hours_lot.id)):
        application = ApplicationFactory(candidate=hire.candidate, offer=offer, status=S.HIRED,
                                          created_at=datetime(2024, 12, 2, 9))
        for day, (before, status) in enumerate(zip([None, *path], path, strict=False)):
            db.session.add(ApplicationEvent(application_id=application.id, from_status=before, to_status=status,
                                            occurred_at=application.created_at + timedelta(days=day)))
    db.session.commit()
    return offer


def test_company_declares_a_month_and_the_facilitator_validates_it(app, live_server, page: Page, personas,
                                                                  hours_lot, oriented):
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

    # The funnel of the lot's contract: two people oriented, validated and hired, none in CDI yet.
    page.get_by_role("link", name="Rapports").click()
    page.get_by_role("link", name="Entonnoir de recrutement").click()
    page.get_by_label("Marché").select_option(str(hours_lot.contract_id))
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("2 → 2 → 2 → 0 → 0", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name="Entonnoir de recrutement")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Embauchées sur la clause"))).to_contain_text("100\u00a0%")

    # Its XLSX: a header row, then the same numbers, as numbers.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Télécharger en XLSX")).click()
    download = download_info.value
    name = download.suggested_filename
    assert name.startswith("rapport-entonnoir-") and name.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = list(workbook["Rapport"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Étape", "Étape principale", "Personnes")
    assert [row[2] for row in rows[1:]] == [2, 2, 2, 2, 2, 0, 0]
