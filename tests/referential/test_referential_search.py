"""Tolerant search of appellations and communes, on the real reference data."""
import pytest

from clausematch.referential.search import EXTENSION_KEY, clear_index, get_index, search_appellations, search_communes

pytestmark = pytest.mark.usefixtures("app")

SAINT_DENIS_93, SAINT_DENIS_974 = "93066", "97411"


def first_appellation(query: str):
    hits = search_appellations(query)
    assert hits, f"no result for {query!r}"
    return hits[0]


def first_commune(query: str, **options):
    hits = search_communes(query, **options)
    assert hits, f"no result for {query!r}"
    return hits[0]


# --- Appellations --------------------------------------------------------------------------

@pytest.mark.parametrize("query", ["macon", "Maçon", "MAÇON", "maconne", "Maçonne", "  macon  "])
def test_macon_in_any_case_accent_or_gender_finds_macon_first(query):
    hit = first_appellation(query)
    assert (hit.code, hit.label, hit.rome_code, hit.rome_label) == (16250, "Maçon / Maçonne", "F1703", "Maçonnerie")
    assert hit.score == 100


def test_agent_entretien_finds_agents_d_entretien_without_the_d():
    hits = search_appellations("agent entretien", limit=5)
    assert len(hits) == 5
    assert all(hit.label.startswith("Agent / Agente d'entretien") for hit in hits)


def test_agt_entretien_is_read_as_agent_entretien():
    expected = [hit.code for hit in search_appellations("agent entretien")]
    assert [hit.code for hit in search_appellations("agt entretien")] == expected


def test_coffreur_finds_the_generic_title_before_its_specialities():
    hits = search_appellations("coffreur", limit=4)
    assert hits[0].label == "Coffreur / Coffreuse"
    assert all("Coffreur" in hit.label for hit in hits)


def test_electricien_batiment_finds_electricien_du_batiment():
    hit = first_appellation("electricien bâtiment")
    assert (hit.code, hit.rome_code) == (14635, "F1602")


