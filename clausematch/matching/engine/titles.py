"""Free-text job titles → ROME codes, tolerant of case, accents, gender, short forms and typos.

A title is reduced to its search key (clausematch.text.search_key: normalised, short forms
written out, articles dropped), without the filler words that say nothing of the trade (FILLER:
contract, urgency, schedule, "débutant accepté", "clause sociale"…; a filler word that forms,
with its neighbour, a pair of words of the referential stays: "veilleur de nuit"), then:
1. exact lookup among the keys of the trade slang table (referential/data/job_slang.csv:
   terms, sigles and short forms with their ROME code and a justification per line, reviewed
   like code, read first so that meaning beats spelling), every gendered form of the 11 061
   appellations, the code labels, a few everyday titles (ALIASES), and ROME codes typed as such
   ("F1703");
1b. otherwise, the longest slang term contained in the title as whole words ("chauffeur spl
   citerne" → chauffeur spl), for terms holding a word the appellations never use ("spl",
   "placo", ADVF, cuistot; not "agent de tri", whose words make other trades too);
2. otherwise, each unknown word corrected to the closest known word of the same initial
   (rapidfuzz ratio ≥ 80, cached per word), if that gives an exact key;
3. otherwise nearest neighbours by character 3–4-gram TF-IDF (word-boundary n-grams, so typos
   only spoil the n-grams they touch), computed for a whole batch of titles with one sparse
   matrix product; the 10 nearest keys are re-ranked by rapidfuzz's edit-distance ratio, which
   settles the near-ties n-grams leave ("penitre enduiseuse": "peintre enduiseuse" rather than
   "enduiseuse"). Below MIN_CONFIDENCE the title maps to nothing rather than to a guess, and
   so does a winner below TRUSTED_ALONE that no other close neighbour supports (none of them
   in its ROME domain): a look-alike of a rare trade ("poseur placo" → Poseur de sonde) is not
   trusted alone, so no "Même métier" is ever shown for it.
Results are cached per distinct key, so a million titles cost the distinct ones only.

A field holding several jobs ("plaquiste / peintre BTP", "cariste, préparateur de commandes")
is cut by `parts` on "/", ",", "+", ";", " ou ", " et ", unless the whole field is a known
title or slang term ("ouvrier voirie et réseaux divers"), the "/" is a gender alternation
("Maçon / Maçonne") or a piece starts with a preposition ("agent d'entretien et de propreté");
the engine (building.py) indexes each piece as a title of its own.
"""
import csv
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from clausematch.matching.engine.vectors import unit_rows
from clausematch.text import ABBREVIATIONS, STOPWORDS, gendered_forms, normalise, search_key

NEIGHBOURS = 10  # n-gram neighbours re-ranked by rapidfuzz
MIN_CONFIDENCE = 0.5  # below this (mean of n-gram cosine and edit ratio), no code
BATCH = 500  # titles per sparse product: bounds the product's memory
KEEP_FROM_BEST = 0.7  # neighbours under 70 % of the best n-gram cosine cannot win the re-ranking
MIN_CORRECTED = 5  # shorter unknown words are not corrected alone: too many neighbours
WORD_CUTOFF = 80  # rapidfuzz ratio for a word to be corrected into a known one
SHORT_KEY = 4  # keys this short have too few n-grams: compared by rapidfuzz alone
TRUSTED_ALONE = 0.8  # n-gram winners below this need a close neighbour of their ROME domain
SUPPORT = 0.9  # a neighbour supports the winner when its total is ≥ 90 % of the winner's
CONTAINED_CONFIDENCE = 0.9  # a slang term found inside a longer title
# clausematch/referential/data, as referential.DATA_DIR (not imported: referential imports this module)
SLANG_CSV = Path(__file__).resolve().parents[2] / "referential" / "data" / "job_slang.csv"
# Words of titles that say nothing of the trade (search keys: accents and "H/F" already gone).
# Stripped unless the whole title is a known key, or the word forms with its neighbour a pair
# of words found in the referential ("veilleur nuit", "agence interim").
FILLER = frozenset({
    "cdi", "cdd", "cdii", "interim", "interimaire", "interimaires", "urgent", "urgente", "urgence", "asap",
    "immediat", "immediate", "immediatement", "h", "f", "hf", "fh", "clause", "clauses", "sociale", "sociales",
    "insertion", "debutant", "debutante", "debutants", "accepte", "acceptee", "acceptes", "bienvenu",
    "bienvenue", "temps", "plein", "partiel", "mi", "tps", "week", "weekend", "end", "nuit", "nuits", "jour",
    "jours", "matin", "soir", "soiree", "horaires", "decales", "poste", "pourvoir", "offre", "emploi",
    "recrute", "recrutement", "recherche", "mission", "missions", "contrat", "duree", "determinee",
    "indeterminee", "longue", "courte", "experience", "experimente", "experimentee", "exigee", "souhaitee",
    "sans", "avec", "motive", "motivee", "possible", "mois", "heures", "hebdo", "alternance", "saisonnier",
    "saisonniere", "extra", "renfort", "remplacement", "vacataire", "vacation", "cesu"})
