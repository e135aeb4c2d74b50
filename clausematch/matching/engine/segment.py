"""Column store of indexed profiles: one immutable Segment per batch, merged as they accumulate.

A segment holds, row by row: the ids, positions (NaN when unknown), the distance limit
(a candidate's mobility; offers: none), criteria as 15-bit masks (held by a candidate;
eligible / required by an offer), availability, a tombstone mask, and three sparse matrices
kept column-major so a query reads only the columns it needs: ROME codes and ROME domains
(the value is the confidence of the title mapping, 1 for codes given explicitly) and word
TF-IDF (see vectors.py; columns renumbered to the words present, so a small segment stays
small). Typed titles are kept as ids into the index's shared title table, for the reasons.
"""
import math
import threading
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import sparse

from clausematch.matching.engine.profiles import CandidateProfile, OfferProfile
from clausematch.matching.engine.vectors import FEATURES

# The codes of clausematch.vocabulary.Criterion, in its order (the bit of each in the masks);
# spelt out so the engine imports nothing of the application (a test checks they agree).
CRITERIA = ["deld", "detld", "rsa", "ass", "aah", "invalidity_pension", "other_minimum_income", "rqth", "under_26",
            "over_50", "qpv", "iae", "structure", "derogation"]
CRITERION_BIT = {code: 1 << i for i, code in enumerate(CRITERIA)}
# Criteria outside the vocabulary: an offer asking for one is satisfied by no one.
UNKNOWN_CRITERION = 1 << len(CRITERIA)
TITLE_SPACE = 2**31 - 1  # width of the title-id matrix: ids index the shared title table
# Weights of the pieces of text a profile is compared on (see vectors.py).
TITLE, MATCHED_LABEL, CODE_LABEL, SKILL, DESCRIPTION = 1.0, 1.0, 0.5, 0.5, 0.3


def criteria_mask(codes, holder: bool) -> int:
    """Bit mask of criteria codes. Unknown codes count for nothing when held, and make an
    offer's condition unsatisfiable rather than silently looser."""
    key = (codes, holder) if isinstance(codes, frozenset) else None
    mask = _masks.get(key) if key else None
    if mask is None:
        mask = 0
        for code in codes or ():
            bit = CRITERION_BIT.get(str(code))
            mask |= bit if bit else (0 if holder else UNKNOWN_CRITERION)
        if key and len(_masks) < 10_000:  # profiles share a few combinations: computed once
            _masks[key] = mask
    return mask


_masks: dict[tuple[frozenset, bool], int] = {}


class Row(NamedTuple):
    """A profile reduced to what the store needs; both kinds of profile map onto it."""

    id: object
    titles: tuple[str, ...]
    codes: tuple[str, ...]
    skills: tuple[str, ...]
    description: str
    latitude: float
    longitude: float
    radius: float
    held: int
    eligible: int
    required: int
    available: bool
    # Certificates (codes): held by a candidate; required and wished by an offer.
    held_items: tuple[str, ...] = ()
    required_items: tuple[str, ...] = ()
    wished_items: tuple[str, ...] = ()
    items_required: bool = False  # an offer query in "require" mode: rows lacking one are left out


def _coordinate(value) -> float:
    if type(value) is not float:  # the usual case costs one check: called per row
        try:
            value = float(value)
        except (TypeError, ValueError):
            return math.nan
    return value if math.isfinite(value) else math.nan


def _position(latitude, longitude) -> tuple[float, float]:
    lat, lon = _coordinate(latitude), _coordinate(longitude)
    return (lat, lon) if lat == lat and lon == lon else (math.nan, math.nan)  # NaN != NaN


def candidate_row(c: CandidateProfile) -> Row:
    mobility = _coordinate(c.mobility_km)
    return Row(c.id, tuple(c.job_titles or ()), tuple(c.rome_codes or ()), tuple(c.skills or ()), "",
               *_position(c.latitude, c.longitude), mobility if mobility >= 0 else 0.0,
               criteria_mask(c.criteria, holder=True), 0, 0, bool(c.available), _codes(c.certificates))


def offer_row(o: OfferProfile) -> Row:
    return Row(o.id, (o.title,) if o.title else (), (o.rome_code,) if o.rome_code else (), tuple(o.skills or ()),
               o.description or "", *_position(o.latitude, o.longitude), math.inf, 0,
               criteria_mask(o.eligible_criteria, holder=False), criteria_mask(o.required_criteria, holder=False),
               True, (), _codes(o.required_certificates), _codes(o.wished_certificates),
               o.certificate_mode == "require")


def _codes(codes) -> tuple[str, ...]:
    return tuple(sorted({str(code) for code in codes or ()}))


# --- Certificates: a process-wide numbering of the codes met, so every segment and query agree.
ITEM_SPACE = 2**31 - 1
_item_lock = threading.Lock()
_item_columns: dict[str, int] = {}
ITEM_CODES: list[str] = []


def item_columns(codes) -> np.ndarray:
    """The global column of each code (numbered at first sight), sorted, without repeats."""
    out = []
    for code in codes:
        column = _item_columns.get(code)
        if column is None:
            with _item_lock:
                column = _item_columns.get(code)
                if column is None:
                    column = _item_columns[code] = len(ITEM_CODES)
                    ITEM_CODES.append(code)
        out.append(column)
    return np.unique(np.array(out, np.int64))


