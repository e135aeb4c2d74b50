"""Tolerant search of ROME appellations and communes, from an in-memory index.

The index is read from the database once per process, at the first search (never at import or
in create_app), and kept in `app.extensions`. A search runs no SQL: it compares normalised keys
held in lists, with bisection for prefixes, an inverted word index, and rapidfuzz (C speed) for
typos. Reference data only changes through `flask ref load`; running processes pick the change
up after a restart (or `clear_index()`).
"""
import heapq
import importlib
import re
import threading
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, replace

import sqlalchemy as sa
from flask import current_app
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from clausematch.extensions import db
from clausematch.referential.models import Commune, RomeAppellation, RomeCode
from clausematch.text import gendered_forms, normalise, search_key

EXTENSION_KEY = "clausematch.referential_index"
_build_lock = threading.Lock()

# Match tiers, best first: the whole key, the start of a key, every word (as typed so far), a typo.
EXACT, PREFIX, WORDS, FUZZY = 3, 2, 1, 0
FUZZY_POOL = 40  # typo candidates kept from rapidfuzz before ranking
FUZZY_CUTOFF = 70  # rapidfuzz ratio of a whole key below this is noise
WORD_CUTOFF = 75  # ... and of a single word ("denys" ~ "denis" is 80)
HEAD_DISCOUNT = 0.9  # a typo in the start of a key counts a little less than in a whole key
MIN_FUZZY_WORD = 4  # shorter words are only matched as typed: too many neighbours
_ROME_CODE = re.compile(r"[a-n]\d{2,4}")
_NUMBER = re.compile(r"\d{2,5}|2[ab]\d{0,3}")


@dataclass(frozen=True)
class AppellationHit:
    code: int
    label: str
    rome_code: str
    rome_label: str
    score: float

    @property
    def display(self) -> str:
        return f"{self.label} ({self.rome_code} {self.rome_label})"


@dataclass(frozen=True)
class CommuneHit:
    insee_code: str
    name: str
    postcodes: tuple[str, ...]
    department: str
    latitude: float
    longitude: float
    population: int
    score: float

    @property
    def display(self) -> str:
        return f"{self.name} ({self.postcodes[0] if self.postcodes else self.department})"