def test_scores_decrease_down_the_list():
    scores = [hit.score for hit in search_appellations("macon", limit=20)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 100 and scores[-1] < 100


@pytest.mark.parametrize("typo, code", [
    ("maçn", 16250),
    ("macom", 16250),
    ("electricein du batiment", 14635),
    ("electricien batimant", 14635),
    ("cuisiner", 13861),
    ("jardinnier", 16067),
])
def test_typos_still_find_the_job(typo, code):
    assert first_appellation(typo).code == code


def test_typo_scores_stay_below_exact_matches():
    assert first_appellation("macom").score < 60 <= first_appellation("macon pierre").score


@pytest.mark.parametrize("query", ["F1703", "f1703", " F1703 "])
def test_a_rome_code_lists_its_appellations_by_label(query):
    hits = search_appellations(query, limit=20)
    assert len(hits) == 20
    assert {hit.rome_code for hit in hits} == {"F1703"}
    labels = [hit.label for hit in hits]
    assert labels[0] == "Atrier / Atrière"  # alphabetical, accents ignored
    assert "Maçon / Maçonne" in [h.label for h in search_appellations("F1703", limit=100)]


def test_the_start_of_a_rome_code_lists_its_domain():
    hits = search_appellations("F17", limit=20)
    assert len(hits) == 20 and all(hit.rome_code.startswith("F17") for hit in hits)


@pytest.mark.parametrize("query", ["", "   ", "--", "xqzwvk"])
def test_nothing_to_find_gives_an_empty_list(query):
    assert search_appellations(query) == []


def test_limit_is_respected():
    assert len(search_appellations("agent", limit=3)) == 3


# --- Communes ----------------------------------------------------------------------------------

def test_st_denis_gives_the_big_saint_denis_before_the_small_ones():
    hits = search_communes("st denis", limit=20)
    codes = [hit.insee_code for hit in hits]
    # Without a territory, the bigger one (La Réunion) first, then Seine-Saint-Denis.
    assert codes[:2] == [SAINT_DENIS_974, SAINT_DENIS_93]
    assert {hits[0].name, hits[1].name} == {"Saint-Denis"}
    assert codes.index(SAINT_DENIS_93) < codes.index("11339") and codes.index(SAINT_DENIS_93) < codes.index("30247")


def test_st_denis_in_a_territory_of_seine_saint_denis_gives_saint_denis_93_first():
    hit = first_commune("st denis", prefer_departments=frozenset({"93"}))
    assert hit.insee_code == SAINT_DENIS_93
    assert hit.postcodes == ("93200", "93210", "93380")
    assert (hit.department, round(hit.latitude, 2), round(hit.longitude, 2)) == ("93", 48.94, 2.36)
    assert hit.display == "Saint-Denis (93200)"


def test_territory_preference_applies_to_names_starting_alike():
    # Saint-Ouen (41) is named exactly so, but the guichet of Seine-Saint-Denis means Saint-Ouen-sur-Seine.
    assert first_commune("st ouen").insee_code == "41226"
    assert first_commune("st ouen", prefer_departments=frozenset({"93"})).insee_code == "93070"


def test_an_exact_name_comes_before_bigger_communes_starting_alike():
    assert first_commune("sains").insee_code == "35248"  # Sains (483 people), not Sains-en-Gohelle


@pytest.mark.parametrize("postcode", ["93200", "93210", "93380"])
def test_a_postcode_finds_its_commune(postcode):
    hits = search_communes(postcode)
    assert [hit.insee_code for hit in hits] == [SAINT_DENIS_93]
    assert hits[0].score == 100


def test_the_start_of_a_postcode_lists_communes_by_population():
    hits = search_communes("93", limit=5)
    assert [hit.name for hit in hits][:3] == ["Saint-Denis", "Montreuil", "Aubervilliers"]
    assert all(hit.department == "93" for hit in hits)
    populations = [hit.population for hit in hits]
    assert populations == sorted(populations, reverse=True)


def test_an_insee_code_finds_its_commune():
    assert first_commune("2A004").name == "Ajaccio"
    assert first_commune("93066").insee_code == SAINT_DENIS_93


@pytest.mark.parametrize("query", ["aubervilier", "Aubervillier", "auberviliers", "aubervil"])
def test_aubervilliers_despite_typos_or_unfinished(query):
    assert first_commune(query).insee_code == "93001"


@pytest.mark.parametrize("query", ["paris 11", "Paris 11e", "paris 11eme", "Paris 11ème arrondissement", "75011"])
def test_paris_11_finds_the_district(query):
    hit = first_commune(query)
    assert (hit.insee_code, hit.name) == ("75111", "Paris 11e Arrondissement")


@pytest.mark.parametrize("query", ["l ile st denis", "L'Île-Saint-Denis", "ile saint denis", "l'ile-st-denis"])
def test_l_ile_saint_denis(query):
    hit = first_commune(query)
    assert (hit.insee_code, hit.score) == ("93039", 100)


@pytest.mark.parametrize("query, code", [("montreil", "93048"), ("la courneuv", "93027"),
                                         ("epinay sur seine", "93031"), ("villetaneuse", "93079")])
def test_more_communes_of_the_territory(query, code):
    assert first_commune(query, prefer_departments=frozenset({"93"})).insee_code == code


@pytest.mark.parametrize("query", ["", "-", "zzqxwv"])
def test_no_commune_for_nothing(query):
    assert search_communes(query) == []


# --- The index ---------------------------------------------------------------------------------

def test_index_is_built_at_first_search_then_searches_run_no_sql(app, count_queries):
    app.extensions.pop(EXTENSION_KEY, None)  # as create_app leaves it
    with count_queries() as first:
        assert first_commune("st denis").name == "Saint-Denis"
    assert len(first) == 2  # appellations, communes
    with count_queries() as later:
        assert first_commune("aubervilier").insee_code == "93001"
        assert first_appellation("macon").code == 16250
        assert search_communes("93200") and search_appellations("F1703")
    assert later == []
    assert get_index() is app.extensions[EXTENSION_KEY]


def test_create_app_does_not_build_the_index():
    from clausematch import create_app

    assert EXTENSION_KEY not in create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).extensions


def test_clear_index_forgets_it(app):
    clear_index()
    assert EXTENSION_KEY not in app.extensions
