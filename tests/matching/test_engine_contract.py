"""The engine's public contract: API shape, constraints, scores, order, reasons, symmetry."""
import ast
import dataclasses
import math
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausematch.matching.engine import CandidateProfile, Match, MatchingEngine, OfferProfile
from clausematch.matching.engine.referential import default_referential
from clausematch.matching.engine.scoring import haversine_km
from clausematch.vocabulary import Criterion

SAINT_DENIS = (48.9362, 2.3574)
KM = 1 / 111.2  # degrees of latitude per km
CRITERIA = [c.value for c in Criterion]
ENGINE = Path(__file__).resolve().parents[2] / "clausematch" / "matching" / "engine"
# What the engine may import of the application: itself, and the pure French text normalisation.
ENGINE_MAY_IMPORT = ("clausematch.matching.engine", "clausematch.text")


@pytest.fixture(scope="module")
def engine():
    return MatchingEngine()


def north(km: float) -> tuple[float, float]:
    return SAINT_DENIS[0] + km * KM, SAINT_DENIS[1]


def candidate(id, titles, km=None, **kw) -> CandidateProfile:
    lat, lon = north(km) if km is not None else (None, None)
    return CandidateProfile(id, titles, latitude=lat, longitude=lon, **kw)


def offer(title="Maçon H/F", **kw) -> OfferProfile:
    return OfferProfile("offre", title, latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1], **kw)


def test_the_profiles_are_frozen_with_the_issue_s_fields_and_defaults():
    assert [f.name for f in dataclasses.fields(CandidateProfile)] == [
        "id", "job_titles", "rome_codes", "skills", "latitude", "longitude", "mobility_km", "criteria", "available",
        "certificates"]
    assert [f.name for f in dataclasses.fields(OfferProfile)] == [
        "id", "title", "rome_code", "description", "skills", "latitude", "longitude", "eligible_criteria",
        "required_criteria", "required_certificates", "wished_certificates", "certificate_mode"]
    assert [f.name for f in dataclasses.fields(Match)] == ["id", "score", "reasons"]
    c, o = CandidateProfile(1, ["maçon"]), OfferProfile(2, "Maçon")
    assert (c.rome_codes, c.skills, c.latitude, c.mobility_km, c.criteria, c.available) == (
        [], [], None, 30.0, frozenset(), True)
    assert (o.rome_code, o.description, o.skills, o.eligible_criteria, o.required_criteria) == (
        None, "", [], frozenset(), frozenset())
    assert CandidateProfile(3, []).rome_codes is not c.rome_codes  # no shared mutable default
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.available = False


def test_engines_share_the_default_referential_or_the_one_given():
    shared = default_referential()
    assert MatchingEngine().referential is shared
    other = type(shared)(shared.code_labels, shared.appellations[:10])
    assert MatchingEngine(referential=other).referential is other


def test_importing_the_engine_loads_no_referential_no_scikit_learn_and_nothing_of_the_app():
    code = ("import sys, clausematch.matching.engine, clausematch.matching.engine.referential as r; "
            "assert r._default is None, 'referential loaded'; assert 'sklearn' not in sys.modules, 'sklearn'; "
            "app = sorted(m for m in sys.modules if m.startswith('clausematch.') and m != 'clausematch.matching' "
            "and not m.startswith(('clausematch.matching.engine', 'clausematch.text'))); assert not app, app")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_engine_modules_import_nothing_of_the_application():
    modules = sorted(ENGINE.glob("*.py"))
    assert len(modules) >= 12
    for path in modules:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert not any(node.level for node in ast.walk(tree) if isinstance(node, ast.ImportFrom))
        forbidden = {m for m in imported if m.split(".")[0] in ("flask", "sqlalchemy", "flask_sqlalchemy")
                     or (m.startswith("clausematch") and not m.startswith(ENGINE_MAY_IMPORT))}
        assert not forbidden, f"{path.name} imports {forbidden}"


def test_the_engine_s_criteria_are_the_vocabulary_s_in_the_same_order():
    from clausematch.matching.engine.reasons import CRITERION_REASONS
    from clausematch.matching.engine.segment import CRITERIA as ENGINE_CRITERIA

    assert ENGINE_CRITERIA == CRITERIA
    assert list(CRITERION_REASONS) == CRITERIA


def test_same_code_ranks_above_same_domain_above_unrelated_text(engine):
    engine.index_candidates([
        candidate("unrelated", ["agent de sécurité"], km=3),  # K2503: shares the word "agent" only
        candidate("same-domain", ["laveur de vitres"], km=1),  # K2202: propreté, like K2204
        candidate("same-code", ["technicien de surface"], km=25),  # farther, but the same job
        candidate("cook", ["cuisinier"], km=1),  # nothing shared: never returned
    ])
    ranked = engine.candidates_for(offer("Agent d'entretien"))
    assert [m.id for m in ranked] == ["same-code", "same-domain", "unrelated"]
    scores = [m.score for m in ranked]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert ranked[0].reasons[0] == "Même métier : K2204 Nettoyage de locaux"
    assert ranked[1].reasons[0] == "Métier proche : K2202 Lavage de vitres (domaine K22)"
    assert ranked[2].reasons == ["Intitulé proche : « agent de sécurité »", "à 3 km"]


