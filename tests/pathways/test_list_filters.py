"""Filters of the facilitators' hours to validate (company, lot, month) and employment contracts
(company, lot, person, start dates): results, kept across pages, field errors, bounded queries."""
from datetime import date

import pytest
from factories import ClauseFactory, CompanyFactory, ContractInTerritoryFactory, LotFactory
from hours_support import MARCH, entry, page_text

APRIL = date(2025, 4, 1)


@pytest.fixture
def second_lot(db, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory, reference="ZZ-2025-002"),
                     company=CompanyFactory(territory=territory, name="Bâtisseurs du Nord"), title="Peinture")
    ClauseFactory(lot=lot)
    db.session.commit()
    return lot


def _table(page):
    return page.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in page else ""


def test_hours_to_validate_filters(db, client, login_as, lot, second_lot, hire):
    entry(hire(lot), month=MARCH, hours="10")
    entry(hire(lot, first_name="Inès"), month=APRIL, hours="20")
    entry(hire(second_lot, first_name="Karim", company_id=second_lot.company_id), month=MARCH, hours="30")
    db.session.commit()
    login_as("facilitator")
    page = page_text(client.get(f"/heures/a-valider?lot={lot.id}"))
    assert f"/heures/lots/{lot.id}/2025-03" in _table(page) and f"/heures/lots/{second_lot.id}/" not in _table(page)
    assert "2 déclarations en attente (30\xa0h)" in page and "Effacer les filtres" in page
    page = page_text(client.get("/heures/a-valider?mois=2025-03"))
    assert f"/heures/lots/{lot.id}/2025-03" in page and "/2025-04" not in _table(page)
    page = page_text(client.get(f"/heures/a-valider?entreprise={second_lot.company_id}"))
    assert f"/heures/lots/{second_lot.id}/2025-03" in _table(page) and f"/heures/lots/{lot.id}/" not in _table(page)
    assert "Bâtisseurs du Nord" in page  # offered by the company filter
    page = page_text(client.get(f"/heures/a-valider?entreprise={second_lot.company_id}&mois=2025-04"))
    assert "Aucune heure en attente ne correspond à ces filtres" in page


def test_hours_filters_are_kept_by_pagination(app, db, client, login_as, lot, hire):
    app.config["PAGE_SIZE"] = 1
    contract = hire(lot)
    entry(contract, month=MARCH)
    entry(contract, month=APRIL)
    db.session.commit()
    login_as("facilitator")
    page = page_text(client.get(f"/heures/a-valider?lot={lot.id}"))
    assert f"lot={lot.id}" in page.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_hours_filtered_query_count_does_not_grow(db, count_queries, client, login_as, personas, territory, hire):
    login_as("facilitator")
    company = personas["company"].organisation

    def statements(n):
        for i in range(n):
            lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory), company=company)
            ClauseFactory(lot=lot)
            entry(hire(lot, first_name=f"P{n}-{i}"), month=MARCH)
        db.session.commit()
        db.session.expire_all()
        with count_queries() as run:
            assert client.get(f"/heures/a-valider?entreprise={company.id}&mois=2025-03").status_code == 200
        return len(run)

    few = statements(3)
    assert statements(27) == few
    assert few <= 13  # 12 for the hours, 1 for the number of SIAE invoices to validate (the queue's tab)


def test_contract_filters(db, client, login_as, lot, second_lot, hire):
    awa = hire(lot, start_date=date(2025, 2, 3))
    ines = hire(lot, first_name="Inès", last_name="Roux", start_date=date(2025, 6, 2))
    karim = hire(second_lot, first_name="Karim", last_name="Benali", company_id=second_lot.company_id,
                 start_date=date(2025, 4, 7))
    login_as("facilitator")

    def shown(query):
        table = _table(page_text(client.get(f"/contrats-de-travail?etat=tous&{query}")))
        return {c.id for c in (awa, ines, karim) if f"/contrats-de-travail/{c.id}\"" in table}

    assert shown(f"lot={lot.id}") == {awa.id, ines.id}
    assert shown(f"entreprise={second_lot.company_id}") == {karim.id}
    assert shown("personne=ines") == {ines.id}
    assert shown("personne=benal") == {karim.id}
    assert shown("debut_du=2025-04-01") == {ines.id, karim.id}
    assert shown("debut_du=01/03/2025&debut_au=30/04/2025") == {karim.id}


@pytest.mark.parametrize("query, message", [
    ("debut_du=31/02/2025", "JJ/MM/AAAA"),
    ("debut_du=2025-05-01&debut_au=2025-04-01", "postérieure ou égale"),
])
def test_contract_date_filters_are_field_errors(db, client, login_as, lot, hire, query, message):
    hire(lot, start_date=date(2025, 2, 3))
    login_as("facilitator")
    response = client.get(f"/contrats-de-travail?{query}")
    page = page_text(response)
    assert response.status_code == 422
    assert message in page and 'aria-invalid="true"' in page and 'href="#filtre-debut_' in page
    assert "<tbody>" not in page
    assert "31/02/2025" in page or "2025-04-01" in page  # what was typed stays in the field


def test_contract_filters_are_kept_by_pagination_and_bounded(app, db, count_queries, client, login_as, lot, hire):
    app.config["PAGE_SIZE"] = 2
    login_as("facilitator")

    def statements(n):
        for i in range(n):
            hire(lot, first_name="Jean", last_name=f"N{n}{i}", start_date=date(2025, 5, 5))
        db.session.expire_all()
        with count_queries() as run:
            response = client.get(f"/contrats-de-travail?lot={lot.id}&personne=jean&debut_du=2025-05-01")
        assert response.status_code == 200
        return len(run), page_text(response)

    few, page = statements(3)
    assert "personne=jean" in page.split('rel="next"')[0].rsplit("href=", 1)[1]
    many, _ = statements(27)
    assert many == few
    assert few <= 12


def test_company_cannot_filter_on_another_company(db, client, login_as, lot, second_lot, hire):
    hire(second_lot, first_name="Karim", company_id=second_lot.company_id, employer_id=second_lot.company_id)
    login_as("company")
    page = page_text(client.get(f"/contrats-de-travail?etat=tous&entreprise={second_lot.company_id}"))
    assert "Karim" not in page and "Entreprise redevable des heures" not in page
