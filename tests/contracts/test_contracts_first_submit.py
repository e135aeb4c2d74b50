"""The buyer, company, contract, lot and clause forms list every error at the first submit: WTForms' (required name)
and the service's (SIRET, e-mail, phone, commune) together, each on its field; nothing saved."""
from datetime import date

import pytest
import sqlalchemy as sa
from error_summary import error_count, field_errors, summary_of

from clausematch.accounts.models import Buyer, Company, CompanyKind
from clausematch.contracts import organisations, services
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.errors import FieldErrors
from clausematch.vocabulary import Sector
from tests.contracts.test_contracts_nothing_silent import company_input, stored

BAD_SIRET = "732 829 320 00075"  # checksum wrong


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_new_company_lists_form_and_service_errors_at_the_first_submit(db, client, login_as):
    login_as("facilitator")
    before = count(db, Company)
    response = client.post("/entreprises/nouvelle", data={
        "name": "", "company_kind": "titulaire", "siret": BAD_SIRET, "commune": "Zzzzville", "commune_insee": "",
        "email": "pas-une-adresse", "phone": "abc"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 5
    for target in ("name", "siret", "commune", "email", "phone"):
        assert field_errors(html, target), target
        assert f'<a href="#{target}">' in summary_of(html)
    assert "clé de contrôle" in field_errors(html, "siret")
    assert count(db, Company) == before


def test_company_edit_lists_them_too_and_keeps_the_company(db, client, login_as, personas):
    company = organisations.create_company(personas["facilitator"], company_input(phone="01 48 00 00 00"))
    login_as("facilitator")
    response = client.post(f"/entreprises/{company.id}/modifier", data={
        "name": "", "company_kind": "titulaire", "siret": company.siret, "commune": "Zzzzville",
        "commune_insee": "", "email": "", "phone": "abc", "version": str(company.version)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    for target in ("name", "commune", "phone"):
        assert field_errors(html, target), target
    assert stored(db, Company, company.id).phone == "0148000000"


def test_new_buyer_lists_form_and_service_errors_at_the_first_submit(db, client, login_as):
    login_as("facilitator")
    before = count(db, Buyer)
    response = client.post("/acheteurs/nouveau", data={
        "name": "", "buyer_kind": "city", "siret": "abc", "commune": "Zzzzville", "commune_insee": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    for target in ("name", "siret", "commune"):
        assert field_errors(html, target), target
    assert count(db, Buyer) == before


def test_the_service_gathers_every_refusal(db, personas):
    with pytest.raises(FieldErrors) as refused:
        organisations.create_company(personas["facilitator"], organisations.CompanyInput(
            name=" ", company_kind=CompanyKind.TITULAIRE, siret=BAD_SIRET, commune="Zzzzville",
            email="a@b", phone="abc"))
    assert [error.field for error in refused.value.errors] == ["name", "siret", "commune", "email", "phone"]


def contract_form(buyer_id, **values) -> dict:
    return {"reference": "2025-JO-07", "object": "Village des athlètes", "buyer_id": str(buyer_id),
            "sector": "construction", "amount_ht": "1 000 000", "notified_on": "2025-01-15",
            "start_date": "2025-02-01", "end_date": "", "clause_kind": "", **values}


def test_the_contract_form_lists_form_and_service_errors_at_the_first_submit(db, client, login_as, personas):
    login_as("facilitator")
    before = count(db, Contract)
    response = client.post("/marches/nouveau", data=contract_form(
        personas["buyer"].organisation.id, object="", amount_ht="-5", start_date="2025-01-01",
        end_date="2205-01-01"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 4
    assert "Ce champ est obligatoire." in field_errors(html, "object")
    assert "négatif" in field_errors(html, "amount_ht")
    assert "avant la notification" in field_errors(html, "start_date")
    assert "pas plausible" in field_errors(html, "end_date")
    assert count(db, Contract) == before


def test_the_contract_service_gathers_every_refusal(db, personas):
    with pytest.raises(FieldErrors) as refused:
        services.create_contract(personas["facilitator"], services.ContractInput(
            reference=" ", object="", buyer_id=None, sector=Sector.CONSTRUCTION, amount_ht=None,
            notified_on=date(2025, 1, 15), start_date=date(2025, 1, 1)))
    assert [error.field for error in refused.value.errors] == [
        "reference", "object", "buyer_id", "amount_ht", "start_date"]


def test_the_lot_form_lists_form_and_service_errors_at_the_first_submit(db, client, login_as, build):
    lot = build.lot(number=1, start_date=date(2025, 2, 1))
    db.session.commit()
    contract = lot.contract
    login_as("facilitator")
    response = client.post(f"/marches/{contract.id}/lots/nouveau", data={
        "number": "1", "title": "", "company_id": "", "amount_ht": "-1",
        "start_date": contract.start_date.replace(year=contract.start_date.year - 1).isoformat(), "end_date": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 4
    assert "Ce champ est obligatoire." in field_errors(html, "title")
    assert "déjà un lot n° 1" in field_errors(html, "number")
    assert "négatif" in field_errors(html, "amount_ht")
    assert "avant le début du marché" in field_errors(html, "start_date")
    assert count(db, Lot) == 1


def test_the_clause_form_lists_form_and_service_errors_at_the_first_submit(db, client, login_as, build):
    lot = build.lot()
    db.session.commit()
    login_as("facilitator")
    for button in ("enregistrer", "calculer"):
        response = client.post(f"/lots/{lot.id}/clause", data={
            "method": "computed", "amount_ht": "1000000", "labour_share_percent": "150",
            "insertion_rate_percent": "cinq", "hourly_cost": "0", "notes": "x" * 2001, button: "1"})
        assert response.status_code == 422, button
        html = response.get_data(as_text=True)
        assert "entre 0 (exclu) et 100" in field_errors(html, "labour_share_percent"), button
        assert "Saisissez un nombre" in field_errors(html, "insertion_rate_percent"), button
        assert "supérieur à 0" in field_errors(html, "hourly_cost"), button
        assert field_errors(html, "notes"), button
        assert error_count(html) == 4, button
    assert count(db, Clause) == 0
