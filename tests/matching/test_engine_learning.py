"""Learning from outcomes (pure part): fitting, evaluating, serialising, applying a model."""
import json

import numpy as np
import pytest

from clausematch.matching.engine import CandidateProfile, MatchingEngine, OfferProfile, learning
from clausematch.matching.engine.scoring import FEATURE_NAMES, Weights

SAINT_DENIS = (48.9362, 2.3574)


def history(size: int, label, seed: int = 1):
    """(features, hired) rows: random features, labelled by `label(features, rng)`."""
    rng = np.random.default_rng(seed)
    rows = rng.random((size, len(FEATURE_NAMES)))
    rows[:, 4] = rows[:, 4] > 0.1  # distance known most of the time
    return [(row, label(row, rng)) for row in rows]


def near_is_hired(row, rng) -> bool:
    """Outcomes driven by distance, which the fixed weights rank low."""
    return bool(row[3] > 0.5) != bool(rng.random() < 0.1)


def fixed_order(row, rng) -> bool:
    """Outcomes the fixed weights already rank perfectly."""
    return bool(Weights().score(row[None, :])[0] > 0.45)


def test_a_model_is_kept_when_it_beats_the_fixed_weights_on_held_out_outcomes():
    model = learning.train(history(400, near_is_hired), seed=3)
    assert model.beats_fixed_weights is True
    assert model.metrics["auc"]["model"] >= model.metrics["auc"]["fixed"] + learning.MIN_GAIN
    assert model.metrics["ndcg"]["model"] >= model.metrics["ndcg"]["fixed"]
    assert model.metrics["held_out"] == 120 and model.metrics["trained_on"] == 280 and model.samples == 400
    assert model.coefficients[FEATURE_NAMES.index("proximity")] == max(model.coefficients)


def test_a_model_that_does_not_beat_the_fixed_weights_says_so():
    model = learning.train(history(400, fixed_order), seed=3)
    assert model is not None and model.beats_fixed_weights is False
    assert model.metrics["auc"]["fixed"] == 1.0


@pytest.mark.parametrize("rows", [
    history(learning.MIN_ROWS - 1, near_is_hired),  # too few
    history(200, lambda row, rng: True),  # hires only
    history(200, lambda row, rng: False),  # refusals only
])
def test_no_model_without_enough_outcomes_of_both_kinds(rows):
    assert learning.train(rows) is None


def test_rows_of_the_wrong_width_are_refused():
    with pytest.raises(ValueError):
        learning.train([(np.zeros(3), i % 2) for i in range(60)])


def test_a_model_round_trips_through_json_and_scores_the_same():
    model = learning.train(history(300, near_is_hired))
    data = json.loads(json.dumps(model.to_dict()))
    assert set(data) == {"algorithm", "samples", "parameters", "metrics", "beats_fixed_weights"}
    again = learning.TrainedModel.from_dict(data)
    assert again == model
    features = np.random.default_rng(0).random((20, len(FEATURE_NAMES)))
    assert np.array_equal(again.score(features), model.score(features))
    assert ((0 <= model.score(features)) & (model.score(features) <= 1)).all()
    with pytest.raises(ValueError):
        learning.TrainedModel.from_dict({**data, "parameters": {**data["parameters"], "feature_names": ["x"]}})


def test_features_describe_a_pair_whatever_the_constraints():
    engine = MatchingEngine()
    person = CandidateProfile("c", ["maçon"], latitude=SAINT_DENIS[0] + 3 / 111.2, longitude=SAINT_DENIS[1],
                              mobility_km=10, criteria=frozenset({"qpv"}), available=False)
    job = OfferProfile("o", "Maçon", latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1],
                       eligible_criteria=frozenset({"qpv", "rsa"}))
    features = dict(zip(FEATURE_NAMES, learning.features(engine, person, job), strict=True))
    assert features["same_code"] == 1 and features["same_domain"] == 1 and features["text"] == pytest.approx(1)
    assert features["proximity"] == pytest.approx(0.7, abs=0.01) and features["distance_known"] == 1
    assert features["criteria"] == 0.5
    unrelated = dict(zip(FEATURE_NAMES, learning.features(engine, CandidateProfile("d", ["cuisinier"]), job),
                         strict=True))
    assert [unrelated[n] for n in ("same_code", "same_domain", "text", "proximity", "distance_known")] == [
        0, 0, 0, 0.5, 0]


def test_the_engine_applies_a_model_to_its_rankings_and_can_go_back():
    engine = MatchingEngine()
    engine.index_candidates([
        CandidateProfile("same-job-far", ["maçon"], latitude=SAINT_DENIS[0] + 25 / 111.2, longitude=SAINT_DENIS[1]),
        CandidateProfile("related-near", ["coffreur"], latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1]),
        CandidateProfile("too-far", ["maçon"], latitude=SAINT_DENIS[0] + 40 / 111.2, longitude=SAINT_DENIS[1]),
    ])
    job = OfferProfile("o", "Maçon", latitude=SAINT_DENIS[0], longitude=SAINT_DENIS[1])
    assert [m.id for m in engine.candidates_for(job)] == ["same-job-far", "related-near"]
    distance_first = learning.TrainedModel((0.5, 0.5, 0.0, 6.0, 0.0, 0.0), -3.0, 100, beats_fixed_weights=True)
    engine.use_model(distance_first)
    ranked = engine.candidates_for(job)
    assert [m.id for m in ranked] == ["related-near", "same-job-far"]  # still nobody beyond mobility
    assert ranked[0].score == pytest.approx(float(distance_first.score(np.array([[0, 1, 0, 1, 1, 0]]))[0]), abs=1e-3)
    engine.use_fixed_weights()
    assert [m.id for m in engine.candidates_for(job)] == ["same-job-far", "related-near"]
    with pytest.raises(ValueError):
        engine.use_model(Weights())
