"""The SIAE invoice pages for daily use: the facilitators' queue (/heures/a-valider/factures)
with validate / reject from it, the lot's invoices paginated in SQL, the company's invoices on
its hours page, and a rejected invoice entered again from its values ("Saisir à nouveau")."""
from datetime import date
from decimal import Decimal

import pytest
from factories import CompanyFactory, LotInTerritoryFactory, TerritoryFactory

from clausematch.accounts.models import CompanyKind
from clausematch.pathways import invoices
from clausematch.pathways.models import HoursStatus, InvoiceNature, SubcontractingInvoice


@pytest.fixture
def siae(db, territory):
    siae = CompanyFactory(territory=territory, name="Régie du canal", company_kind=CompanyKind.REGIE)
    db.session.commit()
    return siae


def add_invoice(db, lot, siae, *, month=date(2025, 3, 1), amount="3000", cost="30",
                status=HoursStatus.DECLARED, reason="", reference="") -> SubcontractingInvoice:
    amount, cost = Decimal(amount), Decimal(cost)
    invoice = SubcontractingInvoice(
        lot_id=lot.id, siae_id=siae.id, nature=InvoiceNature.SUBCONTRACTING, month=month, amount_ht=amount,
        hourly_cost=cost, converted_hours=amount / cost, status=status, rejection_reason=reason,
        reference=reference)
    db.session.add(invoice)
    db.session.commit()
    return invoice


@pytest.fixture
def other_lot(db):
    """A lot of another territory, with its own SIAE."""
    lot = LotInTerritoryFactory(contract__buyer__territory=TerritoryFactory(name="Ailleurs"))
    db.session.commit()
    return lot


def test_the_queue_lists_the_territory_declared_invoices_oldest_first(db, client, login_as, lot, siae, other_lot):
    april = add_invoice(db, lot, siae, month=date(2025, 4, 1), amount="1500")
    march = add_invoice(db, lot, siae, month=date(2025, 3, 1), amount="3000", reference="F-MARS")
    add_invoice(db, lot, siae, month=date(2025, 2, 1), status=HoursStatus.VALIDATED)
    add_invoice(db, lot, siae, month=date(2025, 2, 1), status=HoursStatus.REJECTED, reason="Illisible")
    elsewhere = add_invoice(db, other_lot, CompanyFactory(territory=other_lot.contract.territory,
                                                          company_kind=CompanyKind.EI))
    login_as("facilitator")
    html = client.get("/heures/a-valider/factures").get_data(as_text=True)
    assert "2 factures en attente (150&nbsp;h)" in html  # 3 000 / 30 + 1 500 / 30
    assert html.index("F-MARS") < html.index("avril 2025")  # oldest month first
    for invoice in (march, april):
        assert f"/factures-siae/{invoice.id}/valider" in html
    assert f"/factures-siae/{elsewhere.id}/" not in html and "Illisible" not in html
    assert "Factures de SIAE à valider (2)" in client.get("/heures/a-valider").get_data(as_text=True)


def test_only_facilitators_of_the_territory_have_a_queue(db, personas, lot, siae, other_lot):
    add_invoice(db, lot, siae)
    assert invoices.pending_invoices(personas["facilitator"], 1).total == 1
    assert invoices.pending_invoice_totals(personas["facilitator"]) == (1, Decimal(100))
    for role in ("company", "prescriber", "buyer", "admin"):
        assert invoices.pending_invoices(personas[role], 1).total == 0
        assert invoices.pending_invoice_totals(personas[role]) == (0, Decimal(0))