# Separators of several jobs typed in one field.
_JOBS = re.compile(r"\s*[/,+;&]\s*|\s+(?:ou|et|OU|ET|Ou|Et)\s+")
_MAY_SPLIT = re.compile(r"[/,+;&]| (?:ou|et) ", re.IGNORECASE)
_GENDER_MARK = re.compile(r"\(?\b(?:h\s*/\s*f|f\s*/\s*h)\b\)?", re.IGNORECASE)
_LEADING_LINK = frozenset({"de", "d", "du", "des", "en", "a", "au", "aux", "la", "le", "les", "l"})
_ROME_CODE = re.compile(r"[a-n]\d{4}")
_PLAIN = re.compile(r"[a-z]+(?: [a-z]+)*")  # text that search_key would only filter word by word

# Everyday titles that are not appellations, and the code a facilitator would give them. Kept
# small and unambiguous in the context of clauses ("agent d'entretien" there means cleaning).
ALIASES = {
    "agent entretien": "K2204", "agent proprete": "K2204", "agent nettoyage": "K2204",
    "agente entretien": "K2204", "agente proprete": "K2204", "agente nettoyage": "K2204",
    "manoeuvre": "F1704", "manoeuvre btp": "F1704", "electricien": "F1602", "electricienne": "F1602",
    "peintre": "F1606", "ferrailleur": "F1701", "plongeur": "G1605", "plongeuse": "G1605",
    "serveur": "G1803", "serveuse": "G1803", "aide cuisinier": "G1602", "aide cuisiniere": "G1602",
    "paysagiste": "A1203", "agent espaces verts": "A1203", "agente espaces verts": "A1203",
    "agent restauration": "G1603", "agente restauration": "G1603", "soudeur": "H2913",
    "soudeuse": "H2913", "conducteur engins": "F1302", "conductrice engins": "F1302",
    "agent maintenance": "I1203", "agente maintenance": "I1203", "ouvrier vrd": "F1702",
    "ouvriere vrd": "F1702", "ash": "J1301",
}


@dataclass(frozen=True)
class JobMatch:
    """The ROME code of a title, the referential label it was matched to (and the search key of
    that label's masculine form, for comparing texts), and how sure the match is (0–1)."""

    rome_code: str
    label: str
    key: str
    confidence: float


@dataclass(frozen=True)
class SlangTerm:
    """One line of job_slang.csv."""

    term: str
    rome_code: str
    appellation: str
    justification: str


def read_slang(path=SLANG_CSV) -> list[SlangTerm]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [SlangTerm(row["terme"].strip(), row["code_rome"].strip(), row["appellation"].strip(),
                          row["justification"].strip()) for row in csv.DictReader(handle)]


