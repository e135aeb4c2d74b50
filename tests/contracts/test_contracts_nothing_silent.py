"""Company and buyer forms change nothing silently (issue 12): a commune typed but not picked,
a wrong phone, e-mail or SIRET is a field error and the stored values are kept."""
import pytest
import sqlalchemy as sa

from clausematch.accounts.models import Buyer, Company, CompanyKind
from clausematch.contracts import organisations
from clausematch.errors import DomainError
from tests.contracts.test_contracts_forms import error_of, text

AUBERVILLIERS = "93001"


def company_input(**values):
    data = {"name": "Bâtisseurs du 93", "company_kind": CompanyKind.TITULAIRE, "siret": "404 040 404 04044"}
    return organisations.CompanyInput(**{**data, **values})


def stored(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.mark.parametrize(("typed", "stored_as"), [
    ("06 12 34 56 78", "0612345678"), ("06.12.34.56.78", "0612345678"), ("+33 6 12 34 56 78", "0612345678"),
    ("+33 (0)1 48 00 00 00", "0148000000"), ("0033 1 48 00 00 00", "0148000000"), ("+44 20 7946 0958", "+442079460958"),
])
def test_company_phones_are_stored_normalised_like_candidates(db, personas, typed, stored_as):
    company = organisations.create_company(personas["facilitator"], company_input(phone=typed))
    assert stored(db, Company, company.id).phone == stored_as


@pytest.mark.parametrize(("values", "field"), [
    ({"phone": "abc"}, "phone"), ({"phone": "06 12 34"}, "phone"), ({"phone": "06 12 34 56 78 99"}, "phone"),
    ({"phone": "06-12-AB-56-78"}, "phone"), ({"email": "pas-une-adresse"}, "email"),
    ({"email": "a@b"}, "email"), ({"siret": "abc"}, "siret"), ({"siret": "732 829 320 00075"}, "siret"),
    ({"commune": "Zzzzville"}, "commune"), ({"commune": "Aubervilier"}, "commune"),
])
def test_an_invalid_value_on_edit_is_refused_and_the_stored_company_kept(db, personas, values, field):
    company = organisations.create_company(personas["facilitator"], company_input(
        phone="01 48 00 00 00", email="contact@batisseurs93.fr", commune="Aubervilliers"))
    before = (company.phone, company.email, company.siret, company.commune_insee, company.version)
    with pytest.raises(DomainError) as refused:
        typed = {"phone": "01 48 00 00 00", "email": "contact@batisseurs93.fr", "commune": "Aubervilliers",
                 "name": "Nouveau nom", **values}
        organisations.update_company(personas["facilitator"], company.id, company_input(**typed))
    assert refused.value.field == field
    db.session.rollback()
    saved = stored(db, Company, company.id)
    assert (saved.phone, saved.email, saved.siret, saved.commune_insee, saved.version) == before
    assert saved.name == "Bâtisseurs du 93" and saved.commune_insee == AUBERVILLIERS


def test_a_commune_typed_but_not_picked_is_never_replaced_by_another(db, personas):
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Buyer))
    with pytest.raises(DomainError) as refused:
        organisations.create_buyer(personas["facilitator"], organisations.BuyerInput(
            name="Mairie", buyer_kind="city", commune="Zzzzville"))
    assert refused.value.field == "commune" and "Commune introuvable : « Zzzzville »" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Buyer)) == count


def test_the_company_form_shows_the_errors_on_their_fields_and_keeps_the_company(db, client, login_as, personas):
    company = organisations.create_company(personas["facilitator"], company_input(
        phone="01 48 00 00 00", commune="Aubervilliers"))
    login_as("facilitator")
    edit = f"/entreprises/{company.id}/modifier"
    data = {"name": "Bâtisseurs du 93", "company_kind": "titulaire", "siret": company.siret, "address": "",
            "commune": "Aubervilliers (93300)", "commune_insee": AUBERVILLIERS, "email": "", "phone": "abc",
            "version": str(company.version)}
    response = client.post(edit, data=data)
    assert response.status_code == 422
    assert "Numéro de téléphone invalide" in error_of(response, "phone")
    assert 'value="abc"' in response.get_data(as_text=True)  # what was typed stays in the field
    assert stored(db, Company, company.id).phone == "0148000000"

    response = client.post(edit, data={**data, "phone": "01 48 00 00 01", "commune": "Zzzzville"})
    assert "Commune introuvable : « Zzzzville »" in error_of(response, "commune")
    assert (stored(db, Company, company.id).commune_insee, stored(db, Company, company.id).phone) == (
        AUBERVILLIERS, "0148000000")

    response = client.post(edit, data={**data, "phone": "01 48 00 00 01", "commune": "aubervil",
                                       "commune_insee": ""})
    assert "Aubervilliers (93300)" in error_of(response, "commune")

    saved = client.post(edit, data={**data, "phone": "01.48.00.00.01"})
    assert saved.status_code == 302
    assert stored(db, Company, company.id).phone == "0148000001"
    assert "Téléphone 01 48 00 00 01" in text(client.get(f"/entreprises/{company.id}"))
