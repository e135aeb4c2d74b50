"""Two people edit the same contract, lot, clause, buyer or company: the save over an older version
is refused in French with the current value of each field that differs, the person's input stays on
the form, the first save stays in the database; saving again (the form now names the current
version) is deliberate and succeeds (clausematch/versioning.py)."""
import re
from decimal import Decimal

from test_contracts_forms import text

from clausematch.accounts.models import Buyer, BuyerKind, Company, CompanyKind
from clausematch.contracts import clauses, organisations, services
from clausematch.contracts.models import Clause, Contract, Lot, ObjectiveMethod

REFUSED = "Quelqu'un d'autre a enregistré cette fiche pendant que vous la modifiiez : rien n'a été enregistré."


def loaded_version(html: str) -> str:
    match = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"', html)
    return match.group(1) or match.group(2)


def current(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def contract_data(contract: Contract, **changes) -> dict:
    data = {"reference": contract.reference, "object": contract.object, "buyer_id": str(contract.buyer_id),
            "sector": contract.sector.value, "amount_ht": str(contract.amount_ht),
            "notified_on": contract.notified_on.isoformat(), "start_date": contract.start_date.isoformat(),
            "end_date": contract.end_date.isoformat(), "clause_kind": contract.clause_kind.value}
    return {**data, **changes}


def contract_input(contract: Contract, **changes) -> services.ContractInput:
    values = {"reference": contract.reference, "object": contract.object, "buyer_id": contract.buyer_id,
              "sector": contract.sector, "amount_ht": contract.amount_ht, "notified_on": contract.notified_on,
              "start_date": contract.start_date, "end_date": contract.end_date,
              "clause_kind": contract.clause_kind}
    return services.ContractInput(**{**values, **changes})


def test_a_contract_saved_meanwhile_is_not_overwritten(db, client, login_as, personas, build):
    contract = build.contract(object="Groupe scolaire")
    db.session.commit()
    edit = f"/marches/{contract.id}/modifier"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    assert version_a == str(contract.version)
    # Someone else saves the same version first.
    services.update_contract(personas["facilitator"], contract.id, contract_input(contract, object="Voirie"),
                             version=int(version_a))

    response = client.post(edit, data=contract_data(contract, object="Groupe scolaire",
                                                    amount_ht="2 000 000", version=version_a))
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    assert "Objet du marché : Voirie" in page and "Montant hors taxes (€) : 1000000" in page  # as typed back
    assert 'value="2 000 000"' in response.get_data(as_text=True)  # the input is kept
    saved = current(db, Contract, contract.id)
    assert (saved.object, saved.amount_ht, saved.version) == ("Voirie", Decimal("1000000"), int(version_a) + 1)

    again = client.post(edit, data=contract_data(saved, amount_ht="2 000 000",
                                                 version=loaded_version(response.get_data(as_text=True))))
    assert again.status_code == 302
    saved = current(db, Contract, contract.id)
    assert (saved.object, saved.amount_ht, saved.version) == ("Voirie", Decimal("2000000"), int(version_a) + 2)


def lot_data(lot: Lot, **changes) -> dict:
    data = {"number": str(lot.number), "title": lot.title, "company_id": str(lot.company_id or ""),
            "amount_ht": str(lot.amount_ht), "start_date": lot.start_date.isoformat(),
            "end_date": lot.end_date.isoformat()}
    return {**data, **changes}


def test_a_lot_saved_meanwhile_is_not_overwritten(db, client, login_as, personas, build):
    lot = build.lot(title="Gros œuvre")
    other = build.other_company(name="Bâtisseurs du 93")
    db.session.commit()
    edit = f"/lots/{lot.id}/modifier"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    services.update_lot(personas["facilitator"], lot.id, services.LotInput(
        number=lot.number, title=lot.title, company_id=other.id, amount_ht=lot.amount_ht,
        start_date=lot.start_date, end_date=lot.end_date), version=int(version_a))

    response = client.post(edit, data=lot_data(lot, company_id=str(build.company.id), title="Clos couvert",
                                               version=version_a))
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    # The titulaire is named, not its id.
    assert "Entreprise titulaire : Bâtisseurs du 93" in page and "Intitulé du lot : Gros œuvre" in page
    assert 'value="Clos couvert"' in response.get_data(as_text=True)
    saved = current(db, Lot, lot.id)
    assert (saved.title, saved.company_id, saved.version) == ("Gros œuvre", other.id, int(version_a) + 1)

    again = client.post(edit, data=lot_data(saved, title="Clos couvert",
                                             version=loaded_version(response.get_data(as_text=True))))
    assert again.status_code == 302
    saved = current(db, Lot, lot.id)
    assert (saved.title, saved.company_id) == ("Clos couvert", other.id)


FIXED = {"method": "fixed", "hours_objective": "1 000", "amount_ht": "1 000 000", "labour_share_percent": "50",
         "insertion_rate_percent": "5", "hourly_cost": "30", "eligible_criteria": ["qpv"], "notes": "Ma saisie",
         "enregistrer": "1"}


def test_a_clause_saved_meanwhile_is_not_overwritten(db, client, login_as, personas, build):
    lot = build.lot(objective="833")
    db.session.commit()
    edit = f"/lots/{lot.id}/clause"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(
        method=ObjectiveMethod.FIXED, hours_objective=Decimal("900"), eligible_criteria=["rsa"]),
        version=int(version_a))

    response = client.post(edit, data={**FIXED, "version": version_a})
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    assert "Nombre d'heures inscrit au marché : 900" in page and "Publics éligibles : Bénéficiaire du RSA" in page
    assert 'value="1 000"' in response.get_data(as_text=True) and "Ma saisie" in page
    saved = current(db, Clause, lot.clause.id)
    assert (saved.hours_objective, saved.eligible_criteria, saved.notes) == (Decimal("900"), ["rsa"], None)

    again = client.post(edit, data={**FIXED, "version": loaded_version(response.get_data(as_text=True))})
    assert again.status_code == 302
    saved = current(db, Clause, saved.id)
    assert (saved.hours_objective, saved.eligible_criteria, saved.notes) == (Decimal("1000"), ["qpv"], "Ma saisie")


