"""Forms through the pages: French errors on the right fields, creation flows, the calculator
without JavaScript."""
import html as html_lib
import re
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import Buyer, Company
from clausematch.contracts.models import Clause, Contract, Lot, ObjectiveMethod


def text(response) -> str:
    html = re.sub(r"<style.*?</style>", " ", response.get_data(as_text=True), flags=re.S)
    page = html_lib.unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"\s+", " ", page.replace("\u202f", " ").replace("\u00a0", " "))


def error_of(response, field_id: str) -> str:
    """The error text tied to a field through aria-describedby."""
    html = response.get_data(as_text=True)
    assert re.search(rf'id="{field_id}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field_id}"', html) \
        or re.search(rf'<[^>]*id="{field_id}"[^>]*aria-describedby="[^"]*{field_id}-erreurs', html), \
        f"{field_id} is not marked invalid"
    block = re.search(rf'<div id="{field_id}-erreurs"[^>]*>(.*?)</div>', html, re.S)
    assert block, f"no error block for {field_id}"
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", block.group(1)))).strip()


def test_an_empty_company_form_answers_in_french_on_each_field(client, login_as):
    login_as("facilitator")
    response = client.post("/entreprises/nouvelle", data={"name": "", "company_kind": "titulaire", "siret": ""})
    assert response.status_code == 422
    assert "Ce champ est obligatoire." in error_of(response, "name")
    assert "Ce champ est obligatoire." in error_of(response, "siret")
    assert "Le formulaire contient 2 erreurs" in text(response)


def test_siret_errors_tell_length_from_checksum(client, login_as):
    login_as("facilitator")
    short = client.post("/entreprises/nouvelle", data={"name": "Bâtir", "company_kind": "titulaire",
                                                       "siret": "732 829 320"})
    assert "doit comporter 14 chiffres" in error_of(short, "siret")
    wrong = client.post("/entreprises/nouvelle", data={"name": "Bâtir", "company_kind": "titulaire",
                                                       "siret": "732 829 320 00075"})
    assert "clé de contrôle est invalide" in error_of(wrong, "siret")


def test_a_duplicate_siret_names_the_existing_company(client, login_as, personas):
    login_as("facilitator")
    existing = personas["company"].organisation
    response = client.post("/entreprises/nouvelle", data={"name": "Doublon", "company_kind": "ei",
                                                          "siret": existing.siret})
    assert error_of(response, "siret") == f"Erreur : Une entreprise avec ce SIRET existe déjà : {existing.name}"


def test_a_wrong_email_is_refused_in_french(client, login_as):
    login_as("facilitator")
    response = client.post("/entreprises/nouvelle", data={"name": "Bâtir", "company_kind": "titulaire",
                                                          "siret": "73282932000074", "email": "pas-une-adresse"})
    assert "Adresse électronique invalide" in error_of(response, "email")


def test_a_company_is_created_then_shown_with_its_contacts_and_invitation_link(client, login_as, db):
    login_as("facilitator")
    response = client.post("/entreprises/nouvelle", data={
        "name": "Régie de quartier de Saint-Denis", "company_kind": "aci", "siret": "732 829 320 00074",
        "phone": "01 23 45 67 89"})
    company = db.session.scalar(sa.select(Company).where(Company.siret == "73282932000074"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/entreprises/{company.id}")
    page = client.get(f"/entreprises/{company.id}")
    assert "Atelier et chantier d'insertion (ACI)" in text(page)
    assert "Aucune personne de cette entreprise n'a encore de compte." in text(page)
    assert f"/invitations/nouvelle?organisation={company.id}" in page.get_data(as_text=True)


def test_the_company_page_lists_members_lots_and_offers(client, login_as, personas, build):
    login_as("facilitator")
    company = build.company
    lot = build.lot(title="Nettoyage des locaux")
    build.offer(lot, title="Agent / Agente de propreté")
    build.db.session.commit()
    page = text(client.get(f"/entreprises/{company.id}"))
    assert personas["company"].full_name in page
    assert "Nettoyage des locaux" in page and "Agent / Agente de propreté" in page
    assert "1 au total" in page


def test_the_companies_list_searches_by_name_or_siret_and_filters_by_kind(client, login_as, build):
    from clausematch.accounts.models import CompanyKind

    login_as("facilitator")
    build.other_company(name="Id'ees Intérim", company_kind=CompanyKind.ETTI, siret="73282932000074")
    build.other_company(name="Bouygues Bâtiment", company_kind=CompanyKind.TITULAIRE)
    build.db.session.commit()
    assert "Id'ees Intérim" in text(client.get("/entreprises?q=732 829 320"))
    page = text(client.get("/entreprises?type=etti"))
    assert "Id'ees Intérim" in page and "Bouygues" not in page
    page = text(client.get("/entreprises?q=bouygues"))
    assert "Bouygues Bâtiment" in page and "Id'ees" not in page


def test_a_buyer_is_created_and_listed(client, login_as, db):
    login_as("facilitator")
    response = client.post("/acheteurs/nouveau", data={"name": "Ville d'Aubervilliers", "buyer_kind": "city"})
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Buyer.name).where(Buyer.name == "Ville d'Aubervilliers"))
    page = text(client.get("/acheteurs?q=auber"))
    assert "1 acheteur" in page and "Ville d'Aubervilliers" in page and "Commune" in page