class JobMapper:
    """Maps titles to ROME codes; thread-safe, its cache shared by the engines of a referential."""

    def __init__(self, referential):
        self.referential = referential
        # key → (code, label, key of the label's first form); the first entry wins. Every form
        # points to the masculine form's key, which profiles are then compared on as text.
        entries: dict[str, tuple[str, str, str]] = {}
        labels = {appellation.label: appellation for appellation in referential.appellations}
        self.slang: dict[str, str] = {}  # slang key → code
        for term in read_slang():
            key = search_key(term.term)
            if term.rome_code not in referential.code_labels or not key:
                continue
            named = labels.get(term.appellation)
            label = named.label if named else referential.code_label(term.rome_code)
            entries.setdefault(key, (term.rome_code, label, search_key(gendered_forms(label)[0])))
            self.slang.setdefault(key, term.rome_code)
        for appellation in referential.appellations:
            forms = appellation.forms
            canonical = search_key(forms[0])
            for form in forms:
                entries.setdefault(search_key(form), (appellation.rome_code, appellation.label, canonical))
        for code, label in referential.code_labels.items():
            entries.setdefault(search_key(label), (code, label, search_key(label)))
        for key, code in ALIASES.items():
            entries.setdefault(key, (code, referential.code_label(code), key))
        entries.pop("", None)
        self.keys = list(entries)
        self.entries = entries
        tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), max_df=0.05, sublinear_tf=True,
                                dtype=np.float32)
        # Transposed once: products then run query n-grams × key columns.
        self._keys_t = tfidf.fit_transform(self.keys).T.tocsr()
        self._ngrams = NgramCounter(tfidf)
        self._vocabulary = frozenset(word for key in self.keys for word in key.split())
        appellation_words = frozenset(word for appellation in referential.appellations
                                      for form in appellation.forms for word in search_key(form).split())
        # Slang terms that may be found inside a longer title, by their word tuples.
        self._contained = {tuple(key.split()): key for key in self.slang
                           if any(len(word) >= 2 and word not in appellation_words for word in key.split())
                           and (" " in key or len(key) >= 3)}
        self._longest_slang = max(map(len, self._contained), default=0)
        self._pairs = frozenset(pair for key in self.keys for pair in _pairs_of(key.split()))
        self._parts: dict[str, tuple[str, ...]] = {}
        self._initials: dict[str, list[str]] = {}
        for word in sorted(self._vocabulary):
            self._initials.setdefault(word[0], []).append(word)
        self._corrections: dict[str, str | None] = {}
        self._cache: dict[str, JobMatch | None] = {}
        self._keys_of: dict[str, str] = {}
        self._lock = threading.Lock()

    def key(self, text: str) -> str:
        """The search key of a text, cached: titles repeat, and keying costs ~15 µs. A title
        typed as the referential writes them ("Maçon / Maçonne") is keyed by its first form."""
        key = self._keys_of.get(text)
        if key is None:
            if text.isascii() and _PLAIN.fullmatch(lowered := text.lower()):
                key = plain_key(lowered)
            else:
                key = search_key(gendered_forms(text)[0] if "/" in text or "(" in text else text)
            if key not in self.entries:
                key = self._without_filler(key)
            self._keys_of[text] = key
        return key

    def _without_filler(self, key: str) -> str:
        """The key without its FILLER words, but for those paired with a neighbour in the
        referential ("veilleur nuit" stays, "macon nuit" loses "nuit")."""
        words = key.split()
        if not any(word in FILLER for word in words):
            return key
        pairs = self._pairs
        kept = [word for i, word in enumerate(words)
                if word not in FILLER
                or (i > 0 and (words[i - 1], word) in pairs and words[i - 1] not in FILLER)
                or (i + 1 < len(words) and (word, words[i + 1]) in pairs and words[i + 1] not in FILLER)]
        return " ".join(kept)

    def parts(self, text: str) -> tuple[str, ...]:
        """The jobs typed in one field: ("plaquiste", "peintre BTP") for "plaquiste / peintre
        BTP"; the text alone when it holds one job (see the module's docstring)."""
        found = self._parts.get(text)
        if found is None:
            found = self._split(text)
            if found != (text,):  # only fields that hold several jobs are kept: most titles hold one
                self._parts[text] = found
        return found

    def _split(self, text: str) -> tuple[str, ...]:
        if not _MAY_SPLIT.search(text):
            return (text,)
        plain = _GENDER_MARK.sub(" ", text)
        pieces = [piece for piece in _JOBS.split(plain) if piece and piece.strip()]
        if len(pieces) < 2 or self.key(text) in self.entries:
            return (text,)
        if "/" in plain and len(gendered_forms(plain)) > 1:
            return (text,)
        jobs: list[str] = []
        for piece in pieces:
            words = normalise(piece).split()
            if jobs and (not words or words[0] in _LEADING_LINK):
                return (text,)  # "agent d'entretien et de propreté": a complement, not a job
            jobs.append(piece.strip())
        jobs = [job for job in jobs if self.key(job)]  # a piece of filler only ("CDI") is no job
        return tuple(jobs) if len(jobs) > 1 else (jobs[0],) if jobs else (text,)

    def map_title(self, title: str) -> JobMatch | None:
        return self.map_titles([title])[0]

    def map_titles(self, titles) -> list[JobMatch | None]:
        """The match of each title (None when nothing is close enough), in order."""
        keys = [self.key(title) for title in titles]
        todo = [key for key in dict.fromkeys(keys) if key not in self._cache]
        if todo:
            found = self._resolve(todo)
            with self._lock:
                self._cache.update(found)
        cache = self._cache
        return [cache.get(key) for key in keys]

    def _resolve(self, keys: list[str]) -> dict[str, JobMatch | None]:
        found: dict[str, JobMatch | None] = {}
        fuzzy = []
        for key in keys:
            if key in self.entries:
                found[key] = self._match(key, 1.0)
            elif _ROME_CODE.fullmatch(key) and key.upper() in self.referential.code_index:
                code = key.upper()
                label = self.referential.code_label(code)
                found[key] = JobMatch(code, label, search_key(label), 1.0)
            elif (contained := self._contained_slang(key)) is not None:
                found[key] = self._match(contained, CONTAINED_CONFIDENCE)
            elif len(key) <= SHORT_KEY:
                found[key] = self._short(key)
            elif (corrected := self._corrected(key)) is not None:
                found[key] = self._match(corrected, fuzz.ratio(key, corrected) / 100)
            else:
                fuzzy.append(key)
        for start in range(0, len(fuzzy), BATCH):
            found.update(self._nearest(fuzzy[start:start + BATCH]))
        return found

    def _match(self, key: str, confidence: float) -> JobMatch:
        code, label, canonical = self.entries[key]
        return JobMatch(code, label, canonical, round(float(confidence), 3))

    def _contained_slang(self, key: str) -> str | None:
        """The longest slang term found in the key as consecutive whole words."""
        words = tuple(key.split())
        for size in range(min(self._longest_slang, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                hit = self._contained.get(words[start:start + size])
                if hit is not None:
                    return hit
        return None

    def _corrected(self, key: str) -> str | None:
        """The key with each unknown word replaced by the closest known word of the same initial,
        if that makes an exact key: most typos touch one word, and this costs a few µs."""
        words = key.split()
        for i, word in enumerate(words):
            if word not in self._vocabulary:
                words[i] = self._word(word)
                if words[i] is None:
                    return None
        corrected = " ".join(words)
        return corrected if corrected in self.entries and corrected != key else None

    def _word(self, word: str) -> str | None:
        if word not in self._corrections:
            hit = None
            if len(word) >= MIN_CORRECTED:
                hit = process.extractOne(word, self._initials.get(word[0], ()), scorer=fuzz.ratio,
                                         score_cutoff=WORD_CUTOFF)
            self._corrections[word] = hit[0] if hit else None
        return self._corrections[word]

    def _short(self, key: str) -> JobMatch | None:
        hit = process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=80)
        return self._match(hit[0], hit[1] / 100) if hit else None

    def _nearest(self, keys: list[str]) -> dict[str, JobMatch | None]:
        """Best key for each of `keys`: n-gram neighbours from one sparse product, re-ranked."""
        product = self._ngrams.transform(keys) @ self._keys_t  # CSR, no duplicates
        rows, data = _row_ids(product.indptr), product.data
        best = np.zeros(len(keys), dtype=np.float32)
        starts = product.indptr[:-1]
        filled = np.diff(product.indptr) > 0
        if filled.any():
            best[filled] = np.maximum.reduceat(data, starts[filled])
        # Drop, in one vectorised pass, the neighbours that cannot win the re-ranking.
        keep = data >= KEEP_FROM_BEST * best[rows]
        rows, columns, cosines = rows[keep], product.indices[keep], data[keep]
        bounds = np.searchsorted(rows, np.arange(len(keys) + 1))
        return {key: self._rerank(key, columns[bounds[i]:bounds[i + 1]], cosines[bounds[i]:bounds[i + 1]])
                for i, key in enumerate(keys)}

    def _rerank(self, key: str, columns: np.ndarray, cosines: np.ndarray) -> JobMatch | None:
        if not len(columns):
            return None
        if len(columns) > NEIGHBOURS:
            top = np.argpartition(-cosines, NEIGHBOURS)[:NEIGHBOURS]
            columns, cosines = columns[top], cosines[top]
        candidates = [self.keys[c] for c in columns.tolist()]
        ratios = np.array([fuzz.ratio(key, candidate) for candidate in candidates], np.float32) / 100
        # Mean of both views; a hair shorter wins ties (the generic title before its variants).
        totals = (cosines + ratios) / 2 - 1e-4 * np.fromiter(map(len, candidates), np.float32, len(candidates)) / 50
        winner = int(np.argmax(totals))
        confidence = (cosines[winner] + ratios[winner]) / 2
        if confidence < MIN_CONFIDENCE:
            return None
        if confidence < TRUSTED_ALONE and not self._supported(candidates, totals, winner):
            return None  # a look-alike far from every other neighbour: not trusted alone
        return self._match(candidates[winner], confidence)

    def _supported(self, candidates: list[str], totals: np.ndarray, winner: int) -> bool:
        """Whether another close neighbour lies in the winner's ROME domain."""
        domain = self.entries[candidates[winner]][0][:3]  # the ROME domain: F1703 → F17
        floor = SUPPORT * totals[winner]
        return any(i != winner and totals[i] >= floor and self.entries[candidate][0][:3] == domain
                   for i, candidate in enumerate(candidates))


class NgramCounter:
    """The TfidfVectorizer's transform, computed word by word with a cache: "char_wb" n-grams
    never cross a space, so a key's n-gram counts are the sum of its words' counts, and a word
    (typed right or wrong) is analysed once however many titles hold it."""

    def __init__(self, tfidf: TfidfVectorizer):
        self.idf = tfidf.idf_.astype(np.float32)
        self._counter = CountVectorizer(analyzer="char_wb", ngram_range=(3, 4), vocabulary=tfidf.vocabulary_,
                                        dtype=np.float32)
        self._words: dict[str, tuple[list[int], list[float]]] = {}

    def transform(self, keys: list[str]) -> sparse.csr_matrix:
        new = [w for w in dict.fromkeys(w for key in keys for w in key.split()) if w not in self._words]
        if new:
            counts = self._counter.transform(new)
            for i, word in enumerate(new):
                start, stop = counts.indptr[i], counts.indptr[i + 1]
                self._words[word] = (counts.indices[start:stop].tolist(), counts.data[start:stop].tolist())
        indptr, indices, data = [0], [], []
        for key in keys:
            for word in key.split():
                columns, values = self._words[word]
                indices += columns
                data += values
            indptr.append(len(indices))
        matrix = sparse.csr_matrix((np.asarray(data, np.float32), np.asarray(indices, np.int32), indptr),
                                   shape=(len(keys), len(self.idf)))
        matrix.sum_duplicates()  # an n-gram in two words of a key
        # Same weighting as TfidfVectorizer(sublinear_tf=True): (1 + log tf) × idf, unit rows.
        matrix.data = (1 + np.log(matrix.data)) * self.idf[matrix.indices]
        return unit_rows(matrix)


def plain_key(text: str) -> str:
    """search_key of lower-case ASCII words separated by single spaces, without its regular
    expressions (half the titles people type look like this; a test checks both agree)."""
    words = [ABBREVIATIONS.get(word, word) for word in text.split(" ")]
    return " ".join([word for word in words if word not in STOPWORDS] or words)


def _pairs_of(words: list[str]):
    """Consecutive pairs of words."""
    return zip(words, words[1:], strict=False)


def _row_ids(indptr: np.ndarray) -> np.ndarray:
    """The row of every stored value of a CSR matrix."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