class TextIndex:
    """Items known by one or more normalised keys, searched exactly, by prefix, by words, fuzzily."""

    def __init__(self, keys_per_item: list[list[str]]):
        self.keys: list[str] = []
        self.owner: list[int] = []
        postings: dict[str, set[int]] = defaultdict(set)
        for item, keys in enumerate(keys_per_item):
            for key in dict.fromkeys(k for k in keys if k):
                self.keys.append(key)
                self.owner.append(item)
                for word in key.split():
                    postings[word].add(item)
        self._order = sorted(range(len(self.keys)), key=self.keys.__getitem__)
        self._sorted_keys = [self.keys[i] for i in self._order]
        self._vocabulary = sorted(postings)
        self._postings = {word: frozenset(items) for word, items in postings.items()}
        self._item_keys: list[list[str]] = [[] for _ in keys_per_item]
        for key, item in zip(self.keys, self.owner, strict=True):
            self._item_keys[item].append(key)
        self._item_words = [frozenset(" ".join(keys).split()) for keys in self._item_keys]

    def match(self, query: str, enough: int = FUZZY_POOL) -> dict[int, int]:
        """item → tier for every item matching `query` (a search key). Whole keys close to the
        query are only looked for when fewer than `enough` items match better."""
        tiers = self._key_prefix_matches(query)
        typed, loose = self._word_matches(query.split())
        for item in typed:
            tiers.setdefault(item, WORDS)
        if len(tiers) < enough:
            close_keys = process.extract(query, self.keys, scorer=fuzz.ratio, limit=FUZZY_POOL,
                                         score_cutoff=FUZZY_CUTOFF)
            loose.update(self.owner[p] for _, _, p in close_keys)
        for item in loose:
            tiers.setdefault(item, FUZZY)
        return tiers

    def scores(self, query: str, tiers: dict[int, int]) -> dict[int, float]:
        """Score of each matched item, banded by tier: 100 the whole key, 80–99 its start,
        60–79 every word, below 60 a likely typo; within a band, the closest key scores most."""
        similarity = self._similarities(query, tiers)
        return {item: _banded(tier, similarity[item]) for item, tier in tiers.items()}

    def _key_prefix_matches(self, query: str) -> dict[int, int]:
        tiers: dict[int, int] = {}
        start = bisect_left(self._sorted_keys, query)
        stop = bisect_left(self._sorted_keys, query + "~")  # "~" sorts after every key character
        for i in range(start, stop):
            item = self.owner[self._order[i]]
            tiers[item] = max(EXACT if self._sorted_keys[i] == query else PREFIX, tiers.get(item, PREFIX))
        return tiers

    def _word_matches(self, words: list[str]) -> tuple[set[int], set[int]]:
        """Items having, for every query word, a word starting with it (typed), or starting with
        it or close to it (loose: a typo somewhere)."""
        starting = [self._words_starting(word) for word in words]
        # Typo tolerance only for words that start no known word: those typed right stay strict.
        similar = [frozenset() if found else self._similar_words(w) for w, found in zip(words, starting, strict=True)]
        # Candidates come from the rarest query word; the others are checked item by item.
        pivot = min(range(len(words)), key=lambda i: self._frequency(starting[i]) + self._frequency(similar[i]))
        others = [(words[i], similar[i]) for i in range(len(words)) if i != pivot]

        def has_others(item: int, tolerant: bool) -> bool:
            item_words = self._item_words[item]
            return all(any(v.startswith(word) or (tolerant and v in near) for v in item_words)
                       for word, near in others)

        candidates = set().union(*(self._postings[v] for v in starting[pivot]))
        if not others:
            return candidates, set().union(*(self._postings[v] for v in similar[pivot])) - candidates
        typed = {item for item in candidates if has_others(item, tolerant=False)}
        candidates = (candidates - typed).union(*(self._postings[v] for v in similar[pivot]))
        return typed, {item for item in candidates if has_others(item, tolerant=True)}

    def _words_starting(self, prefix: str) -> list[str]:
        return self._vocabulary[bisect_left(self._vocabulary, prefix):bisect_left(self._vocabulary, prefix + "~")]

    def _frequency(self, words) -> int:
        return sum(len(self._postings[word]) for word in words)

    def _similar_words(self, word: str) -> frozenset[str]:
        if len(word) < MIN_FUZZY_WORD:
            return frozenset()
        return frozenset(w for w, _, _ in process.extract(word, self._vocabulary, scorer=fuzz.ratio,
                                                          limit=FUZZY_POOL, score_cutoff=WORD_CUTOFF))

    def _similarities(self, query: str, tiers: dict[int, int]) -> dict[int, float]:
        """Closeness (0–1) of each item's best key to the query, computed in one C call; for
        typos, also to the key's start ("aubervilier" is the start of "aubervilliers")."""
        owners = [item for item in tiers for _ in self._item_keys[item]]
        keys = [key for item in tiers for key in self._item_keys[item]]
        best: dict[int, float] = dict.fromkeys(tiers, 0.0)
        if keys:
            scores = process.cdist([query], keys, scorer=Levenshtein.normalized_similarity)[0]
            for item, score in zip(owners, scores.tolist(), strict=True):
                best[item] = max(best[item], score)
        heads = range(max(len(query) - 1, 1), len(query) + 3)
        for item in (i for i, tier in tiers.items() if tier == FUZZY):
            for key in self._item_keys[item]:
                for length in (n for n in heads if n < len(key)):
                    # Discounted: a whole name one letter off beats the start of a longer one.
                    head = HEAD_DISCOUNT * Levenshtein.normalized_similarity(query, key[:length])
                    best[item] = max(best[item], head)
        return best


def _banded(tier: int, similarity: float) -> float:
    low, width = {EXACT: (100, 0), PREFIX: (80, 19), WORDS: (60, 19), FUZZY: (0, 59)}[tier]
    return round(low + width * similarity, 1)


class ReferentialIndex:
    """Appellations and communes in memory, with their search structures."""

    def __init__(self, appellations: list[AppellationHit], communes: list[CommuneHit]):
        self.appellations = appellations
        self.appellation_text = TextIndex([[search_key(form) for form in gendered_forms(a.label)]
                                           for a in appellations])
        self.rome_codes = sorted({a.rome_code.lower() for a in appellations})
        self.by_rome: dict[str, list[int]] = defaultdict(list)
        for position in sorted(range(len(appellations)), key=lambda i: normalise(appellations[i].label)):
            self.by_rome[appellations[position].rome_code.lower()].append(position)
        self.communes = communes
        self.commune_text = TextIndex([[search_key(c.name)] for c in communes])
        self.postcodes = sorted((postcode, i) for i, c in enumerate(communes) for postcode in c.postcodes)
        self.insee = {c.insee_code.lower(): i for i, c in enumerate(communes)}

    @classmethod
    def from_database(cls) -> "ReferentialIndex":
        """Read the reference tables: two queries."""
        appellations = [AppellationHit(*row, score=0.0) for row in db.session.execute(
            sa.select(RomeAppellation.code, RomeAppellation.label, RomeCode.code, RomeCode.label)
            .join(RomeCode, RomeAppellation.rome_code == RomeCode.code))]
        communes = [CommuneHit(insee, name, tuple(postcodes.split()), department, lat, lon, population or 0, 0.0)
                    for insee, name, postcodes, department, lat, lon, population in db.session.execute(
                        sa.select(Commune.insee_code, Commune.name, Commune.postcodes, Commune.department,
                                  Commune.latitude, Commune.longitude, Commune.population))]
        return cls(appellations, communes)


