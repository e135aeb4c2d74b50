"""Ranking one profile against the segments of the other side, vectorised (see scoring.py).

For each segment: job fit of every row from the few sparse columns the query touches (its
codes, domains and words), then the constraints and distances on the rows with some job fit
only, then features and scores; the best k over all segments are found with argpartition.
No Python loop runs over the rows.

Certificates make tiers, not weights (scoring.py): the order is by tier, then score. Ranking
candidates for an offer that requires certificates, the candidates of its trade (same ROME
code) holding them all form the top tier; in "require" mode the others are left out. Ranking
offers for a candidate, an offer of their trade whose required certificates they lack falls to
the bottom tier. Wished certificates add a small bonus to the score.
"""
from dataclasses import dataclass

import numpy as np

from clausematch.matching.engine.building import TitleTable, build
from clausematch.matching.engine.scoring import SAME_CODE, WISHED_BONUS, criteria_share, haversine_km, proximity
from clausematch.matching.engine.segment import Row, Segment, item_columns


@dataclass(frozen=True)
class Query:
    """One profile, as the other side's segments see it (a one-row segment, plus its row)."""

    row: Row
    codes: list[tuple[int, float]]  # (code column, confidence)
    domains: list[tuple[int, float]]
    words: np.ndarray  # global word columns, sorted
    weights: np.ndarray  # their weights (unit vector)
    segment: Segment

    @classmethod
    def of(cls, row: Row, referential) -> "Query":
        segment = build([row], referential, TitleTable())
        domains, domain_weights = _one_row(segment.domains_t)
        words, weights = _one_row(segment.text_t)
        return cls(row, _pairs(segment.codes.indices, segment.codes.data), _pairs(domains, domain_weights),
                   segment.vocabulary[words], weights.astype(np.float32), segment)


def _one_row(matrix) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of a one-row CSC matrix, read without converting it (a column holds
    at most one value, stored column after column)."""
    return np.flatnonzero(np.diff(matrix.indptr)), matrix.data


def _pairs(columns: np.ndarray, values: np.ndarray) -> list[tuple[int, float]]:
    return list(zip(columns.tolist(), values.tolist(), strict=True))


@dataclass
class Hits:
    """The rows of one segment that may be returned, with their features and scores."""

    segment: Segment
    rows: np.ndarray
    features: np.ndarray
    distances: np.ndarray
    scores: np.ndarray
    tiers: np.ndarray  # certificates: 2 complete in the offer's trade, 1 neutral, 0 lacking in it
    missing: np.ndarray  # required certificates the candidate lacks


def match_segment(segment: Segment, query: Query, scorer) -> Hits:
    code, domain, text = _job_fit(segment, query)
    rows = np.flatnonzero((code > 0) | (domain > 0) | (text > 0))
    rows = rows[_allowed(segment, rows, query.row)]
    involved = _certificates_involved(segment, query.row)
    if involved:
        missing, wished, row_required = _certificates(segment, rows, query.row)
        if query.row.items_required:
            keep = missing == 0
            rows, missing, wished, row_required = rows[keep], missing[keep], wished[keep], row_required[keep]
    distances, limits = _distances(segment, rows, query.row)
    near = np.isnan(distances) | (distances <= limits)
    rows, distances, limits = rows[near], distances[near], limits[near]
    features = _features(segment, rows, query.row, (code, domain, text), distances, limits)
    if not involved:  # one neutral tier: the scores alone order the rows
        return Hits(segment, rows, features, distances, scorer.score(features), np.ones(len(rows), np.int8),
                    np.zeros(len(rows), np.int32))
    missing, wished, row_required = missing[near], wished[near], row_required[near]
    same = features[:, SAME_CODE] > 0
    tiers = (1 + (same & (missing == 0) & bool(query.row.required_items))
             - (same & (missing > 0) & (row_required > 0))).astype(np.int8)
    scores = np.clip(scorer.score(features) + WISHED_BONUS * wished, 0.0, 1.0)
    return Hits(segment, rows, features, distances, scores, tiers, missing)


def _certificates_involved(segment: Segment, query: Row) -> bool:
    """Whether certificates can change anything for this query: the query requires or wishes some,
    or the segment's rows do (for a query holding some, the wished ones only count then)."""
    items = segment.items
    return bool(query.required_items or query.wished_items or len(items["required_items"].vocabulary)
                or (query.held_items and len(items["wished_items"].vocabulary)))