def test_a_clause_created_meanwhile_is_not_replaced_silently(db, client, login_as, personas, build):
    lot = build.lot()
    db.session.commit()
    edit = f"/lots/{lot.id}/clause"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    assert version_a == str(clauses.NO_CLAUSE_VERSION)  # the lot had no clause
    created = clauses.save_clause(personas["facilitator"], lot.id, clauses.ClauseInput(
        method=ObjectiveMethod.COMPUTED, amount_ht=Decimal("1000000"), labour_share_percent=Decimal("50"),
        insertion_rate_percent=Decimal("5"), hourly_cost=Decimal("30")), version=int(version_a))

    response = client.post(edit, data={**FIXED, "version": version_a})
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    assert "Objectif d'heures : Calculé" in page and "Part de main-d'œuvre : 50 %" in page
    assert "Taux d'insertion : 5 %" in page
    saved = current(db, Clause, created.id)
    assert (saved.objective_method, saved.hours_objective) == (ObjectiveMethod.COMPUTED, Decimal("833"))

    again = client.post(edit, data={**FIXED, "version": loaded_version(response.get_data(as_text=True))})
    assert again.status_code == 302
    saved = current(db, Clause, created.id)
    assert (saved.objective_method, saved.hours_objective) == (ObjectiveMethod.FIXED, Decimal("1000"))


def test_a_buyer_saved_meanwhile_is_not_overwritten(db, client, login_as, personas, build):
    buyer = build.other_buyer(name="Ville de Stains")
    db.session.commit()
    edit = f"/acheteurs/{buyer.id}/modifier"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    organisations.update_buyer(personas["facilitator"], buyer.id, organisations.BuyerInput(
        name="Ville de Stains", buyer_kind=BuyerKind.CITY, address="Place Marcel Pointet"), version=int(version_a))

    data = {"name": "Mairie de Stains", "buyer_kind": "city", "siret": "", "address": "", "commune": "",
            "commune_insee": ""}
    response = client.post(edit, data={**data, "version": version_a})
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    assert "Adresse : Place Marcel Pointet" in page and "Nom de l'acheteur : Ville de Stains" in page
    assert 'value="Mairie de Stains"' in response.get_data(as_text=True)
    saved = current(db, Buyer, buyer.id)
    assert (saved.name, saved.address) == ("Ville de Stains", "Place Marcel Pointet")

    again = client.post(edit, data={**data, "version": loaded_version(response.get_data(as_text=True))})
    assert again.status_code == 302
    saved = current(db, Buyer, buyer.id)
    assert (saved.name, saved.address) == ("Mairie de Stains", None)


def test_a_company_saved_meanwhile_is_not_overwritten(db, client, login_as, personas, build):
    company = build.other_company(name="Bâtisseurs du 93")
    db.session.commit()
    edit = f"/entreprises/{company.id}/modifier"
    login_as("facilitator")
    version_a = loaded_version(client.get(edit).get_data(as_text=True))
    organisations.update_company(personas["facilitator"], company.id, organisations.CompanyInput(
        name=company.name, company_kind=CompanyKind.EI, siret=company.siret, phone="01 48 00 00 00"),
        version=int(version_a))

    data = {"name": "Bâtisseurs du 93", "company_kind": "titulaire", "siret": company.siret, "address": "",
            "commune": "", "commune_insee": "", "email": "contact@batisseurs93.fr", "phone": ""}
    response = client.post(edit, data={**data, "version": version_a})
    page = text(response)
    assert response.status_code == 422 and REFUSED in page
    assert "Téléphone : 01 48 00 00 00" in page and f"Type d'entreprise : {CompanyKind.EI.label}" in page
    assert 'value="contact@batisseurs93.fr"' in response.get_data(as_text=True)
    saved = current(db, Company, company.id)
    assert (saved.phone, saved.email, saved.company_kind) == ("0148000000", None, CompanyKind.EI)

    again = client.post(edit, data={**data, "version": loaded_version(response.get_data(as_text=True))})
    assert again.status_code == 302
    saved = current(db, Company, company.id)
    assert (saved.phone, saved.email, saved.company_kind) == (None, "contact@batisseurs93.fr",
                                                              CompanyKind.TITULAIRE)


def test_a_version_beyond_the_column_range_is_a_conflict_not_a_server_error(db, client, login_as, build):
    """The fuzz test sent version=2147483648 on PostgreSQL: 'integer out of range', a 500."""
    company = build.other_company(name="Bâtisseurs du 93")
    db.session.commit()
    login_as("facilitator")
    data = {"name": "Autre nom", "company_kind": "titulaire", "siret": company.siret, "address": "",
            "commune": "", "commune_insee": "", "email": "", "phone": ""}
    response = client.post(f"/entreprises/{company.id}/modifier", data={**data, "version": "2147483648"})
    assert response.status_code == 422 and REFUSED in text(response)
    assert 'value="Autre nom"' in response.get_data(as_text=True)
    assert current(db, Company, company.id).name == "Bâtisseurs du 93"
