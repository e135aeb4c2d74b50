"""How close a typed name is to a person's: the skeletons a typed word may stand for (what the
people search looks up, search.py) and the rapidfuzz score that ranks what it retrieved. Pure
functions: no database."""
from rapidfuzz import fuzz

from clausematch.text import SKELETON_LETTERS, normalise, skeleton, sound_spelling

MIN_SKELETON = 2  # shorter skeletons ("l" of "Ali") name too many people to be looked up


def skeleton_keys(word: str) -> list[str]:
    """The skeletons a typed word may stand for: its own, with two neighbouring letters swapped or
    one letter added, and, from three letters on, with one letter removed or changed (a two-letter
    skeleton changed would name too many people); none below MIN_SKELETON letters."""
    key = skeleton(word)
    if len(key) < MIN_SKELETON:
        return []
    keys = {key} | {key[:i] + key[i + 1] + key[i] + key[i + 2:] for i in range(len(key) - 1)}
    keys |= {key[:i] + letter + key[i:] for i in range(len(key) + 1) for letter in SKELETON_LETTERS}
    if len(key) >= 3:
        keys |= {key[:i] + key[i + 1:] for i in range(len(key))}
        keys |= {key[:i] + letter + key[i + 1:] for i in range(len(key)) for letter in SKELETON_LETTERS}
    return sorted(k for k in keys if len(k) >= MIN_SKELETON)


def _word_similarity(typed: str, own: str) -> float:
    """rapidfuzz's ratio, raised halfway towards the ratio of the sound spellings ("dailo" /
    "diallo": 73 → 76; "filipe" / "philippe": 71 → 86), so that an exact word still ranks first."""
    plain = fuzz.ratio(typed, own)
    return max(plain, (plain + fuzz.ratio(sound_spelling(typed), sound_spelling(own))) / 2)


def name_score(words: list[str], first_name: str, last_name: str) -> float:
    """0–100: how well the typed words (normalised) name this person. Each typed word is compared
    with the person's closest word (the mean of these); the words written together are compared
    with the names written without spaces, in both orders and each alone ("benali" / "Ben Ali")."""
    own = normalise(f"{first_name} {last_name}").split()
    if not words or not own:
        return 0.0
    per_word = sum(max(_word_similarity(word, candidate) for candidate in own) for word in words) / len(words)
    typed = "".join(words)
    forms = (f"{first_name} {last_name}", f"{last_name} {first_name}", last_name, first_name)
    compact = max(fuzz.ratio(typed, normalise(form).replace(" ", "")) for form in forms)
    return max(per_word, compact)