class Items:
    """One kind of certificates of a segment's rows (held, required or wished): a 0/1 sparse
    matrix with its columns renumbered to the codes present (`vocabulary`, global columns)."""

    def __init__(self, matrix: sparse.csr_matrix, vocabulary: np.ndarray):
        self.rows = matrix  # CSR, local columns: the reasons read one row
        self.columns = matrix.tocsc()  # the rankings read a few columns
        self.vocabulary = vocabulary
        self.count = np.diff(matrix.indptr).astype(np.int32)  # items per row

    @classmethod
    def of(cls, per_row: list[tuple[str, ...]]) -> "Items":
        counts = np.fromiter(map(len, per_row), np.int64, len(per_row))
        if not counts.any():
            return _no_items(len(per_row))
        columns = item_columns([code for codes in per_row for code in codes]) if counts.sum() else np.empty(0, np.int64)
        if len(columns):
            lookup = {ITEM_CODES[c]: int(c) for c in columns.tolist()}
            flat = np.fromiter((lookup[code] for codes in per_row for code in codes), np.int64, int(counts.sum()))
        else:
            flat = np.empty(0, np.int64)
        indptr = np.concatenate([[0], np.cumsum(counts)])
        matrix = sparse.csr_matrix((np.ones(len(flat), np.int8), flat, indptr), shape=(len(per_row), ITEM_SPACE))
        matrix.sort_indices()
        return cls(*localise(matrix))

    def held(self, columns: np.ndarray, n: int) -> np.ndarray:
        """Per row, how many of the global `columns` it has (no Python loop over the rows)."""
        out = np.zeros(n, np.int32)
        if not len(columns) or not len(self.vocabulary):
            return out
        at = np.minimum(np.searchsorted(self.vocabulary, columns), len(self.vocabulary) - 1)
        for local in at[self.vocabulary[at] == columns].tolist():
            start, stop = self.columns.indptr[local], self.columns.indptr[local + 1]
            out[self.columns.indices[start:stop]] += 1
        return out

    def codes(self, row: int) -> list[str]:
        start, stop = self.rows.indptr[row], self.rows.indptr[row + 1]
        return [ITEM_CODES[c] for c in self.vocabulary[self.rows.indices[start:stop]].tolist()]

    def global_rows(self) -> sparse.csr_matrix:
        return sparse.csr_matrix((self.rows.data, self.vocabulary[self.rows.indices], self.rows.indptr),
                                 shape=(self.rows.shape[0], ITEM_SPACE))


@lru_cache(maxsize=4)
def _no_items(n: int) -> Items:
    """Items of `n` rows holding none (most queries, most small segments): shared, as nothing
    changes an Items once built; saves the four sparse conversions of `Items.of` per kind."""
    return Items(sparse.csr_matrix((n, 0), dtype=np.int8), np.empty(0, np.int32))


ITEM_KINDS = ("held_items", "required_items", "wished_items")


class Segment:
    """Rows built together; only `alive` changes afterwards (tombstones)."""

    def __init__(self, ids, columns: dict[str, np.ndarray], codes, domains, text, vocabulary, titles,
                 items: dict[str, Items]):
        self.ids: list = ids
        self.size = len(ids)
        for name, values in columns.items():
            setattr(self, name, values)
        self.columns = columns
        self.alive = np.ones(self.size, dtype=bool)
        self.dead = 0
        self.codes = codes.tocsr()  # row access, for the reasons
        self.codes_t = codes.tocsc()
        self.domains_t = domains.tocsc()
        self.text_t = text.tocsc()  # columns: positions in `vocabulary`
        self.vocabulary = vocabulary  # sorted global word columns present here
        self.titles = titles  # CSR: the row's title ids
        self.items = items  # certificates: held_items, required_items, wished_items

    def kill(self, row: int) -> None:
        if self.alive[row]:
            self.alive[row] = False
            self.dead += 1

    def text_global(self) -> sparse.csr_matrix:
        """The text matrix with its global (hashed) columns, row-major."""
        local = self.text_t.tocsr()
        return sparse.csr_matrix((local.data, self.vocabulary[local.indices], local.indptr),
                                 shape=(self.size, FEATURES))


def localise(text: sparse.csr_matrix) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Renumber the columns of a CSR matrix to the ones it uses; returns it and the old numbers."""
    vocabulary = np.unique(text.indices).astype(np.int32)
    local = np.searchsorted(vocabulary, text.indices).astype(np.int32)
    return sparse.csr_matrix((text.data, local, text.indptr), shape=(text.shape[0], len(vocabulary))), vocabulary


def merge(segments: list[Segment]) -> Segment:
    """One segment holding the live rows of `segments`, in order."""
    keep = np.concatenate([s.alive for s in segments])
    ids = [i for s in segments for i, alive in zip(s.ids, s.alive.tolist(), strict=True) if alive]
    columns = {name: np.concatenate([s.columns[name] for s in segments])[keep] for name in segments[0].columns}
    codes = sparse.vstack([s.codes for s in segments], format="csr")[keep]
    domains = sparse.vstack([s.domains_t.tocsr() for s in segments], format="csr")[keep]
    text, vocabulary = localise(sparse.vstack([s.text_global() for s in segments], format="csr")[keep])
    titles = sparse.vstack([s.titles for s in segments], format="csr")[keep]
    items = {kind: Items(*localise(sparse.vstack([s.items[kind].global_rows() for s in segments], format="csr")[keep]))
             for kind in ITEM_KINDS}
    return Segment(ids, columns, codes, domains, text, vocabulary, titles, items)