def test_validate_and_reject_from_the_queue_come_back_to_it(db, client, login_as, personas, lot, siae):
    first, second = add_invoice(db, lot, siae), add_invoice(db, lot, siae, month=date(2025, 4, 1))
    second.declared_by_id = personas["company"].id
    db.session.commit()
    login_as("facilitator")

    response = client.post(f"/factures-siae/{first.id}/valider", data={"retour": "file", "page": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/heures/a-valider/factures")
    db.session.expire_all()
    assert db.session.get(SubcontractingInvoice, first.id).status == HoursStatus.VALIDATED

    refused = client.post(f"/factures-siae/{second.id}/refuser", data={"retour": "file", "motif": " "})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "<h1>Factures de SIAE à valider</h1>" in html
    # The error sits on the refused row's field only, and the summary links to it.
    assert html.count("Indiquez le motif du refus") == 2 and f'href="#refus-{second.id}-motif"' in html
    db.session.expire_all()
    assert db.session.get(SubcontractingInvoice, second.id).status == HoursStatus.DECLARED

    response = client.post(f"/factures-siae/{second.id}/refuser", data={"retour": "file", "motif": "Montant faux"})
    assert response.headers["Location"].endswith("/heures/a-valider/factures")
    db.session.expire_all()
    rejected = db.session.get(SubcontractingInvoice, second.id)
    assert (rejected.status, rejected.rejection_reason) == (HoursStatus.REJECTED, "Montant faux")
    html = client.get("/heures/a-valider/factures").get_data(as_text=True)
    assert "Aucune facture en attente de validation" in html


def test_actions_from_the_lot_page_still_return_to_it(db, client, login_as, lot, siae):
    invoice = add_invoice(db, lot, siae)
    login_as("facilitator")
    response = client.post(f"/factures-siae/{invoice.id}/valider")
    assert response.headers["Location"].endswith(f"/lots/{lot.id}/factures-siae")


def test_a_facilitator_of_another_territory_cannot_validate_from_a_queue(db, client, login_as, other_lot):
    invoice = add_invoice(db, other_lot, CompanyFactory(territory=other_lot.contract.territory,
                                                        company_kind=CompanyKind.AI))
    login_as("facilitator")
    assert client.post(f"/factures-siae/{invoice.id}/valider", data={"retour": "file"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(SubcontractingInvoice, invoice.id).status == HoursStatus.DECLARED


@pytest.mark.parametrize("role, path", [("facilitator", "/heures/a-valider/factures"),
                                        ("facilitator", "/lots/{lot}/factures-siae"),
                                        ("company", "/lots/{lot}/factures-siae"),
                                        ("company", "/entreprise/heures")])
def test_invoice_lists_run_a_fixed_number_of_queries(db, app, login_as, lot, siae, statements_for, role, path):
    """3 invoices, then 30 (two pages): the same statements."""
    login_as(role)
    path = path.format(lot=lot.id)
    for month in range(1, 4):
        add_invoice(db, lot, siae, month=date(2025, month, 1))
    few = statements_for(path)
    for index in range(27):  # each from its own SIAE, on its own lot for the queue: nothing loaded per row
        other_siae = CompanyFactory(territory=lot.contract.territory, company_kind=CompanyKind.EI)
        on = lot if role == "company" or "lots" in path else LotInTerritoryFactory(
            contract__buyer__territory=lot.contract.territory)
        add_invoice(db, on, other_siae, month=date(2025, 1 + index % 6, 1))
    assert statements_for(path) == few
    assert statements_for(f"{path}?page=2") == few


def test_the_lot_page_paginates_its_invoices(db, client, app, login_as, lot, siae):
    app.config["PAGE_SIZE"] = 5
    for index in range(7):
        add_invoice(db, lot, siae, month=date(2025, 1, 1), reference=f"F-{index}")
    login_as("company")
    first = client.get(f"/lots/{lot.id}/factures-siae").get_data(as_text=True)
    second = client.get(f"/lots/{lot.id}/factures-siae?page=2").get_data(as_text=True)
    assert "Factures saisies (7)" in first and "Page 1 sur 2" in first
    # Latest first: ids 7..3 on the first page, 2 and 1 on the second.
    assert "F-6" in first and "F-2" in first and "F-1" not in first
    assert "F-1" in second and "F-0" in second and "F-6" not in second


def test_the_company_reads_its_invoices_on_its_hours_page(db, client, login_as, personas, lot, siae, other_lot):
    mine = add_invoice(db, lot, siae, status=HoursStatus.REJECTED, reason="Montant HT attendu", reference="F-12")
    validated = add_invoice(db, lot, siae, month=date(2025, 4, 1), status=HoursStatus.VALIDATED)
    someone_else = LotInTerritoryFactory(contract__buyer__territory=lot.contract.territory)
    add_invoice(db, someone_else, siae, reference="F-AUTRE")
    login_as("company")
    html = client.get("/entreprise/heures").get_data(as_text=True)
    assert "Factures de sous-traitance et de co-traitance avec une SIAE (2)" in html
    assert "F-12" in html and "Motif : Montant HT attendu" in html and "F-AUTRE" not in html
    assert f"/lots/{lot.id}/factures-siae?reprendre={mine.id}" in html
    assert f"reprendre={validated.id}" not in html  # only a rejected invoice is entered again


def test_a_rejected_invoice_is_entered_again_from_its_values(db, client, login_as, personas, lot, siae):
    rejected = add_invoice(db, lot, siae, amount="12000.50", status=HoursStatus.REJECTED, reason="Mauvais mois",
                           reference="F-99")
    login_as("company")
    html = client.get(f"/lots/{lot.id}/factures-siae?reprendre={rejected.id}").get_data(as_text=True)
    assert "Les valeurs de la facture refusée (mars 2025, 12000,5 € HT) sont reprises" in html
    assert 'value="2025-03"' in html and 'value="12000,5"' in html and 'value="F-99"' in html
    assert f'<option selected value="{siae.id}">' in html

    response = client.post(f"/lots/{lot.id}/factures-siae", data={
        "siae": siae.id, "nature": "subcontracting", "mois": "2025-04", "montant": "12000,5", "reference": "F-99"})
    assert response.status_code == 302
    db.session.expire_all()
    statuses = {i.month: i.status for i in db.session.query(SubcontractingInvoice).filter_by(lot_id=lot.id)}
    assert statuses == {date(2025, 3, 1): HoursStatus.REJECTED, date(2025, 4, 1): HoursStatus.DECLARED}


@pytest.mark.parametrize("status", [HoursStatus.DECLARED, HoursStatus.VALIDATED])
def test_only_a_rejected_invoice_of_the_lot_prefills_the_form(db, client, login_as, lot, siae, status):
    invoice = add_invoice(db, lot, siae, status=status, reference="F-7")
    elsewhere = LotInTerritoryFactory(contract__buyer__territory=lot.contract.territory,
                                      company=lot.company)
    rejected_elsewhere = add_invoice(db, elsewhere, siae, status=HoursStatus.REJECTED, reference="F-8")
    login_as("company")
    for path in (f"/lots/{lot.id}/factures-siae?reprendre={invoice.id}",
                 f"/lots/{lot.id}/factures-siae?reprendre={rejected_elsewhere.id}"):
        html = client.get(path).get_data(as_text=True)
        assert "sont reprises" not in html and 'value="F-7"' not in html and 'value="F-8"' not in html
