"""How the engine scores a candidate for an offer (and an offer for a candidate: the same pair).

Constraints first — a pair that breaks one is never returned, whatever the weights:
- the candidate is not available;
- the offer lists eligible criteria and the candidate holds none of them;
- the offer lists required criteria and the candidate lacks one of them (a criterion outside
  the vocabulary can be held by no one);
- both positions are known and they are farther apart than the candidate's mobility_km;
- no job fit at all: no shared ROME code, no shared ROME domain, no shared word.

Then six features, each in [0, 1], computed for every remaining pair at once (numpy):
- same_code: the offer's ROME code is one of the candidate's. Codes come from the profile when
  given, else from the typed titles (titles.py); the value is the confidence of that mapping
  (1 for a code given explicitly, about 0.5–0.99 for a typo matched to an appellation);
- same_domain: same for the 3-character ROME domain (F17: gros œuvre), so related jobs count;
  a pair with the same code has the same domain too;
- text: cosine of word TF-IDF vectors of typed titles, matched appellation labels and skills
  (vectors.py): it ranks variants within a code ("maçon coffreur" for a coffreur offer) and
  catches what the codes miss;
- proximity: 1 at the same place, falling linearly to 0 at the candidate's mobility limit;
  0.5 (neutral) when either position is unknown;
- distance_known: 1 when the distance could be measured (used by learnt models only);
- criteria: the share of the offer's listed criteria the candidate holds (0 when none listed).

The fixed score is the weighted mean Σ wᵢ·fᵢ / Σ wᵢ with the weights of `Weights`. Their sizes
make tiers: with codes known for sure, same code (0.5) + same domain (0.3) put a same-code pair
in [0.8, 1]; a pair in the same domain only lies in [0.3, 0.5]; any other pair in (0, 0.2].
Within a tier, proximity (0.1) counts more than text (0.06) and criteria (0.04). So a related
job never ranks below an unrelated one, then nearer candidates come first, as facilitators
source; a code guessed from a typo (confidence < 1) slides down its tier accordingly.

Certificates are not a feature: they make tiers (ranking.py). For an offer requiring some,
the candidates of its trade holding them all come before everyone else, so distance can never
outweigh them; in "require" mode the others are left out. Each wished certificate held adds up
to WISHED_BONUS (shared among the wished ones) to the score, whatever the scorer.

A model learnt from hires and refusals (learning.py) may replace the weights: a logistic
regression over the same features, applied to all pairs at once; it is used only when it beat
the fixed weights on held-out outcomes. The constraints above do not depend on the weights.
"""
from dataclasses import asdict, dataclass

import numpy as np

FEATURE_NAMES = ("same_code", "same_domain", "text", "proximity", "distance_known", "criteria")
SAME_CODE, SAME_DOMAIN, TEXT, PROXIMITY, DISTANCE_KNOWN, CRITERIA = range(len(FEATURE_NAMES))
UNKNOWN_PROXIMITY = 0.5
WISHED_BONUS = 0.03  # all the wished certificates held: less than proximity can move


@dataclass(frozen=True)
class Weights:
    """The fixed weights: the fallback whenever no learnt model is better."""

    same_code: float = 0.5
    same_domain: float = 0.3
    text: float = 0.06
    proximity: float = 0.1
    distance_known: float = 0.0
    criteria: float = 0.04

    name = "poids fixes"

    def vector(self) -> np.ndarray:
        return np.array([getattr(self, name) for name in FEATURE_NAMES], np.float64)

    def score(self, features: np.ndarray) -> np.ndarray:
        """Scores in [0, 1] of a (pairs × features) matrix."""
        weights = self.vector()
        total = weights[weights > 0].sum() or 1.0
        return np.clip(np.asarray(features, np.float64) @ weights / total, 0.0, 1.0)

    def to_dict(self) -> dict:
        return asdict(self)


# Bits set in a 16-bit mask, for the criteria share without a Python loop.
_POPCOUNT = np.array([bin(i).count("1") for i in range(1 << 16)], np.uint8)


def criteria_share(held: np.ndarray, listed: np.ndarray) -> np.ndarray:
    """Share of the listed criteria that are held (0 where nothing is listed)."""
    listed_count = _POPCOUNT[listed]
    held_count = _POPCOUNT[held & listed]
    return np.where(listed_count > 0, held_count / np.maximum(listed_count, 1), 0.0)


def proximity(distance: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """1 at distance 0, 0 at `limit`; UNKNOWN_PROXIMITY where the distance is NaN."""
    with np.errstate(divide="ignore", invalid="ignore"):
        near = np.where(limit > 0, 1.0 - distance / limit, (distance <= 0).astype(np.float64))
    return np.where(np.isnan(distance), UNKNOWN_PROXIMITY, np.clip(near, 0.0, 1.0))


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances (km) from one point to many; NaN where a position is unknown."""
    phi1, phi2 = np.radians(lat), np.radians(lats)
    dphi, dlambda = phi2 - phi1, np.radians(lons - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


EARTH_RADIUS_KM = 6371.0088