def test_contract_form_errors_are_french_and_dates_are_checked(client, login_as, personas):
    login_as("facilitator")
    buyer = personas["buyer"].organisation
    response = client.post("/marches/nouveau", data={
        "reference": "2025-01", "object": "Voirie", "buyer_id": str(buyer.id), "sector": "construction",
        "amount_ht": "un million", "notified_on": "31/02/2025", "start_date": "2025-03-01",
        "end_date": "2025-02-01", "clause_kind": ""})
    assert "Saisissez un nombre" in error_of(response, "amount_ht")
    assert "Saisissez une date valide au format JJ/MM/AAAA." in error_of(response, "notified_on")
    response = client.post("/marches/nouveau", data={
        "reference": "2025-01", "object": "Voirie", "buyer_id": str(buyer.id), "sector": "construction",
        "amount_ht": "1 000 000,50", "notified_on": "15/01/2025", "start_date": "2025-03-01",
        "end_date": "2025-02-01", "clause_kind": ""})
    assert "La date de fin doit être postérieure" in error_of(response, "end_date")


def test_a_contract_a_lot_and_its_computed_clause_are_set_up_through_the_pages(client, login_as, personas, db):
    login_as("facilitator")
    buyer, company = personas["buyer"].organisation, personas["company"].organisation
    response = client.post("/marches/nouveau", data={
        "reference": "2025-JO-07", "object": "Village des athlètes", "buyer_id": str(buyer.id),
        "sector": "construction", "amount_ht": "1 000 000", "notified_on": "2025-01-15",
        "start_date": "2025-02-01", "end_date": "", "clause_kind": "execution_condition"})
    contract = db.session.scalar(sa.select(Contract).where(Contract.reference == "2025-JO-07"))
    assert response.headers["Location"].endswith(f"/marches/{contract.id}")
    form = client.get(f"/marches/{contract.id}/lots/nouveau").get_data(as_text=True)
    assert 'value="1"' in form  # next lot number proposed
    response = client.post(f"/marches/{contract.id}/lots/nouveau", data={
        "number": "1", "title": "Gros œuvre", "company_id": str(company.id), "amount_ht": "1 000 000",
        "start_date": "2025-02-01", "end_date": ""})
    lot = db.session.scalar(sa.select(Lot).where(Lot.contract_id == contract.id))
    assert response.headers["Location"].endswith(f"/lots/{lot.id}")

    form = client.get(f"/lots/{lot.id}/clause").get_data(as_text=True)
    assert 'value="1000000"' in form and 'value="50"' in form and 'value="5"' in form and 'value="30"' in form
    calculator = {"method": "computed", "amount_ht": "1 000 000", "labour_share_percent": "50",
                  "insertion_rate_percent": "5", "hourly_cost": "30", "eligible_criteria": ["rsa", "qpv"],
                  "allowed_modes": ["direct"]}
    computed = client.post(f"/lots/{lot.id}/clause", data={**calculator, "calculer": "1"})
    assert computed.status_code == 200 and "Objectif calculé : 833 heures." in text(computed)
    assert db.session.scalar(sa.select(sa.func.count(Clause.id))) == 0  # calculating saves nothing
    saved = client.post(f"/lots/{lot.id}/clause", data={**calculator, "enregistrer": "1"})
    assert saved.headers["Location"].endswith(f"/lots/{lot.id}")
    clause = db.session.scalar(sa.select(Clause).where(Clause.lot_id == lot.id))
    assert (clause.hours_objective, clause.objective_method) == (Decimal("833"), ObjectiveMethod.COMPUTED)
    assert clause.eligible_criteria == ["rsa", "qpv"]
    page = text(client.get(f"/lots/{lot.id}"))
    assert "833 heures d'insertion" in page and "Bénéficiaire du RSA" in page


def test_the_calculator_accepts_french_decimal_commas(client, login_as, build):
    login_as("facilitator")
    lot = build.lot()
    build.db.session.commit()
    response = client.post(f"/lots/{lot.id}/clause", data={
        "method": "computed", "amount_ht": "1 000 000", "labour_share_percent": "50",
        "insertion_rate_percent": "5,5", "hourly_cost": "30", "calculer": "1"})
    assert "Objectif calculé : 917 heures." in text(response)


def test_a_wrong_rate_is_shown_on_its_field(client, login_as, build):
    login_as("facilitator")
    lot = build.lot()
    build.db.session.commit()
    response = client.post(f"/lots/{lot.id}/clause", data={
        "method": "computed", "amount_ht": "1000000", "labour_share_percent": "150",
        "insertion_rate_percent": "5", "hourly_cost": "30", "enregistrer": "1"})
    assert "entre 0 (exclu) et 100" in error_of(response, "labour_share_percent")


def test_a_lot_number_already_taken_is_refused_on_its_field(client, login_as, build):
    login_as("facilitator")
    lot = build.lot(number=1)
    build.db.session.commit()
    response = client.post(f"/marches/{lot.contract_id}/lots/nouveau", data={
        "number": "1", "title": "Doublon", "company_id": "", "amount_ht": "10", "start_date": "2025-02-01"})
    assert "Ce marché a déjà un lot n° 1." in error_of(response, "number")
