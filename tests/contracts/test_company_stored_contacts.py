"""A company's phone or e-mail stored before the forms checked them, and that today's rule
refuses (migration 0016 keeps such values as they were): its edit form shows the value in its
field with the error asking to correct it, and saving it again as it is is refused."""
import sqlalchemy as sa

from clausematch.accounts.models import Company
from clausematch.contracts import organisations
from tests.contracts.test_contracts_forms import error_of
from tests.contracts.test_contracts_nothing_silent import company_input, stored


def company_storing(db, personas, phone, email):
    company = organisations.create_company(personas["facilitator"], company_input())
    db.session.execute(sa.update(Company).where(Company.id == company.id).values(phone=phone, email=email))
    db.session.commit()
    return company


def test_the_edit_form_shows_an_invalid_stored_phone_and_email_with_their_errors(db, client, login_as, personas):
    company = company_storing(db, personas, "01.48.00", "Contact chez Bâtisseurs")
    login_as("facilitator")

    response = client.get(f"/entreprises/{company.id}/modifier")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="01.48.00"' in html and 'value="Contact chez Bâtisseurs"' in html
    assert error_of(response, "phone").startswith("Erreur : La valeur enregistrée doit être corrigée. "
                                                  "Numéro de téléphone invalide")
    assert "La valeur enregistrée doit être corrigée. Adresse électronique invalide" in error_of(response, "email")


def test_a_valid_stored_phone_in_another_format_is_not_flagged(db, client, login_as, personas):
    company = company_storing(db, personas, "01.48.00.00.00", "Contact@Batisseurs93.fr")
    login_as("facilitator")

    html = client.get(f"/entreprises/{company.id}/modifier").get_data(as_text=True)

    assert 'value="01.48.00.00.00"' in html
    assert 'aria-invalid="true"' not in html and "doit être corrigée" not in html


def test_saving_the_form_as_loaded_keeps_the_invalid_value_and_says_so(db, client, login_as, personas):
    company = company_storing(db, personas, "01.48.00", None)
    login_as("facilitator")
    data = {"name": "Nouveau nom", "company_kind": "titulaire", "siret": company.siret, "address": "",
            "commune": "", "commune_insee": "", "email": "", "phone": "01.48.00", "version": str(company.version)}

    response = client.post(f"/entreprises/{company.id}/modifier", data=data)

    assert "Numéro de téléphone invalide" in error_of(response, "phone")
    saved = stored(db, Company, company.id)
    assert (saved.phone, saved.name) == ("01.48.00", "Bâtisseurs du 93")
