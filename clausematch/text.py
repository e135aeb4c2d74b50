"""Shared text normalisation for searching French text (job titles, communes, offers).

Pure functions (no Flask, no database) so the matching engine and SQL keyword search can reuse
them. `normalise` is the canonical form stored and compared everywhere; `expand_abbreviations`
adds the short forms people type; `significant_words` drops the little words that vary freely
("agent d'entretien" / "agent entretien").
"""
import re
import unicodedata

# Letters NFKD does not decompose into a base letter plus accents.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NON_WORD = re.compile(r"[^0-9a-z]+")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f]+")

# Short forms people type, applied to whole words of normalised text. Kept small on purpose:
# every entry must be unambiguous in job titles and commune names. Left out on purpose:
# "ass" (assistant? or the ASS allowance, an eligibility criterion), "bat" (bâtiment? or a verb),
# "ch" / "cht" (chef? chantier?), "mo" (maçon? main-d'œuvre?).
ABBREVIATIONS = {
    "st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes",
    "agt": "agent", "agts": "agents",
    "resp": "responsable", "respo": "responsable",
    "tech": "technicien", "techn": "technicien",
    "arr": "arrondissement", "arrdt": "arrondissement", "arrt": "arrondissement",
}
# "s/" is "sur" in commune names (Boulogne s/ Mer); "H/F" and "F/H" only say a job is open to all.
_SUR = re.compile(r"\bs\s*/\s*", re.IGNORECASE)
_GENDER_MARK = re.compile(r"\(?\b(?:h\s*/\s*f|f\s*/\s*h)\b\)?", re.IGNORECASE)
# French ordinals: "11eme", "11ème", "11ieme" → "11e" (the form of Paris/Lyon/Marseille districts).
_ORDINAL = re.compile(r"\b(\d+)(?:eme|ieme|e)\b")

# Articles, elided forms and prepositions that people add or drop at will. Not "sur" / "sous":
# they distinguish communes (Fontenay-sous-Bois, Boulogne-sur-Mer).
STOPWORDS = frozenset({"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les",
                       "un", "une"})


def normalise(text: str | None) -> str:
    """Lower case, accents stripped, œ→oe and æ→ae, punctuation and hyphens as single spaces."""
    if not text:
        return ""
    text = text.translate(_LIGATURES)
    text = unicodedata.normalize("NFKD", text)
    text = _COMBINING_MARKS.sub("", text).lower()
    text = text.translate(_LIGATURES)  # "Œ" may only appear after NFKD of compatibility forms
    return _NON_WORD.sub(" ", text).strip()


def expand_abbreviations(text: str | None) -> str:
    """Normalised text with the usual short forms written out ("st denis" → "saint denis").

    Accepts raw or normalised text; idempotent.
    """
    if not text:
        return ""
    text = _GENDER_MARK.sub(" ", text)
    text = _SUR.sub(" sur ", text)
    text = _ORDINAL.sub(r"\1e", normalise(text))
    return " ".join(ABBREVIATIONS.get(word, word) for word in text.split())


def significant_words(text: str | None) -> list[str]:
    """The words of `text` (normalised, abbreviations expanded) without articles and prepositions.

    Falls back to every word when the text is made of little words only.
    """
    words = expand_abbreviations(text).split()
    return [w for w in words if w not in STOPWORDS] or words


def search_key(text: str | None) -> str:
    """The form compared by tolerant searches: significant words joined by single spaces."""
    return " ".join(significant_words(text))


# --- Gendered job titles ("Maçon / Maçonne", "Agent(e) d'entretien") ---------------------------

_SLASH = re.compile(r"\s*/\s*")
_PARENTHESISED_ENDING = re.compile(r"(\w+)\((\w{1,5})\)")


