"""Learning from outcomes: re-weight the engine's features from recorded hires and refusals.

Pure computation: the caller gathers (features, label) rows — `features(engine, candidate,
offer)` for each recorded pair, label 1 for a hire and 0 for a refusal — and calls `train`.
A logistic regression is fitted on part of the rows and compared with the fixed weights on the
rest (ROC AUC and nDCG of the held-out rows ranked by each score). The model is worth using
only when `beats_fixed_weights`: its AUC is at least MIN_GAIN higher and its nDCG not lower.
It serialises to plain JSON (`to_dict` / `from_dict`, no pickle); `engine.use_model(model)`
applies it to every pair at once, `engine.use_fixed_weights()` goes back.
"""
from dataclasses import dataclass, field

import numpy as np

from clausematch.matching.engine.scoring import FEATURE_NAMES, Weights

ALGORITHM = "logistic_regression"
MIN_ROWS = 50  # fewer recorded outcomes: no model
HELD_OUT = 0.3
MIN_GAIN = 0.01  # AUC points a model must win by to replace the fixed weights


def features(engine, candidate, offer) -> np.ndarray:
    """The engine's feature vector for one pair (scoring.FEATURE_NAMES order)."""
    return engine.features(candidate, offer)


@dataclass(frozen=True)
class TrainedModel:
    """A fitted logistic regression over the engine's features, with its evaluation."""

    coefficients: tuple[float, ...]
    intercept: float
    samples: int
    metrics: dict = field(default_factory=dict)
    beats_fixed_weights: bool = False
    feature_names: tuple[str, ...] = FEATURE_NAMES
    algorithm: str = ALGORITHM

    name = "modèle appris"

    def score(self, features: np.ndarray) -> np.ndarray:
        """Probability of a hire for each row of a (pairs × features) matrix: in [0, 1]."""
        logits = np.asarray(features, np.float64) @ np.asarray(self.coefficients) + self.intercept
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -500, 500)))

    def to_dict(self) -> dict:
        """JSON-ready; the keys match the columns of the MatchingModel table."""
        return {
            "algorithm": self.algorithm, "samples": self.samples,
            "parameters": {"feature_names": list(self.feature_names), "coefficients": list(self.coefficients),
                           "intercept": self.intercept},
            "metrics": self.metrics, "beats_fixed_weights": self.beats_fixed_weights,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "TrainedModel":
        parameters = data["parameters"]
        if data.get("algorithm") != ALGORITHM:
            raise ValueError(f"unknown algorithm {data.get('algorithm')!r}")
        if tuple(parameters["feature_names"]) != FEATURE_NAMES:
            raise ValueError("the model was fitted on other features than the engine's")
        return cls(tuple(float(c) for c in parameters["coefficients"]), float(parameters["intercept"]),
                   int(data["samples"]), dict(data.get("metrics") or {}), bool(data["beats_fixed_weights"]),
                   tuple(parameters["feature_names"]), data["algorithm"])


def train(rows, seed: int = 0, weights: Weights | None = None) -> TrainedModel | None:
    """Fit and evaluate a model on (features, label) rows; None when they cannot support one
    (fewer than MIN_ROWS, or hires or refusals missing from either part of the split)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split

    rows = list(rows)
    if len(rows) < MIN_ROWS:
        return None
    x = np.array([np.asarray(f, np.float64) for f, _ in rows])
    y = np.array([1 if label else 0 for _, label in rows])
    if x.ndim != 2 or x.shape[1] != len(FEATURE_NAMES):
        raise ValueError(f"each row needs {len(FEATURE_NAMES)} features")
    if min(y.sum(), len(y) - y.sum()) < 2:
        return None
    x_fit, x_test, y_fit, y_test = train_test_split(x, y, test_size=HELD_OUT, random_state=seed, stratify=y)
    if len(set(y_test)) < 2 or len(set(y_fit)) < 2:
        return None
    fitted = LogisticRegression(max_iter=1000).fit(x_fit, y_fit)
    model = TrainedModel(tuple(float(c) for c in fitted.coef_[0]), float(fitted.intercept_[0]), len(rows))
    metrics = evaluate(model, weights or Weights(), x_test, y_test)
    metrics.update(trained_on=len(y_fit), held_out=len(y_test), hires=int(y.sum()), refusals=int(len(y) - y.sum()))
    beats = (metrics["auc"]["model"] >= metrics["auc"]["fixed"] + MIN_GAIN
             and metrics["ndcg"]["model"] >= metrics["ndcg"]["fixed"])
    return TrainedModel(model.coefficients, model.intercept, len(rows), metrics, beats)


def evaluate(model, weights: Weights, x: np.ndarray, y: np.ndarray) -> dict:
    """AUC and nDCG of the model's and the fixed weights' scores on labelled rows."""
    from sklearn.metrics import ndcg_score, roc_auc_score

    learnt, fixed = model.score(x), weights.score(x)
    return {
        "auc": {"model": round(float(roc_auc_score(y, learnt)), 4), "fixed": round(float(roc_auc_score(y, fixed)), 4)},
        "ndcg": {"model": round(float(ndcg_score([y], [learnt])), 4),
                 "fixed": round(float(ndcg_score([y], [fixed])), 4)},
    }