def test_within_the_same_job_nearer_comes_first(engine):
    engine.index_candidates([candidate(f"c{km}", ["maçon"], km=km) for km in (25, 3, 12)])
    ranked = engine.candidates_for(offer())
    assert [m.id for m in ranked] == ["c3", "c12", "c25"]
    assert ranked[0].reasons == ["Même métier : F1703 Maçonnerie", "Intitulé proche : « maçon »", "à 3 km"]


def test_reasons_name_distance_criteria_and_close_titles_in_french(engine):
    engine.index_candidates([
        candidate("qpv", ["maçon coffreur"], km=0.4, criteria=frozenset({"qpv", "rsa", "rqth"})),
        candidate("far-away", ["macon"], criteria=frozenset({"rsa"})),
    ])
    ranked = {m.id: m.reasons for m in engine.candidates_for(offer(eligible_criteria=frozenset({"rsa", "deld"}),
                                                                      required_criteria=frozenset({"qpv"})))}
    assert ranked == {"qpv": ["Même métier : F1703 Maçonnerie", "Intitulé proche : « maçon coffreur »",
                              "à moins de 1 km", "public éligible : RSA", "résident QPV"]}
    ranked = {m.id: m.reasons for m in engine.candidates_for(offer(eligible_criteria=frozenset({"rsa"})))}
    assert ranked["far-away"][-2:] == ["distance inconnue", "public éligible : RSA"]


def test_offers_for_is_the_mirror_of_candidates_for(engine):
    people = [candidate("near", ["maçon"], km=2, criteria=frozenset({"qpv"})),
              candidate("related", ["coffreur"], km=5), candidate("cook", ["cuisinier"], km=1)]
    offers = [OfferProfile("o-macon", "Maçon", latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1]),
              OfferProfile("o-qpv", "Maçon VRD", required_criteria=frozenset({"qpv"})),
              OfferProfile("o-cuisine", "Commis de cuisine", latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1])]
    engine.index_candidates(people)
    engine.index_offers(offers)
    forward = {(m.id, o.id): m.score for o in offers for m in engine.candidates_for(o)}
    backward = {(c.id, m.id): m.score for c in people for m in engine.offers_for(c)}
    assert forward == backward
    assert ("near", "o-qpv") in forward and ("related", "o-qpv") not in forward


def test_an_unavailable_candidate_gets_no_offer_and_k_bounds_the_answer(engine):
    engine.index_offers([OfferProfile(i, "Maçon") for i in range(30)])
    assert engine.offers_for(CandidateProfile("c", ["maçon"], available=False)) == []
    assert len(engine.offers_for(CandidateProfile("c", ["maçon"]))) == 20
    assert len(engine.offers_for(CandidateProfile("c", ["maçon"]), k=5)) == 5
    assert engine.offers_for(CandidateProfile("c", ["maçon"]), k=0) == []


# --- Constraints, over random profiles ----------------------------------------------------------

TITLES = ["maçon", "Maçonne H/F", "coffreur", "macon coffreur", "agent d'entretien", "cuisinier", "cuisiniere",
          "electricien batiment", "jardinier espaces verts", "plombier", "manoeuvre", "aide maçon"]
criteria_sets = st.frozensets(st.sampled_from(CRITERIA + ["inconnu"]), max_size=3)
positions = st.one_of(st.none(), st.tuples(st.floats(48.7, 49.1), st.floats(2.1, 2.6)))
candidates = st.builds(
    lambda i, titles, position, mobility, criteria, available: CandidateProfile(
        i, titles, latitude=position and position[0], longitude=position and position[1], mobility_km=mobility,
        criteria=criteria, available=available),
    st.just(0), st.lists(st.sampled_from(TITLES), min_size=0, max_size=2), positions,
    st.sampled_from([0.0, 2.0, 5.0, 15.0, 30.0]), criteria_sets, st.booleans())
offers = st.builds(
    lambda title, position, eligible, required: OfferProfile(
        "o", title, latitude=position and position[0], longitude=position and position[1],
        eligible_criteria=eligible, required_criteria=required),
    st.sampled_from(TITLES), positions, criteria_sets,
    st.frozensets(st.sampled_from(CRITERIA + ["inconnu"]), max_size=2))


def breaks_a_constraint(c: CandidateProfile, o: OfferProfile) -> bool:
    if not c.available or (o.eligible_criteria and not o.eligible_criteria & c.criteria):
        return True
    if not o.required_criteria <= c.criteria:
        return True
    if None in (c.latitude, o.latitude):
        return False
    return float(haversine_km(o.latitude, o.longitude, c.latitude, c.longitude)) > c.mobility_km


@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(people=st.lists(candidates, min_size=1, max_size=25), wanted=offers)
def test_no_ranking_ever_returns_a_pair_breaking_a_constraint(engine, people, wanted):
    people = [dataclasses.replace(c, id=i) for i, c in enumerate(people)]
    engine.index_candidates(people)
    ranked = engine.candidates_for(wanted, k=len(people))
    assert not [m.id for m in ranked if breaks_a_constraint(people[m.id], wanted)]
    assert all(0 <= m.score <= 1 and not math.isnan(m.score) for m in ranked)
    assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
    assert all(m.reasons and all(isinstance(r, str) for r in m.reasons) for m in ranked)
    engine.index_offers([wanted])
    for person in people:
        returned = [m.id for m in engine.offers_for(person)]
        assert not (returned and breaks_a_constraint(person, wanted))
