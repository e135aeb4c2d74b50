"""Learning from outcomes, database side: labelled pairs from the recorded applications, a model
fitted by learning.train, stored as a MatchingModel row, and activated only when it beats the
fixed weights on held-out data.

Labels:
- hired: a positive (the pair worked);
- refused for a reason about the match itself — lacks_skills, not_mobile, not_eligible,
  did_not_come: a negative;
- other refusals (position filled, candidate declined, no answer, other) and withdrawals say
  nothing about the fit: left out.
Each pair is described by the engine's own features (learning.features), from today's profiles
of the candidate and the offer, whatever their current status (a filled offer, a candidate now
in work). Criteria count as held when a facilitator validated them at any time: validity at the
date of the hire is not kept per pair, and a hired person's eligibility may have lapsed since.

Activation: a new model that beats the fixed weights becomes the only active one; one that does
not leaves the engine on the fixed weights (the latest evidence is that learning does not help);
too few outcomes to fit anything changes nothing.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.models import User
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.audit import record
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.matching import feed
from clausematch.matching.engine import MatchingEngine, learning
from clausematch.matching.models import MatchingModel
from clausematch.offers.models import Offer

SEED = 0
MATCH_REASONS = frozenset({RefusalReason.LACKS_SKILLS, RefusalReason.NOT_MOBILE, RefusalReason.NOT_ELIGIBLE,
                           RefusalReason.DID_NOT_COME})
# "Validated at any time": every validity date is on or after this one.
EVER = date.min


@dataclass(frozen=True)
class TrainingOutcome:
    """The stored model (None when there was too little to learn from) and a French summary."""

    model: MatchingModel | None
    message: str


def labelled() -> sa.ColumnElement[bool]:
    """Applications that say something about the fit: hires, and refusals about the match."""
    return sa.or_(Application.status == ApplicationStatus.HIRED,
                  sa.and_(Application.status == ApplicationStatus.REFUSED,
                          Application.refusal_reason.in_(MATCH_REASONS)))


def training_rows() -> list[tuple]:
    """(features, hired) for every labelled application, oldest first."""
    outcomes = db.session.execute(
        sa.select(Application.candidate_id, Application.offer_id,
                  (Application.status == ApplicationStatus.HIRED).label("hired"))
        .where(labelled()).order_by(Application.id)).all()
    if not outcomes:
        return []
    candidate_ids = sa.select(Application.candidate_id).where(labelled())
    offer_ids = sa.select(Application.offer_id).where(labelled())
    candidates = {p.id: p for p in feed.candidate_profiles(Candidate.id.in_(candidate_ids), on=EVER)}
    offers = {p.id: p for p in feed.offer_profiles(Offer.id.in_(offer_ids))}
    engine = MatchingEngine()  # features only: nothing is indexed
    return [(learning.features(engine, candidates[row.candidate_id], offers[row.offer_id]), bool(row.hired))
            for row in outcomes if row.candidate_id in candidates and row.offer_id in offers]


def train_and_store(actor: User | None = None) -> TrainingOutcome:
    """Fit, evaluate, store and (maybe) activate a model; one commit."""
    rows = training_rows()
    trained = learning.train(rows, seed=SEED)
    if trained is None:
        return TrainingOutcome(None, (
            f"Pas assez de résultats pour apprendre : {len(rows)} embauche(s) ou refus exploitable(s), il en "
            f"faut au moins {learning.MIN_ROWS}, avec des embauches et des refus. Le classement est inchangé."))
    data = trained.to_dict()
    model = MatchingModel(algorithm=data["algorithm"], samples=data["samples"], parameters=data["parameters"],
                          metrics=data["metrics"], beats_fixed_weights=data["beats_fixed_weights"],
                          is_active=False)
    db.session.execute(sa.update(MatchingModel).where(MatchingModel.is_active.is_(True)).values(is_active=False))
    model.is_active = trained.beats_fixed_weights
    db.session.add(model)
    db.session.flush()
    record("matching_model.trained", "matching_model", model.id, actor_id=actor.id if actor else None,
           samples=model.samples, beats_fixed_weights=model.beats_fixed_weights)
    db.session.commit()
    return TrainingOutcome(model, _summary(model))


def _summary(model: MatchingModel) -> str:
    auc = model.metrics.get("auc", {})
    model_auc, fixed_auc = (f"{auc.get(side, 0):.2f}".replace(".", ",") for side in ("model", "fixed"))
    figures = f"AUC {model_auc} contre {fixed_auc} pour les pondérations fixes"
    if model.is_active:
        return (f"Nouveau modèle appris sur {model.samples} résultats ({figures}) : il classe mieux que les "
                "pondérations fixes et est désormais utilisé.")
    return (f"Modèle appris sur {model.samples} résultats ({figures}) : il ne fait pas mieux que les "
            "pondérations fixes, qui restent utilisées.")


def as_trained(model: MatchingModel) -> learning.TrainedModel:
    """The engine's model from its stored row."""
    return learning.TrainedModel.from_dict({
        "algorithm": model.algorithm, "samples": model.samples, "parameters": model.parameters,
        "metrics": model.metrics, "beats_fixed_weights": model.beats_fixed_weights})
