"""Certificates in the engine: a tier, not a weight — same-trade holders of an offer's required
certificates first whatever the distance, "require" mode leaving the others out, near misses
named, wished ones a bonus; both directions; kept through upserts and segment merges."""
import dataclasses

import numpy as np
import pytest

from clausematch.matching.engine import CandidateProfile, MatchingEngine, OfferProfile
from clausematch.matching.engine.segment import Items
from clausematch.referential.certificates import catalogue

SAINT_DENIS = (48.9362, 2.3574)
KM = 1 / 111.2
CACES_3 = "caces-r489-3"


@pytest.fixture(scope="module")
def engine():
    return MatchingEngine(certificates=catalogue())


def person(id, km, certificates=(), titles=("cariste",), mobility_km=60):
    return CandidateProfile(id, list(titles), latitude=SAINT_DENIS[0] + km * KM, longitude=SAINT_DENIS[1],
                            mobility_km=mobility_km, certificates=catalogue().closure(certificates))


def forklift_offer(id="offre", required=(CACES_3,), wished=(), mode="prefer", title="Cariste"):
    return OfferProfile(id, title, latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1],
                        required_certificates=frozenset(required), wished_certificates=frozenset(wished),
                        certificate_mode=mode)


def test_a_holder_40_km_away_ranks_above_a_non_holder_next_door_of_the_same_trade(engine):
    engine.index_candidates([person("voisin", 0.3), person("presque", 1, ["caces-r489-1a"]),
                             person("titulaire", 40, [CACES_3]), person("magasinier", 0.5, [CACES_3], ["magasinier"])])
    ranked = engine.candidates_for(forklift_offer())
    assert [m.id for m in ranked][:1] == ["titulaire"]
    # Without the requirement, distance decides among the same trade: the neighbour comes first.
    assert engine.candidates_for(forklift_offer(required=()))[0].id == "voisin"
    # The holders of another trade stay below the same trade (job fit first, as before).
    assert [m.id for m in ranked].index("magasinier") > [m.id for m in ranked].index("voisin")
    reasons = {m.id: m.reasons for m in ranked}
    assert "CACES R489 cat. 3 : détenu" in reasons["titulaire"]
    assert "manque : CACES R489 cat. 3" in reasons["voisin"]
    assert "manque : CACES R489 cat. 3 (détient cat. 1A)" in reasons["presque"]
    assert all(0 <= m.score <= 1 for m in ranked)


def test_require_mode_leaves_out_whoever_lacks_one(engine):
    engine.index_candidates([person("voisin", 0.3), person("titulaire", 40, [CACES_3, "sst"]),
                             person("un-sur-deux", 2, ["sst"])])
    ranked = engine.candidates_for(forklift_offer(required=(CACES_3, "sst"), mode="require"))
    assert [m.id for m in ranked] == ["titulaire"]
    assert ranked[0].reasons[2:4] == ["CACES R489 cat. 3 : détenu", "SST (sauveteur secouriste du travail) : détenu"]


def test_implied_items_count_as_held(engine):
    engine.index_candidates([person("ce", 30, ["permis-ce"], ["chauffeur poids lourd"]),
                             person("b", 1, ["permis-b"], ["chauffeur poids lourd"])])
    ranked = engine.candidates_for(forklift_offer(required=("permis-c",), title="Chauffeur poids lourd"))
    assert [m.id for m in ranked] == ["ce", "b"]
    assert "Permis C : détenu" in ranked[0].reasons
    assert "manque : Permis C (détient B)" in ranked[1].reasons


def test_wished_items_are_a_bonus_within_the_tier_not_above_it(engine):
    engine.index_candidates([person("sans", 5, [CACES_3]), person("avec", 5.5, [CACES_3, "sst"]),
                             person("sst-seul", 0.2, ["sst"])])
    ranked = engine.candidates_for(forklift_offer(wished=("sst",)))
    assert [m.id for m in ranked] == ["avec", "sans", "sst-seul"]
    assert "SST (sauveteur secouriste du travail) : détenu (souhaité)" in ranked[0].reasons


def test_offers_for_a_candidate_name_what_they_hold_and_lack_and_rank_the_ones_they_can_take_first(engine):
    engine.index_offers([forklift_offer("exige-caces"), forklift_offer("sans-exigence", required=()),
                         forklift_offer("exige-ss4", required=("ss4",))])
    holder = engine.offers_for(person("p", 10, [CACES_3]))
    assert [m.id for m in holder][-1] == "exige-ss4"
    reasons = {m.id: m.reasons for m in holder}
    assert "CACES R489 cat. 3 : détenu" in reasons["exige-caces"]
    assert "manque : SS4 amiante" in reasons["exige-ss4"]
    lacking = engine.offers_for(person("q", 10, ["caces-r489-1b"]))
    assert [m.id for m in lacking][0] == "sans-exigence"
    assert "manque : CACES R489 cat. 3 (détient cat. 1B)" in {m.id: m.reasons for m in lacking}["exige-caces"]


def test_items_survive_upserts_removals_and_merges():
    engine = MatchingEngine(certificates=catalogue())
    engine.index_candidates([person(i, 1 + i % 7) for i in range(30)])
    for i in range(0, 30, 3):  # many small segments, merged as they pile up
        engine.upsert_candidate(person(i, 20, [CACES_3]))
        engine.candidates_for(forklift_offer(), k=1)
    engine.remove_candidate(0)
    ranked = engine.candidates_for(forklift_offer(), k=30)
    holders = [m.id for m in ranked if "CACES R489 cat. 3 : détenu" in m.reasons]
    assert sorted(holders) == list(range(3, 30, 3))
    assert [m.id for m in ranked][:len(holders)] == holders  # all of them first


def test_a_code_outside_the_referential_is_still_matched_and_shown_as_is():
    engine = MatchingEngine()  # no catalogue: codes shown as they are
    engine.index_candidates([person("a", 1), dataclasses.replace(person("b", 30), certificates=frozenset({"maison"}))])
    ranked = engine.candidates_for(forklift_offer(required=("maison",)))
    assert ranked[0].id == "b" and "maison : détenu" in ranked[0].reasons


def test_item_counts_are_read_column_by_column():
    items = Items.of([("a", "b"), (), ("b",), ("c", "a")])
    from clausematch.matching.engine.segment import item_columns
    assert items.held(item_columns(["a", "b"]), 4).tolist() == [2, 0, 1, 1]
    assert items.held(item_columns(["z"]), 4).tolist() == [0, 0, 0, 0]
    assert items.count.tolist() == [2, 0, 1, 2]
    assert items.codes(3) == sorted(["c", "a"], key=lambda c: item_columns([c])[0])
    assert isinstance(items.held(np.empty(0, np.int64), 4), np.ndarray)


def test_the_certificates_evaluation_runs_small_and_certificates_help():
    from benchmarks import certificates_eval

    result = certificates_eval.evaluate_certificates(candidates=1500, offers=30, seed=3)
    assert result["offers_scored"] > 0
    assert result["violations"] == 0 and result["lacking_in_require_mode"] == 0
    assert result["ndcg@10"] > result["ndcg@10_certificates_ignored"]
    assert "Objectif nDCG@10 ≥ 0,90" in certificates_eval.report(result)
