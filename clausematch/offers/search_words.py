"""The words the board's full-text index holds and looks up: pure functions, no database.

One function turns any French text (an offer's title, a ROME appellation, what a person types)
into *search keys*: normalised words (lower case, no accents, œ→oe), the usual short forms
written out (clausematch.text.expand_abbreviations), the little words dropped (articles, elided
forms "d'", "l'", prepositions), then each word reduced by a light stemmer so that the
masculine and feminine forms and the plural meet: "Maçonnes" → "macon", "agente" → "agent",
"cuisinière" → "cuisinier", "conductrices" → "conducteur", "locaux" → "local".

The stemmer follows the idea of J. Savoy's French light stemmer (the one Lucene and
Elasticsearch ship as "light_french"): only inflection is removed (plural, feminine), never
derivation, so "ménage" (menag) and "aménagement" (amenagement) stay two different words. It is
applied the same way to the documents and to the query, in Python, so SQLite and PostgreSQL index
exactly the same keys (no unaccent extension or French dictionary needed in the database).

An offer's document is two texts of keys (clausematch/offers/search_index.py keeps them current):
- its own words: title, appellation (both gendered forms) and skills;
- its related words: its ROME code's label and every appellation of that code, so that "nettoyeur"
  finds an offer titled "Agent d'entretien H/F" filed under K2204.
"""
import re

from clausematch.text import expand_abbreviations, gendered_forms

# Articles, elided forms, prepositions and the "H/F" marks: never indexed, never looked up.
STOPWORDS = frozenset({
    "a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "un", "une",
    "qu", "pour", "par", "sur", "sous", "dans", "avec", "ou", "h", "f", "hf", "fh", "e",
})
# Feminine endings and their masculine, longest first where they overlap (after the plural is gone).
_FEMININE = (("trice", "teur"), ("drice", "deur"), ("euse", "eur"), ("ienne", "ien"), ("onne", "on"),
             ("enne", "en"), ("esse", "e"), ("ette", "et"), ("elle", "el"), ("ffe", "f"), ("ere", "er"),
             ("ive", "if"), ("ee", "e"))
_WORD = re.compile(r"[a-z0-9]+")
MIN_STEM = 2  # letters kept before an ending is replaced


def word_key(word: str) -> str:
    """The search key of one normalised word (a-z, 0-9): plural and feminine endings removed."""
    if len(word) <= 3 or not word.isalpha():
        return word
    word = _singular(word)
    for feminine, masculine in _FEMININE:
        if word.endswith(feminine) and len(word) - len(feminine) >= MIN_STEM:
            word = word[:-len(feminine)] + masculine
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return _singular(word)  # "commise" → "commis" → "commi", as "commis" → "commi"


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("aux") and not word.endswith("eaux"):
        return word[:-3] + "al"  # locaux → local (réseaux → réseau below)
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def search_keys(text: str | None) -> list[str]:
    """The search keys of a text, in order (repeats kept)."""
    words = _WORD.findall(expand_abbreviations(text))
    return [word_key(w) for w in words if w not in STOPWORDS]


def document(*texts: str | None) -> str:
    """The keys of several texts as one document: each key once, in first-seen order."""
    return " ".join(dict.fromkeys(key for text in texts for key in search_keys(text)))


def label_text(label: str | None) -> str:
    """A job title with both its gendered readings written out: "Installateur(trice)-poseur(se)"
    → "Installateur-poseur Installatrice-poseuse" (text.gendered_forms)."""
    return " ".join(gendered_forms(label)) if label else ""
