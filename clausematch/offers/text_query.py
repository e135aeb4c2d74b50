"""What a person types in the board's "Métier ou mot-clé" field, read as a full-text query.

An offer matches a concept when its own words (title, appellation, skills: the full-text index)
hold one of the concept's alternatives, or when its ROME code does: the words of all the code's
appellations and of its label, looked up here in memory (an inverted index of about 5 000 words
over 530 codes, from the referential index already loaded), giving ``rome_code IN (…)`` on the
indexed column. "nettoyeur" thus finds an offer titled "Agent d'entretien H/F" filed under K2204.

The text becomes search keys (search_words.search_keys: accents, case, gender, plural, elision
and the little words dealt with). Each key then becomes a *concept*, an OR of alternatives, and
the query is the AND of the concepts:

1. Typos: a key that is neither a word of the vocabulary nor the start of one (the vocabulary:
   every word of the ROME appellations and code labels, which every offer's document holds, and
   of the synonym table; about 6 000 words, in memory) is compared with rapidfuzz to the
   vocabulary; the closest words (ratio ≥ TYPO_CUTOFF) are added as alternatives, and the
   correction is reported so the page can say it ("electricein" → "électricien").
2. Synonyms (clausematch/referential/data/job_synonyms.csv, each row with its reason): a phrase
   of the table found in the keys ("femme de ménage") becomes one concept whose alternatives are
   the phrase itself and its equivalents ("agent d'entretien", "nettoyage", "propreté"…); a single
   word of the table ("vigile", "cuistot", "caces") adds its equivalents to its own concept.
3. Keys of 4 letters or more are matched as prefixes ("elec" finds "électricien", "maçon" finds
   "maçonnerie"), shorter ones exactly; words are whole: "menage" (menag*) never matches
   "aménagement".

The query is rendered for PostgreSQL (to_tsquery('simple', …)) and for SQLite FTS5 (MATCH), whole
or concept by concept. Keys only hold a-z and 0-9, so the rendered syntax cannot be broken by what
is typed.
"""
import csv
import threading
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from clausematch.offers.search_words import label_text, search_keys, word_key
from clausematch.text import normalise

SYNONYMS_CSV = Path(__file__).resolve().parent.parent / "referential" / "data" / "job_synonyms.csv"
MAX_KEYS = 8  # words of a query looked up, at most
PREFIX_FROM = 4  # keys this long or longer match as prefixes
TYPO_FROM = 4  # keys this long or longer may be corrected
TYPO_CUTOFF = 80  # rapidfuzz ratio below this is another word ("macon" / "maison" is 73)
TYPO_MARGIN = 5  # corrections kept within this of the best one
TYPO_LIMIT = 3

Alternative = tuple[str, ...]  # keys that must all be there


@dataclass(frozen=True)
class TextQuery:
    """AND of concepts, each an OR of alternatives; `corrections` are (typed, read as) pairs."""

    concepts: tuple[tuple[Alternative, ...], ...]
    corrections: tuple[tuple[str, str], ...] = ()
    codes: tuple[frozenset[str], ...] = ()  # per concept: the ROME codes whose appellations hold it

    def tsquery(self, concepts: tuple[tuple[Alternative, ...], ...] | None = None) -> str:
        """PostgreSQL to_tsquery text of the query (or of some of its concepts)."""
        def lexeme(key: str) -> str:
            return f"{key}:*" if len(key) >= PREFIX_FROM else key
        return " & ".join("(" + " | ".join("(" + " & ".join(lexeme(k) for k in alt) + ")" for alt in concept) + ")"
                          for concept in (self.concepts if concepts is None else concepts))

    def fts5(self, concepts: tuple[tuple[Alternative, ...], ...] | None = None) -> str:
        """SQLite FTS5 MATCH text of the query (or of some of its concepts)."""
        def lexeme(key: str) -> str:
            return f'"{key}"*' if len(key) >= PREFIX_FROM else f'"{key}"'
        return " AND ".join("(" + " OR ".join("(" + " AND ".join(lexeme(k) for k in alt) + ")" for alt in concept)
                            + ")" for concept in (self.concepts if concepts is None else concepts))


