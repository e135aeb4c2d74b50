"""Building a segment from rows, with the per-row Python work kept to a few lookups.

Typed titles go into the store's TitleTable, where each distinct title is keyed and mapped to a
ROME code once (titles.py), in one batch per build; a field holding several jobs ("plaquiste /
peintre BTP") is first cut into its jobs (JobMapper.parts), each a title of the row.
Everything else is assembled with numpy from (row, column, value) triples: codes (explicit codes
win over the titles' codes), domains (the best confidence of their codes), and text — the
distinct pieces of text of the batch are vectorised once (vectors.py) and combined per row by one sparse product.
"""
import numpy as np
from scipy import sparse

from clausematch.matching.engine.segment import (
    CODE_LABEL,
    DESCRIPTION,
    ITEM_KINDS,
    MATCHED_LABEL,
    SKILL,
    TITLE,
    TITLE_SPACE,
    Items,
    Row,
    Segment,
    localise,
)
from clausematch.matching.engine.vectors import unit_rows


class TitleTable:
    """Distinct typed titles, numbered, each with its search key and ROME match."""

    def __init__(self):
        self.texts: list[str] = []
        self._ids: dict[str, int] = {}
        self.keys: list[str] = []
        self.match_keys: list[str] = []  # "" when the title maps to no code
        self.code = np.empty(0, np.int32)  # code column, -1 when none
        self.confidence = np.empty(0, np.float32)
        self.mapped = np.empty(0, bool)  # the titles of rows with explicit codes are not mapped

    def id(self, text: str) -> int:
        number = self._ids.get(text)
        if number is None:
            number = self._ids[text] = len(self.texts)
            self.texts.append(text)
        return number

    def describe(self, referential, needed: np.ndarray) -> None:
        """Key the titles added since the last call; map to ROME codes, in one batch, the
        titles of `needed` (ids) not mapped yet."""
        new = self.texts[len(self.keys):]
        if new:
            self.keys += [referential.mapper.key(text) for text in new]
            self.match_keys += [""] * len(new)
            self.code = np.concatenate([self.code, np.full(len(new), -1, np.int32)])
            self.confidence = np.concatenate([self.confidence, np.zeros(len(new), np.float32)])
            self.mapped = np.concatenate([self.mapped, np.zeros(len(new), bool)])
        todo = np.unique(needed[~self.mapped[needed]]).tolist()
        matches = referential.mapper.map_titles([self.texts[i] for i in todo])
        for i, match in zip(todo, matches, strict=True):
            if match:
                self.match_keys[i] = match.key
                self.code[i] = referential.code_index[match.rome_code]
                self.confidence[i] = match.confidence
        self.mapped[todo] = True


def build(rows: list[Row], referential, titles: TitleTable) -> Segment:
    n = len(rows)
    parts = referential.mapper.parts  # a field holding several jobs counts as several titles
    typed = [[job for t in r.titles for job in parts(t)] if len(r.titles) else () for r in rows]
    counts = np.fromiter(map(len, typed), np.int64, n)
    title_ids = np.fromiter((titles.id(t) for jobs in typed for t in jobs), np.int64, int(counts.sum()))
    title_rows = np.repeat(np.arange(n), counts)
    explicit = _explicit_codes(rows, referential)
    explicit_rows = np.repeat(np.arange(n), np.fromiter(map(len, explicit), np.int64, n))
    explicit_cols = np.fromiter((c for codes in explicit for c in codes), np.int64, len(explicit_rows))
    # Explicit codes win: a row that has some keeps its titles for the text only.
    has_explicit = np.zeros(n, bool)
    has_explicit[explicit_rows] = True
    titles.describe(referential, title_ids[~has_explicit[title_rows]])
    mapped = (titles.code[title_ids] >= 0) & ~has_explicit[title_rows]
    code_rows = np.concatenate([title_rows[mapped], explicit_rows])
    code_cols = np.concatenate([titles.code[title_ids][mapped], explicit_cols]).astype(np.int64)
    code_values = np.concatenate([titles.confidence[title_ids][mapped], np.ones(len(explicit_rows), np.float32)])
    codes = _max_matrix(code_rows, code_cols, code_values, (n, len(referential.codes)))
    domains = _max_matrix(code_rows, referential.code_domains[code_cols], code_values, (n, len(referential.domains)))
    text, vocabulary = _text(rows, referential, titles, (title_rows, title_ids, mapped),
                             (explicit_rows, explicit_cols))
    columns = {
        "latitude": np.array([r.latitude for r in rows], np.float64),
        "longitude": np.array([r.longitude for r in rows], np.float64),
        "radius": np.array([r.radius for r in rows], np.float64),
        "held": np.array([r.held for r in rows], np.uint16),
        "eligible": np.array([r.eligible for r in rows], np.uint16),
        "required": np.array([r.required for r in rows], np.uint16),
        "available": np.array([r.available for r in rows], bool),
    }
    indptr = np.concatenate([[0], np.cumsum(counts)])
    typed = sparse.csr_matrix((np.ones(len(title_ids), np.int8), title_ids.astype(np.int32), indptr),
                              shape=(n, TITLE_SPACE))
    items = {kind: Items.of([getattr(r, kind) for r in rows]) for kind in ITEM_KINDS}
    return Segment([r.id for r in rows], columns, codes, domains, text, vocabulary, typed, items)


