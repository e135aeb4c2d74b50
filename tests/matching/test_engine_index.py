"""The in-memory index: upserts and removals visible at once, merges and compaction invisible."""
import random

import pytest

from clausematch.matching.engine import CandidateProfile, MatchingEngine, OfferProfile
from clausematch.matching.engine import store as store_module

OFFER = OfferProfile("o", "Maçon H/F", latitude=48.9362, longitude=2.3574)


@pytest.fixture
def engine():
    engine = MatchingEngine()
    engine.index_candidates([CandidateProfile(i, ["maçon"], latitude=48.9462 + i / 100, longitude=2.3574)
                             for i in range(5)])
    return engine


def ids(matches) -> list:
    return [m.id for m in matches]


def test_an_upserted_candidate_is_ranked_by_the_very_next_query(engine):
    engine.upsert_candidate(CandidateProfile("new", ["maçon"], latitude=48.9362, longitude=2.3574))
    assert ids(engine.candidates_for(OFFER))[0] == "new"
    assert engine.candidate_count == 6


def test_an_upsert_replaces_the_previous_profile_of_the_same_id(engine):
    engine.upsert_candidate(CandidateProfile(0, ["cuisinier"]))
    assert 0 not in ids(engine.candidates_for(OFFER))
    assert ids(engine.candidates_for(OfferProfile("c", "Cuisinier"))) == [0]
    engine.upsert_candidate(CandidateProfile(0, ["maçon"], available=False))
    assert 0 not in ids(engine.candidates_for(OFFER)) + ids(engine.candidates_for(OfferProfile("c", "Cuisinier")))
    assert engine.candidate_count == 5


def test_a_removed_candidate_disappears_at_once(engine):
    assert engine.remove_candidate(3) is True
    assert 3 not in ids(engine.candidates_for(OFFER))
    assert engine.remove_candidate(3) is False
    assert engine.remove_candidate("never indexed") is False
    engine.upsert_candidate(CandidateProfile("pending", ["maçon"]))
    assert engine.remove_candidate("pending") is True  # removed before any query built it
    assert "pending" not in ids(engine.candidates_for(OFFER))
    assert engine.candidate_count == 4


def test_index_candidates_replaces_the_whole_side_and_the_last_duplicate_wins(engine):
    engine.index_candidates([CandidateProfile("a", ["cuisinier"]), CandidateProfile("a", ["maçon"]),
                             CandidateProfile("b", ["maçon"])])
    assert sorted(ids(engine.candidates_for(OFFER))) == ["a", "b"]
    assert engine.candidate_count == 2


def test_offers_are_upserted_and_removed_the_same_way(engine):
    engine.index_offers([OFFER])
    person = CandidateProfile("p", ["maçon"], latitude=48.94, longitude=2.36)
    engine.upsert_offer(OfferProfile("o2", "Maçon", latitude=48.94, longitude=2.36))
    assert ids(engine.offers_for(person)) == ["o2", "o"]
    engine.remove_offer("o")
    assert ids(engine.offers_for(person)) == ["o2"]
    assert engine.offer_count == 1


def test_many_changes_merge_and_compact_segments_without_changing_any_answer(monkeypatch):
    """Random upserts and removals, queried along the way (each query flushes a small segment),
    must rank exactly like an engine built afresh from the final profiles."""
    monkeypatch.setattr(store_module, "FLUSH_AT", 7)
    rng = random.Random(4)
    titles = ["maçon", "coffreur", "cuisinier", "aide maçon", "agent d'entretien", "macon vrd"]

    def person(i):
        return CandidateProfile(i, [rng.choice(titles)], latitude=48.9 + rng.random() / 10, longitude=2.35,
                                criteria=frozenset(rng.sample(["qpv", "rsa", "deld"], rng.randint(0, 2))))
    live = {i: person(i) for i in range(40)}
    engine = MatchingEngine()
    engine.index_candidates(live.values())
    offers = [OFFER, OfferProfile("k", "Agent de propreté", eligible_criteria=frozenset({"rsa", "qpv"}))]
    for step in range(300):
        i = rng.randrange(80)
        if rng.random() < 0.35:
            assert engine.remove_candidate(i) == (live.pop(i, None) is not None)
        else:
            live[i] = person(i)
            engine.upsert_candidate(live[i])
        if step % 5 == 0:
            engine.candidates_for(offers[step % 2])
    segments = engine._candidates.live_segments()
    assert len(segments) < 10  # merged as they piled up
    assert sum(s.size - s.dead for s in segments) == len(live) == engine.candidate_count
    fresh = MatchingEngine()
    fresh.index_candidates(live.values())
    for wanted in offers:
        ranked = engine.candidates_for(wanted, k=100)
        assert {m.id: (m.score, m.reasons) for m in ranked} == {
            m.id: (m.score, m.reasons) for m in fresh.candidates_for(wanted, k=100)}
        assert [m.score for m in ranked] == sorted((m.score for m in ranked), reverse=True)
