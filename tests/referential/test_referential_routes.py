"""The public autocomplete endpoints: JSON shape, bounds, the territory's communes first."""
import pytest

from clausematch.accounts.models import TerritoryCommune

pytestmark = pytest.mark.usefixtures("app")


def results(client, path: str, **params) -> list[dict]:
    response = client.get(path, query_string=params)
    assert response.status_code == 200
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"results"}
    for result in body["results"]:
        assert set(result) == {"value", "label"}
        assert isinstance(result["value"], str) and isinstance(result["label"], str)
    return body["results"]


def test_appellations_are_public_json_with_code_and_label(client):
    found = results(client, "/referentiel/appellations", q="maçon")
    assert found[0] == {"value": "16250", "label": "Maçon / Maçonne (F1703 Maçonnerie)"}
    assert len(found) == 10


def test_a_rome_code_lists_its_appellations(client):
    found = results(client, "/referentiel/appellations", q="K2204", limit=20)
    assert len(found) == 20
    assert all(r["label"].endswith("(K2204 Nettoyage de locaux)") for r in found)


def test_communes_answer_insee_code_and_name_with_postcode(client):
    assert results(client, "/referentiel/communes", q="93200") == [{"value": "93066", "label": "Saint-Denis (93200)"}]
    assert results(client, "/referentiel/communes", q="paris 11")[0] == {
        "value": "75111", "label": "Paris 11e Arrondissement (75011)"}


def test_communes_of_the_territory_come_first(client, db, territory):
    assert results(client, "/referentiel/communes", q="st denis")[0]["value"] == "97411"  # no territory commune yet
    db.session.add_all([TerritoryCommune(territory_id=territory.id, commune_insee=code) for code in ("93066", "93001")])
    db.session.commit()
    found = results(client, "/referentiel/communes", q="st denis")
    assert found[:2] == [{"value": "93066", "label": "Saint-Denis (93200)"},
                         {"value": "97411", "label": "Saint-Denis (97400)"}]


@pytest.mark.parametrize("path", ["/referentiel/appellations", "/referentiel/communes"])
@pytest.mark.parametrize("query", [None, "", " ", "m", " é "])
def test_empty_or_one_character_queries_give_no_results(client, path, query, count_queries):
    params = {} if query is None else {"q": query}
    with count_queries() as statements:
        assert results(client, path, **params) == []
    assert statements == []


@pytest.mark.parametrize("path", ["/referentiel/appellations", "/referentiel/communes"])
def test_a_query_over_100_characters_is_refused_in_french(client, path):
    response = client.get(path, query_string={"q": "a" * 101})
    assert response.status_code == 400
    assert response.get_json() == {"error": "Requête incorrecte", "field": "q",
                                   "message": "La recherche ne doit pas dépasser 100 caractères."}
    assert client.get(path, query_string={"q": "maçon " + "a" * 94}).status_code == 200


@pytest.mark.parametrize("limit, expected", [("3", 3), ("20", 20), ("21", 20), ("500", 20), ("0", 1), ("-4", 1),
                                             ("abc", 10), (None, 10)])
def test_limit_is_bounded(client, limit, expected):
    params = {"q": "saint"} if limit is None else {"q": "saint", "limit": limit}
    assert len(results(client, "/referentiel/communes", **params)) == expected
    assert len(results(client, "/referentiel/appellations", **{**params, "q": "agent"})) == expected


def test_a_search_runs_at_most_one_query_once_the_index_is_built(client, count_queries):
    with count_queries() as statements:
        results(client, "/referentiel/communes", q="aubervilliers")
        results(client, "/referentiel/appellations", q="coffreur")
    assert len(statements) == 1  # the territory's departments


def test_responses_may_be_cached_briefly(client):
    response = client.get("/referentiel/communes", query_string={"q": "stains"})
    assert response.cache_control.public and response.cache_control.max_age == 300