def gendered_forms(label: str) -> list[str]:
    """The masculine and feminine readings of a job title, or the title alone if not gendered.

    "Abatteur / Abatteuse de carrière" → ["Abatteur de carrière", "Abatteuse de carrière"];
    "Chef d'équipe coffreur / coffreuse" → ["Chef d'équipe coffreur", "Chef d'équipe coffreuse"];
    "Agent(e) d'entretien" → ["Agent d'entretien", "Agente d'entretien"]. A slash that is not
    a gender alternation ("entretien/propreté") stays in both readings.
    """
    segments = [part.split() for part in _SLASH.split(label.strip())]
    if any(not words for words in segments):
        return [label]
    merged, widths = [segments[0]], []
    for words in segments[1:]:
        reserved = widths[-1] if widths else 0
        width = _alternation_width(merged[-1], words, reserved)
        if width:
            merged.append(words)
            widths.append(width)
        else:  # "entretien/propreté": one word, not two forms
            merged[-1] = merged[-1][:-1] + [merged[-1][-1] + "/" + words[0]] + words[1:]
    masculine = list(merged[0])
    feminine = []
    for i, words in enumerate(merged):
        if i > 0:
            masculine += words[widths[i - 1]:]
        feminine += words[:len(words) - widths[i]] if i < len(widths) else words
    forms = [_PARENTHESISED_ENDING.sub(r"\1", " ".join(masculine)),
             _PARENTHESISED_ENDING.sub(_feminine_ending, " ".join(feminine))]
    return list(dict.fromkeys(forms))


def _alternation_width(left: list[str], right: list[str], reserved: int) -> int:
    """How many words at the end of `left` alternate with as many at the start of `right`."""
    for width in range(min(len(left) - reserved, len(right)), 0, -1):
        if all(_same_stem(a, b) for a, b in zip(left[-width:], right[:width], strict=True)):
            return width
    return 0


def _same_stem(masculine: str, feminine: str) -> bool:
    a, b = normalise(masculine), normalise(feminine)
    return bool(a) and a[:3] == b[:3]


def _feminine_ending(match: re.Match) -> str:
    """"conducteur(trice)" → "conductrice", "vendeur(se)" → "vendeuse", "agent(e)" → "agente"."""
    word, ending = match.groups()
    if word.endswith("teur") and ending == "trice":
        return word[:-4] + "trice"
    if word.endswith("eur") and ending in ("se", "euse", "rice"):
        return word[:-3] + ("rice" if ending == "rice" else "euse")
    if word.endswith("er") and ending in ("ère", "ere"):
        return word[:-2] + ending
    if word.endswith("f") and ending in ("ve", "ive"):
        return word[:-1] + "ve"
    return word + ending


# --- Names: a key that survives typos in the first letters ------------------------------------

# French spellings of one sound, read left to right in one pass (a replacement is not read again).
# Not g/j nor c/s before e and i: a typo on the vowel would change the consonant ("gem" for "Gam").
_SOUNDS = {"x": "ks", "sch": "x", "sh": "x", "ch": "x", "ph": "f", "qu": "k", "q": "k", "c": "k", "w": "v",
           "z": "s"}
_SOUND = re.compile("|".join(sorted(_SOUNDS, key=len, reverse=True)))
_DOUBLED = re.compile(r"(.)\1+")
_VOWELS_AND_H = re.compile(r"[aeiouyh]+")
# The letters a skeleton is made of (what a typo may put in or take out).
SKELETON_LETTERS = "bdfgjklmnprstvx"


def sound_spelling(word: str) -> str:
    """One normalised word with the French spellings of one sound folded (ph → f, qu/q/c → k,
    ch/sh/sch → x, x → ks, w → v, z → s) and doubled letters made single: "philippe" → "filipe",
    "diallo" → "dialo"."""
    return _DOUBLED.sub(r"\1", _SOUND.sub(lambda match: _SOUNDS[match.group()], word))


def skeleton(word: str) -> str:
    """The consonant skeleton of one normalised name word: its `sound_spelling` without vowels,
    y and h: "diallo", "dailo" and "dialo" → "dl"; "nguyen", "ngyuen", "nguyne" → "ngn";
    "kamara", "akmara", "camara" → "kmr". A typo that moves, doubles or changes a vowel, even
    among the first letters, keeps the skeleton; a changed consonant does not (the search looks
    up the skeletons one typo away for that: candidates/search.py)."""
    return _VOWELS_AND_H.sub("", sound_spelling(word))