def get_index() -> ReferentialIndex:
    """The process's index, read from the database at the first call."""
    extensions = current_app.extensions
    if EXTENSION_KEY not in extensions:
        with _build_lock:
            if EXTENSION_KEY not in extensions:
                extensions[EXTENSION_KEY] = ReferentialIndex.from_database()
                importlib.import_module("numpy")  # rapidfuzz's cdist loads it on first use: pay it here
    return extensions[EXTENSION_KEY]


def clear_index() -> None:
    """Forget the index (after the reference tables changed); the next search rebuilds it."""
    current_app.extensions.pop(EXTENSION_KEY, None)


def search_appellations(query: str, limit: int = 10) -> list[AppellationHit]:
    """Appellations matching `query`: a job title (tolerant to accents, case, gender, typos),
    or a ROME code ("F1703", or its start "F17") for that code's appellations."""
    index = get_index()
    key = search_key(query)
    if not key:
        return []
    compact = key.replace(" ", "")
    if _ROME_CODE.fullmatch(compact):
        start = bisect_left(index.rome_codes, compact)
        codes = index.rome_codes[start:bisect_left(index.rome_codes, compact + "~")]
        positions = [p for code in codes for p in index.by_rome[code]][:limit]
        return [replace(index.appellations[p], score=100.0) for p in positions]
    text = index.appellation_text
    tiers = text.match(key, enough=limit)
    scores = text.scores(key, tiers)
    # Best score first; among equals, the shortest title (the generic job before its variants).
    ranked = heapq.nsmallest(limit, scores, key=lambda p: (-scores[p], len(index.appellations[p].label)))
    return [replace(index.appellations[p], score=scores[p]) for p in ranked]


def search_communes(query: str, limit: int = 10, prefer_departments: frozenset[str] = frozenset()
                    ) -> list[CommuneHit]:
    """Communes matching `query`: a name (tolerant to accents, case, "st", typos), a postcode or
    its start, or an INSEE code. Names that start with the query come first: those of
    `prefer_departments` (the territory's) before the others, the exact name before longer
    ones, then the most populated."""
    index = get_index()
    key = search_key(query)
    if not key:
        return []
    compact = key.replace(" ", "")
    if _NUMBER.fullmatch(compact):
        tiers = _number_matches(index, compact)
        scores = {p: 100.0 if tier == EXACT else 20.0 * len(compact) for p, tier in tiers.items()}
    else:
        tiers = index.commune_text.match(key, enough=limit)
        scores = index.commune_text.scores(key, {p: t for p, t in tiers.items() if t == FUZZY})

    def rank(position: int) -> tuple:
        tier, commune = tiers[position], index.communes[position]
        # Typos in steps of ~10 % similarity: a town beats a hamlet one letter closer.
        closeness = scores[position] // 6 if tier == FUZZY else 0
        return (-min(tier, PREFIX), -closeness, commune.department not in prefer_departments, -tier,
                -commune.population)

    ranked = heapq.nsmallest(limit, tiers, key=rank)
    if not _NUMBER.fullmatch(compact):
        scores = index.commune_text.scores(key, {p: tiers[p] for p in ranked})
    return [replace(index.communes[p], score=scores[p]) for p in ranked]


def communes_named(name: str) -> list[CommuneHit]:
    """Every commune whose name is `name` once normalised (accents, case, hyphens, "st"), the most
    populated first: one for "aubervilliers", several for "Saint-Denis". No SQL."""
    index = get_index()
    key = search_key(name)
    if not key:
        return []
    tiers = index.commune_text.match(key, enough=0)
    exact = [p for p, tier in tiers.items() if tier == EXACT]
    return [replace(index.communes[p], score=100.0)
            for p in sorted(exact, key=lambda p: -index.communes[p].population)]


def communes_with_code(code: str) -> tuple[list[CommuneHit], CommuneHit | None]:
    """(communes having `code` as one of their postcodes, the commune whose INSEE code it is).
    No SQL."""
    index = get_index()
    code = code.strip().lower()
    start = bisect_left(index.postcodes, (code,))
    positions = dict.fromkeys(p for postcode, p in index.postcodes[start:bisect_left(index.postcodes, (code + "~",))]
                              if postcode == code)
    by_postcode = [replace(index.communes[p], score=100.0)
                   for p in sorted(positions, key=lambda p: -index.communes[p].population)]
    insee = index.insee.get(code)
    return by_postcode, (replace(index.communes[insee], score=100.0) if insee is not None else None)


def _number_matches(index: ReferentialIndex, number: str) -> dict[int, int]:
    """Communes whose postcode is or starts with `number`, or whose INSEE code it is."""
    tiers: dict[int, int] = {}
    start = bisect_left(index.postcodes, (number,))
    for postcode, position in index.postcodes[start:bisect_left(index.postcodes, (number + "~",))]:
        tiers[position] = max(EXACT if postcode == number else PREFIX, tiers.get(position, PREFIX))
    if number in index.insee:
        tiers[index.insee[number]] = EXACT
    return tiers
