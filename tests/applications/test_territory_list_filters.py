"""The facilitators' orientations list: the name filter, kept across pages, bounded queries."""
import pytest
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    LotInTerritoryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
)

from clausematch.candidates.duplicates import name_key


def _person(organisation, first, last):
    return CandidateInTerritoryFactory(prescriber=organisation, first_name=first, last_name=last,
                                       name_key=name_key(first, last))


@pytest.fixture
def offer(db, personas):
    return OfferInTerritoryFactory(lot=LotInTerritoryFactory(contract__buyer__territory=personas["facilitator"]
                                                             .organisation.territory))


def _body(html):
    return html.split("<tbody>")[1].split("</tbody>")[0] if "<tbody>" in html else ""


@pytest.mark.parametrize("typed", ["benoit", "Benoît Mar", "martin"])
def test_orientations_name_filter(db, client, login_as, personas, offer, typed):
    organisation = personas["prescriber"].organisation
    ApplicationFactory(candidate=_person(organisation, "Benoît", "Martin"), offer=offer)
    ApplicationFactory(candidate=_person(organisation, "Awa", "Diallo"), offer=offer)
    db.session.commit()
    login_as("facilitator")
    html = client.get("/orientations", query_string={"nom": typed}).get_data(as_text=True)
    assert "Benoît Martin" in _body(html) and "Awa Diallo" not in _body(html)
    assert "1 candidature" in html and "Effacer les filtres" in html


def test_orientations_name_filter_is_kept_by_pagination(app, db, client, login_as, personas, offer):
    app.config["PAGE_SIZE"] = 2
    organisation = personas["prescriber"].organisation
    for n in range(5):
        ApplicationFactory(candidate=_person(organisation, "Jean", f"Petit{n}"), offer=offer)
    db.session.commit()
    login_as("facilitator")
    html = client.get("/orientations?nom=jean").get_data(as_text=True)
    assert "5 candidatures" in html
    assert "nom=jean" in html.split('rel="next"')[0].rsplit("href=", 1)[1]


def test_orientations_name_filter_query_count(db, count_queries, client, login_as, personas, offer):
    organisation = personas["prescriber"].organisation
    login_as("facilitator")

    def statements():
        db.session.expire_all()
        with count_queries() as run:
            assert client.get("/orientations?nom=jean&etat=submitted").status_code == 200
        return len(run)

    def add(n):
        for i in range(n):
            ApplicationFactory(candidate=_person(organisation, "Jean", f"N{n}{i}"), offer=offer)
        db.session.commit()

    add(3)
    few = statements()
    add(27)
    assert statements() == few
    assert few <= 12


def test_prescriber_list_ignores_the_name_filter_of_other_organisations(db, client, login_as, personas, offer):
    other = PrescriberFactory(territory=personas["prescriber"].organisation.territory)
    ApplicationFactory(candidate=_person(other, "Benoît", "Martin"), offer=offer)
    db.session.commit()
    login_as("prescriber")
    assert "Benoît Martin" not in client.get("/mes-orientations?nom=benoit").get_data(as_text=True)