def _explicit_codes(rows: list[Row], referential) -> list[tuple[int, ...]]:
    """Code columns of each row's valid explicit codes (a few distinct tuples, cached)."""
    seen: dict[tuple, tuple[int, ...]] = {(): ()}
    out = []
    for row in rows:
        columns = seen.get(row.codes)
        if columns is None:
            columns = seen[row.codes] = tuple(referential.code_index[c] for c in referential.known_codes(row.codes))
        out.append(columns)
    return out


def _max_matrix(rows, cols, values, shape) -> sparse.csr_matrix:
    """CSR matrix of the triples, keeping the largest value where a (row, col) repeats. Built
    from its sorted arrays directly (no COO step: a one-row query builds two of these)."""
    order = np.lexsort((cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    if len(rows):
        starts = np.flatnonzero(np.concatenate([[True], (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])]))
        values, rows, cols = np.maximum.reduceat(values, starts), rows[starts], cols[starts]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=shape[0]))])
    return sparse.csr_matrix((values.astype(np.float32), cols.astype(np.int32), indptr), shape=shape)


def _text(rows, referential, titles: TitleTable, typed, explicit) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Unit word TF-IDF rows, weighted sums of the distinct pieces of text of the batch, with
    their columns renumbered to the words present (segment.localise)."""
    title_rows, title_ids, mapped = typed
    explicit_rows, explicit_cols = explicit
    mapper = referential.mapper
    pieces: dict[str, int] = {}
    unique, inverse = np.unique(title_ids, return_inverse=True)
    own = np.array([pieces.setdefault(titles.keys[t], len(pieces)) for t in unique.tolist()], np.int64)
    labels = np.array([pieces.setdefault(titles.match_keys[t], len(pieces)) for t in unique.tolist()], np.int64)
    code_keys = referential.code_keys
    code_pieces = np.array([pieces.setdefault(code_keys[referential.codes[c]], len(pieces))
                            for c in explicit_cols.tolist()], np.int64)
    extra_rows, extra_pieces, extra_weights = [], [], []
    for i, row in enumerate(rows):
        for skill in row.skills:
            extra_rows.append(i)
            extra_pieces.append(pieces.setdefault(mapper.key(skill), len(pieces)))
            extra_weights.append(SKILL)
        if row.description:
            extra_rows.append(i)
            extra_pieces.append(pieces.setdefault(mapper.key(row.description), len(pieces)))
            extra_weights.append(DESCRIPTION)
    triples = [
        (title_rows, own[inverse], np.full(len(title_rows), TITLE)),
        (title_rows[mapped], labels[inverse][mapped], np.full(int(mapped.sum()), MATCHED_LABEL)),
        (explicit_rows, code_pieces, np.full(len(explicit_rows), CODE_LABEL)),
        (np.array(extra_rows, np.int64), np.array(extra_pieces, np.int64), np.array(extra_weights)),
    ]
    combine = sparse.csr_matrix((np.concatenate([t[2] for t in triples]).astype(np.float32),
                                 (np.concatenate([t[0] for t in triples]), np.concatenate([t[1] for t in triples]))),
                                shape=(len(rows), len(pieces)))
    # Renumbered before the product: a product's workspace is as wide as its matrices.
    vectors, vocabulary = localise(referential.words.vectors(list(pieces)))
    return unit_rows((combine @ vectors).tocsr()), vocabulary