@dataclass
class Vocabulary:
    """The indexed words (search keys, sorted, with a readable form each) and the synonyms."""

    words: list[str]
    readable: dict[str, str]
    synonyms: dict[Alternative, list[Alternative]] = field(default_factory=dict)
    longest: int = 1
    code_words: list[str] = field(default_factory=list)  # sorted keys of the codes' appellations
    codes_by_word: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def build(cls, jobs: list[tuple[str, str]], synonym_rows: list[tuple[str, str]]) -> "Vocabulary":
        """`jobs`: (appellation or code label, ROME code) pairs."""
        by_word: dict[str, set[str]] = {}
        for text, code in jobs:
            for key in search_keys(text):
                by_word.setdefault(key, set()).add(code)
        readable: dict[str, str] = {}
        for text in (*(t for t, _ in jobs), *(t for row in synonym_rows for t in (row[0], *row[1].split("|")))):
            for word in text.lower().replace("/", " ").replace("-", " ").replace("'", " ").split():
                plain = normalise(word)
                if plain.isalpha() and " " not in plain:
                    readable.setdefault(word_key(plain), word.strip(".,;:()«»\"-"))
        synonyms: dict[Alternative, list[Alternative]] = {}
        for term, equivalents in synonym_rows:
            keys = tuple(search_keys(term))
            if not keys:
                continue
            alternatives = synonyms.setdefault(keys, [])
            for equivalent in equivalents.split("|"):
                alternative = tuple(search_keys(equivalent))
                if alternative and alternative not in alternatives:
                    alternatives.append(alternative)
        return cls(sorted(readable), readable, synonyms, max((len(k) for k in synonyms), default=1),
                   sorted(by_word), {word: frozenset(codes) for word, codes in by_word.items()})

    def codes_of(self, alternative: Alternative) -> frozenset[str]:
        """The ROME codes whose appellations and label hold every key of `alternative` (as a
        prefix from PREFIX_FROM letters, as the index does)."""
        found: frozenset[str] | None = None
        for key in alternative:
            if len(key) >= PREFIX_FROM:
                start = bisect_left(self.code_words, key)
                stop = bisect_left(self.code_words, key + "~")
                codes = frozenset().union(*(self.codes_by_word[w] for w in self.code_words[start:stop]))
            else:
                codes = self.codes_by_word.get(key, frozenset())
            found = codes if found is None else found & codes
            if not found:
                return frozenset()
        return found or frozenset()

    def known(self, key: str) -> bool:
        """`key` is a word of the vocabulary or the start of one."""
        at = bisect_left(self.words, key)
        return at < len(self.words) and self.words[at].startswith(key)

    def corrections(self, key: str) -> list[str]:
        """The closest vocabulary words to a key that is not in it (a typo), best first."""
        if len(key) < TYPO_FROM or not key.isalpha() or self.known(key):
            return []
        found = process.extract(key, self.words, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=TYPO_LIMIT)
        if not found:
            return []
        best = found[0][1]
        return [word for word, score, _ in found if score >= best - TYPO_MARGIN]

    def parse(self, text: str) -> TextQuery:
        """The query for a typed text (no concepts when it holds no significant word)."""
        words = [w for w in normalise(text).split()]
        keys = search_keys(text)[:MAX_KEYS]
        corrections: list[tuple[str, str]] = []
        candidates: list[list[str]] = []
        for key in keys:
            close = self.corrections(key)
            if close:
                typed = next((w for w in words if word_key(w) == key), key)
                corrections.append((typed, self.readable.get(close[0], close[0])))
            candidates.append([key, *close])
        concepts: list[tuple[Alternative, ...]] = []
        position = 0
        while position < len(keys):
            phrase = self._phrase_at(candidates, position)
            if phrase:
                alternatives = [phrase, *self.synonyms[phrase]]
                position += len(phrase)
            else:
                alternatives = [(k,) for k in candidates[position]]
                for key in candidates[position]:
                    alternatives += self.synonyms.get((key,), [])
                position += 1
            concepts.append(tuple(dict.fromkeys(alternatives)))
        codes = tuple(frozenset().union(*(self.codes_of(alt) for alt in concept)) for concept in concepts)
        return TextQuery(tuple(concepts), tuple(corrections), codes)

    def _phrase_at(self, candidates: list[list[str]], start: int) -> Alternative | None:
        """The longest synonym phrase (two words or more) the keys from `start` spell."""
        for length in range(min(self.longest, len(candidates) - start), 1, -1):
            for phrase in self._spellings(candidates[start:start + length]):
                if phrase in self.synonyms:
                    return phrase
        return None

    @staticmethod
    def _spellings(slots: list[list[str]]) -> list[Alternative]:
        spellings: list[Alternative] = [()]
        for slot in slots:
            spellings = [s + (k,) for s in spellings for k in slot]
        return spellings


def read_synonyms(path: Path = SYNONYMS_CSV) -> list[tuple[str, str]]:
    """(term, "equivalent | equivalent …") rows of the synonym table."""
    with path.open(encoding="utf-8", newline="") as file:
        return [(row["terme"], row["equivalents"]) for row in csv.DictReader(file)]


_cache: dict[int, tuple[object, Vocabulary]] = {}
_cache_lock = threading.Lock()


def vocabulary_for(index) -> Vocabulary:
    """The vocabulary of a referential index (referential.search.ReferentialIndex), built once
    per index: the appellation labels and code labels it holds, and the synonym table."""
    cached = _cache.get(id(index))
    if cached is not None and cached[0] is index:
        return cached[1]
    with _cache_lock:
        jobs = [(label_text(a.label), a.rome_code) for a in index.appellations]
        jobs += sorted({(a.rome_label, a.rome_code) for a in index.appellations})
        vocabulary = Vocabulary.build(jobs, read_synonyms())
        _cache.clear()
        _cache[id(index)] = (index, vocabulary)
    return vocabulary
