"""The buyer and company forms list every error at the first submit: WTForms' (required name)
and the service's (SIRET, e-mail, phone, commune) together, each on its field; nothing saved."""
import pytest
import sqlalchemy as sa
from error_summary import error_count, field_errors, summary_of

from clausematch.accounts.models import Buyer, Company, CompanyKind
from clausematch.contracts import organisations
from clausematch.errors import FieldErrors
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
