"""Typed job titles → ROME codes: typos, accents, gender, short forms (the engine, no database)."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clausematch.matching.engine import CandidateProfile, MatchingEngine, OfferProfile
from clausematch.matching.engine.referential import default_referential
from clausematch.matching.engine.titles import ALIASES, plain_key
from clausematch.text import search_key


@pytest.fixture(scope="module")
def mapper():
    return default_referential().mapper


@pytest.mark.parametrize("title, code", [
    ("macon", "F1703"), ("maçonne", "F1703"), ("maconn", "F1703"), ("MAÇON H/F", "F1703"),
    ("Maçon / Maçonne", "F1703"), ("agent d entretien", "K2204"), ("Agent(e) d'entretien", "K2204"),
    ("agt d'entretien", "K2204"), ("electricien batiment", "F1602"), ("électricien du bâtiment", "F1602"),
    ("elecricien batiment", "F1602"), ("cuisinier", "G1602"), ("cuisinière", "G1602"), ("cuisiner", "G1602"),
    ("jardinier espaces verts", "A1203"), ("jardinière d'espace vert", "A1203"), ("peintre en batimnet", "F1606"),
    ("technicien de surface", "K2204"), ("f1703", "F1703"),
])
def test_typed_titles_map_to_their_rome_code(mapper, title, code):
    match = mapper.map_title(title)
    assert match is not None and match.rome_code == code
    assert 0.5 <= match.confidence <= 1.0


def test_aliases_are_search_keys_of_known_codes():
    referential = default_referential()
    assert all(search_key(key) == key and code in referential.code_labels for key, code in ALIASES.items())


def test_typos_lower_the_confidence_exact_titles_do_not(mapper):
    assert mapper.map_title("Cuisinier").confidence == 1.0
    assert mapper.map_title("cuisiner").confidence < 1.0


@pytest.mark.parametrize("title", ["", "   ", "xqzwv", "zzzzzzzzzz qqqqqqq"])
def test_nonsense_maps_to_nothing(mapper, title):
    assert mapper.map_title(title) is None


def test_a_batch_maps_each_distinct_title_once_and_keeps_the_order(mapper):
    titles = ["maçon", "cuisinier", "maçon", "jardinier paysagiste", "xqzwv"]
    matches = mapper.map_titles(titles)
    assert [m.rome_code if m else None for m in matches] == ["F1703", "G1602", "F1703", "A1203", None]
    assert matches[0] is matches[2]  # cached per distinct key


def test_explicit_rome_codes_win_over_the_typed_titles():
    engine = MatchingEngine()
    engine.index_candidates([
        CandidateProfile("given", ["cuisinier"], rome_codes=["F1703"]),
        CandidateProfile("typed", ["cuisinier"]),
    ])
    ranked = engine.candidates_for(OfferProfile("o", "Maçon", rome_code="F1703"))
    assert [m.id for m in ranked][:1] == ["given"]
    assert ranked[0].reasons[0] == "Même métier : F1703 Maçonnerie"
    assert "typed" not in [m.id for m in ranked if m.reasons[0].startswith("Même métier")]


def test_unknown_explicit_codes_are_ignored_and_the_title_is_used():
    engine = MatchingEngine()
    engine.index_candidates([CandidateProfile("c", ["maçon"], rome_codes=["Z9999", ""])])
    assert [m.id for m in engine.candidates_for(OfferProfile("o", "Maçon", rome_code="f1703"))] == ["c"]


@settings(max_examples=300, deadline=None, database=None)
@given(st.from_regex(r"[A-Za-z]{1,9}( [A-Za-z]{1,9}){0,4}", fullmatch=True)
       | st.lists(st.sampled_from(["de", "la", "d", "agt", "tech", "st", "resp", "macon", "l", "a"]),
                  min_size=1, max_size=4).map(" ".join))
def test_the_fast_key_of_plain_titles_is_the_search_key(text):
    assert plain_key(text.lower()) == search_key(text)
