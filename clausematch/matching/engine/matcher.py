"""The matching engine: in-memory indexes of candidates and offers, ranked both ways.

    engine = MatchingEngine()                  # the bundled ROME referential, loaded once
    engine.index_candidates(profiles)          # whole side, e.g. at start-up or nightly
    engine.upsert_candidate(profile)           # after each change; visible to the next query
    engine.candidates_for(offer, k=20)         # [Match(id, score, reasons)], best first

Pure computation: no Flask, no database. Thread-safe (one lock: rankings take milliseconds).
Scoring is documented in scoring.py; learnt re-weighting in learning.py.
"""
import threading
from collections.abc import Hashable, Iterable

import numpy as np

from clausematch.matching.engine.building import TitleTable, build
from clausematch.matching.engine.profiles import CandidateProfile, Match, OfferProfile
from clausematch.matching.engine.ranking import Query, match_segment, pair_features, top
from clausematch.matching.engine.reasons import reasons
from clausematch.matching.engine.referential import Referential, default_referential
from clausematch.matching.engine.scoring import FEATURE_NAMES, Weights
from clausematch.matching.engine.segment import candidate_row, offer_row
from clausematch.matching.engine.store import Store


class MatchingEngine:
    def __init__(self, referential: Referential | None = None, weights: Weights | None = None,
                 certificates=None):
        self.referential = referential or default_referential()
        # code → item with label, group, short (clausematch.referential.certificates.catalogue()),
        # for the reasons; without it, codes are shown as they are.
        self.certificates = certificates if certificates is not None else {}
        self.weights = weights or Weights()
        self.model = None  # a learning.TrainedModel in use, or None for the fixed weights
        self._candidates = Store(candidate_row, self.referential)
        self._offers = Store(offer_row, self.referential)
        self._lock = threading.RLock()

    # --- Feeding -----------------------------------------------------------------------------

    def index_candidates(self, candidates: Iterable[CandidateProfile]) -> None:
        """Replace every indexed candidate by `candidates`."""
        with self._lock:
            self._candidates.replace(candidates)

    def index_offers(self, offers: Iterable[OfferProfile]) -> None:
        """Replace every indexed offer by `offers`."""
        with self._lock:
            self._offers.replace(offers)

    def upsert_candidate(self, candidate: CandidateProfile) -> None:
        with self._lock:
            self._candidates.upsert(candidate)

    def remove_candidate(self, id: Hashable) -> bool:
        with self._lock:
            return self._candidates.remove(id)

    def upsert_offer(self, offer: OfferProfile) -> None:
        with self._lock:
            self._offers.upsert(offer)

    def remove_offer(self, id: Hashable) -> bool:
        with self._lock:
            return self._offers.remove(id)

    @property
    def candidate_count(self) -> int:
        return len(self._candidates)

    @property
    def offer_count(self) -> int:
        return len(self._offers)

    # --- Ranking -----------------------------------------------------------------------------

    def candidates_for(self, offer: OfferProfile, k: int = 20) -> list[Match]:
        """The k best candidates for `offer`, best first, none breaking a constraint."""
        return self._rank(offer_row(offer), self._candidates, k)

    def offers_for(self, candidate: CandidateProfile, k: int = 20) -> list[Match]:
        """The k best offers for `candidate`, best first (none if the candidate is unavailable)."""
        return self._rank(candidate_row(candidate), self._offers, k)

    def _rank(self, row, store: Store, k: int) -> list[Match]:
        with self._lock:
            query = Query.of(row, self.referential)
            scorer = self.scorer
            hits = [match_segment(segment, query, scorer) for segment in store.live_segments()]
            winners = top(hits, k)
            return [Match(h.segment.ids[int(h.rows[p])], round(float(h.scores[p]), 4),
                          reasons(h, p, query, self.referential, store.titles,
                                  self.certificates)) for h, p in winners]

    # --- Scores --------------------------------------------------------------------------------

    @property
    def scorer(self):
        """What turns features into scores: the learnt model in use, else the fixed weights."""
        return self.model if self.model is not None else self.weights

    def use_model(self, model) -> None:
        """Score with a learnt model (learning.TrainedModel) from now on. The caller decides
        whether it should (learning: only a model that beat the fixed weights)."""
        if tuple(getattr(model, "feature_names", ())) != FEATURE_NAMES:
            raise ValueError("the model was fitted on other features than the engine's")
        with self._lock:
            self.model = model

    def use_fixed_weights(self) -> None:
        with self._lock:
            self.model = None

    def features(self, candidate: CandidateProfile, offer: OfferProfile) -> np.ndarray:
        """The feature vector of one pair (scoring.FEATURE_NAMES), constraints ignored: what
        learning.py fits models on, computed by the same code as rankings."""
        segment = build([candidate_row(candidate)], self.referential, TitleTable())
        return pair_features(segment, Query.of(offer_row(offer), self.referential))