def _certificates(segment: Segment, rows: np.ndarray, query: Row) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: required certificates lacking, share of the wished ones held, and how many the
    row itself requires — whichever side is the offer (the query, or the rows). Only the columns
    the query names are read; not called when no certificate is involved (`_certificates_involved`)."""
    n, items = segment.size, segment.items
    required, wished = item_columns(query.required_items), item_columns(query.wished_items)
    held = item_columns(query.held_items)
    missing = np.zeros(len(rows), np.int32)
    share = np.zeros(len(rows), np.float64)
    if len(required):
        missing += len(required) - items["held_items"].held(required, n)[rows]
    if len(wished):
        share = items["held_items"].held(wished, n)[rows] / len(wished)
    row_required = items["required_items"].count[rows]
    if len(items["required_items"].vocabulary):
        missing += row_required - (items["required_items"].held(held, n)[rows] if len(held) else 0)
    if len(held) and len(items["wished_items"].vocabulary):
        row_wished = items["wished_items"].count[rows]
        share = np.where(row_wished > 0, items["wished_items"].held(held, n)[rows] / np.maximum(row_wished, 1), 0.0)
    return missing, share, row_required


def pair_features(segment: Segment, query: Query) -> np.ndarray:
    """The features of row 0 of `segment` with the query, whatever the constraints."""
    rows = np.zeros(1, np.int64)
    distances, limits = _distances(segment, rows, query.row)
    return _features(segment, rows, query.row, _job_fit(segment, query), distances, limits)[0]


def _job_fit(segment: Segment, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = segment.size
    return (_column_max(segment.codes_t, query.codes, n), _column_max(segment.domains_t, query.domains, n),
            _text_scores(segment, query, n))


def _distances(segment: Segment, rows: np.ndarray, query: Row) -> tuple[np.ndarray, np.ndarray]:
    distances = haversine_km(query.latitude, query.longitude,
                                     segment.latitude[rows], segment.longitude[rows])
    return distances, np.minimum(segment.radius[rows], query.radius)


def _features(segment: Segment, rows: np.ndarray, query: Row, job_fit, distances, limits) -> np.ndarray:
    code, domain, text = job_fit
    listed = segment.eligible[rows] | segment.required[rows] | np.uint16(query.eligible | query.required)
    return np.column_stack([
        code[rows], domain[rows], np.clip(text[rows], 0.0, 1.0),
        proximity(distances, limits), (~np.isnan(distances)).astype(np.float64),
        criteria_share(segment.held[rows] | np.uint16(query.held), listed),
    ]).astype(np.float64)


def top(hits: list[Hits], k: int) -> list[tuple[Hits, int]]:
    """The k best (hits, position) over all segments, best first (by certificate tier, then
    score; scores lie in [0, 1], so tier × 2 + score orders both); ties by index order."""
    scores = np.concatenate([h.tiers * 2.0 + h.scores for h in hits]) if hits else np.empty(0)
    if k <= 0 or not len(scores):
        return []
    owners = np.concatenate([np.full(len(h.scores), i) for i, h in enumerate(hits)])
    positions = np.concatenate([np.arange(len(h.scores)) for h in hits])
    best = np.arange(len(scores)) if len(scores) <= k else np.argpartition(-scores, k - 1)[:k]
    best = best[np.lexsort((best, -scores[best]))]
    return [(hits[owners[i]], int(positions[i])) for i in best]


def _column_max(matrix, columns: list[tuple[int, float]], n: int) -> np.ndarray:
    """Per row, the best value × query confidence over the query's columns."""
    out = np.zeros(n, np.float64)
    for column, confidence in columns:
        start, stop = matrix.indptr[column], matrix.indptr[column + 1]
        rows = matrix.indices[start:stop]  # distinct within a column
        out[rows] = np.maximum(out[rows], matrix.data[start:stop] * confidence)
    return out


def _text_scores(segment: Segment, query: Query, n: int) -> np.ndarray:
    """Cosine of every row with the query, reading only the query's word columns."""
    vocabulary = segment.vocabulary
    if not len(query.words) or not len(vocabulary):
        return np.zeros(n)
    at = np.minimum(np.searchsorted(vocabulary, query.words), len(vocabulary) - 1)
    present = vocabulary[at] == query.words
    if not present.any():
        return np.zeros(n)
    return np.asarray(segment.text_t[:, at[present]] @ query.weights[present], np.float64).ravel()


def _allowed(segment: Segment, rows: np.ndarray, query: Row) -> np.ndarray:
    """Rows alive, available, and meeting the offer's criteria (whichever side holds the offer)."""
    if not query.available:
        return np.zeros(len(rows), bool)
    held = segment.held[rows] | np.uint16(query.held)
    eligible = segment.eligible[rows] | np.uint16(query.eligible)
    required = segment.required[rows] | np.uint16(query.required)
    return (segment.alive[rows] & segment.available[rows]
            & ((eligible == 0) | ((held & eligible) != 0))
            & ((held & required) == required))
