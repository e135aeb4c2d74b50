"""Who sees what: companies only their lots, buyers only their contracts, prescribers nothing,
other territories nothing; by predicate and by URL guessing."""
import pytest

from clausematch.contracts import permissions as p

MY_PAGES = ["/marches", "/marches/nouveau", "/acheteurs", "/acheteurs/nouveau", "/entreprises",
            "/entreprises/nouvelle", "/parametres"]


def test_a_company_user_cannot_open_another_company_lot_even_by_guessing_urls(client, login_as, build):
    mine = build.lot(title="Mon lot")
    theirs = build.lot(company=build.other_company(), title="Lot d'un concurrent")
    build.db.session.commit()
    user = login_as("company")
    assert client.get(f"/lots/{mine.id}").status_code == 200
    for lot_id in range(1, theirs.id + 2):
        if lot_id != mine.id:
            assert client.get(f"/lots/{lot_id}").status_code in (403, 404), lot_id
    assert client.get(f"/lots/{theirs.id}").status_code == 403
    assert not p.can_view_lot(user, theirs) and p.can_view_lot(user, mine)
    # Nor the contract pages, nor any editing page, even of its own lot.
    for url in (f"/marches/{mine.contract_id}", f"/lots/{mine.id}/modifier", f"/lots/{mine.id}/clause"):
        assert client.get(url).status_code == 403, url


def test_a_buyer_user_reads_only_its_own_contracts_and_lots(client, login_as, build):
    mine = build.lot()
    theirs = build.lot(contract=build.contract(buyer=build.other_buyer()))
    build.db.session.commit()
    user = login_as("buyer")
    assert client.get(f"/marches/{mine.contract_id}").status_code == 200
    assert client.get(f"/lots/{mine.id}").status_code == 200
    assert client.get(f"/marches/{theirs.contract_id}").status_code == 403
    assert client.get(f"/lots/{theirs.id}").status_code == 403
    assert client.get(f"/marches/{mine.contract_id}/modifier").status_code == 403
    assert p.can_view_contract(user, mine.contract) and not p.can_edit_contract(user, mine.contract)
    assert not p.can_view_lot_people(user, mine)


@pytest.mark.parametrize("url", MY_PAGES)
def test_a_prescriber_is_refused_everywhere_here(client, login_as, url):
    login_as("prescriber")
    assert client.get(url).status_code == 403


def test_a_prescriber_cannot_open_a_lot_or_a_contract(client, login_as, build):
    lot = build.lot()
    build.db.session.commit()
    login_as("prescriber")
    for url in (f"/lots/{lot.id}", f"/marches/{lot.contract_id}", f"/lots/{lot.id}/clause",
                f"/entreprises/{lot.company_id}"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for url in MY_PAGES:
        response = client.get(url)
        assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_a_facilitator_of_another_territory_sees_nothing_of_this_one(client, db, build):
    from factories import FacilitatorTeamFactory, TerritoryFactory, UserFactory

    from clausematch.accounts.models import Role

    lot = build.lot()
    outsider = UserFactory(role=Role.FACILITATOR,
                           organisation=FacilitatorTeamFactory(territory=TerritoryFactory(name="Est Ensemble")))
    db.session.commit()
    assert not p.can_view_lot(outsider, lot) and not p.can_edit_contract(outsider, lot.contract)
    assert not p.can_manage_organisation(outsider, lot.company)
    assert p.can_manage_contracts(outsider)  # in its own territory


def test_missing_records_are_404_not_403(client, login_as):
    login_as("facilitator")
    for url in ("/marches/999999", "/lots/999999", "/entreprises/999999", "/acheteurs/999999/modifier"):
        assert client.get(url).status_code == 404, url


def test_a_company_id_is_not_a_buyer_id(client, login_as, personas):
    login_as("facilitator")
    company = personas["company"].organisation
    assert client.get(f"/acheteurs/{company.id}/modifier").status_code == 404
    assert client.get(f"/entreprises/{personas['buyer'].organisation.id}").status_code == 404
