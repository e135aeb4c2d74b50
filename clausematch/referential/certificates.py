"""Certificates and licences as a referential (CACES, habilitations électriques, permis, SSIAP,
amiante, secourisme, titres professionnels…), read from data/certificates.csv at first use.

Each item has a stable code (`caces-r489-3`), a French label ("CACES R489 cat. 3"), a family,
a group (items of one group are near misses of each other: "CACES R489 cat. 1" for a cat. 3),
a short name inside its group ("cat. 3"), the items it implies where the official rules say so
(permis CE ⇒ C ⇒ C1 ⇒ B; B1V ⇒ B1; SSIAP 2 ⇒ SSIAP 1; SST ⇒ PSC1; see data/SOURCES.md), the
ways people type it, and its source.

`parse_items(text)` turns what people type ("caces 3, hab elec B1V / BR, permis CE, SSIAP1")
into items, tolerant to case, accents, spacing and punctuation; a fragment it cannot read, or
that could be several items ("caces a": R482 or R486), comes back as an `Unknown` with its
choices — never silently dropped. Pure: no app, no database.
"""
import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from clausematch.errors import DomainError, FieldErrors
from clausematch.text import normalise

DATA = Path(__file__).resolve().parent / "data" / "certificates.csv"
MAX_CHOICES = 6  # choices named in a message
MAX_ITEM_WORDS = 10  # the longest typed form of an item, in significant words: bounds the reading


@dataclass(frozen=True)
class Certificate:
    code: str
    label: str
    family: str
    group: str
    short: str
    implies: tuple[str, ...]
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Unknown:
    """A typed fragment that is no item: `choices` lists the items it could be (ambiguous), if any."""

    text: str
    choices: tuple[Certificate, ...] = ()

    def message(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        if len(self.choices) > MAX_CHOICES:
            labels = ", ".join(c.label for c in self.choices[:MAX_CHOICES])
            return f"« {shown} » peut désigner plusieurs certificats : précisez lequel ({labels}…)."
        if self.choices:
            labels = [c.label for c in self.choices]
            return (f"« {shown} » peut désigner plusieurs certificats : précisez "
                    + ", ".join(labels[:-1]) + f" ou {labels[-1]}.")
        return (f"« {shown} » n'est pas un certificat connu (exemples : CACES R489 cat. 3, "
                "habilitation B1V, permis C, SSIAP 1, SS4 amiante, SST).")


# Words that say nothing of the item, and the usual spellings of those that do.
_WORDS = {"cat": "", "categorie": "", "categ": "", "categories": "", "de": "", "du": "", "conduire": "",
          "certificat": "", "formation": "", "option": "", "niveau": "", "electrique": "", "electriques": "",
          "elec": "",
          "habilitation": "hab", "habilitations": "hab", "habil": "hab", "habilite": "hab", "amiante": "",
          "titre": "tp", "professionnel": "", "permis": "permis", "le": "", "la": "", "l": "", "et": ""}
_CATEGORY = re.compile(r"\b(?:categorie|categ|cat)(?=\d)")  # "cat3" → "3"
_SECTION = re.compile(r"\bsous section\b")
_SEPARATORS = re.compile(r"[,;/\n\r|+•]+")  # "et" is a filler word: see _fragment


def tokens(text: str) -> list[str]:
    """The significant words of `text`, normalised ("Hab. élec B1V" → ["hab", "b1v"])."""
    text = _SECTION.sub("ss", _CATEGORY.sub("", normalise(text)))
    return [word for word in (_WORDS.get(w, w) for w in text.split()) if word]


def key(text: str) -> str:
    return "".join(tokens(text))


@dataclass(frozen=True)
class Catalogue:
    items: dict[str, Certificate]
    keys: dict[str, tuple[str, ...]]  # typed key → codes (several when ambiguous)

    def __getitem__(self, code: str) -> Certificate:
        return self.items[code]

    def __contains__(self, code: object) -> bool:
        return code in self.items

    def get(self, code: str, default=None):
        return self.items.get(code, default)

    def label(self, code: str) -> str:
        item = self.items.get(code)
        return item.label if item else code

    def labels(self, codes) -> list[str]:
        return [self.label(code) for code in codes]

    def closure(self, codes) -> frozenset[str]:
        """The codes and every item they imply (transitively); unknown codes are dropped."""
        seen: set[str] = set()
        todo = [c for c in codes if c in self.items]
        while todo:
            code = todo.pop()
            if code not in seen:
                seen.add(code)
                todo += [c for c in self.items[code].implies if c in self.items]
        return frozenset(seen)

    def ordered(self, codes) -> list[str]:
        """Known codes, without repeats, in the order of the referential."""
        wanted = set(codes)
        return [code for code in self.items if code in wanted]

    def lookup(self, text: str) -> tuple[str, ...]:
        return self.keys.get(key(text), ())

    def parse(self, text: str | None) -> tuple[list[Certificate], list[Unknown]]:
        found: dict[str, Certificate] = {}
        unknown: list[Unknown] = []
        for fragment in _SEPARATORS.split(text or ""):
            fragment = " ".join(fragment.split()).strip(" .-")
            if not fragment:
                continue
            codes, problem = self._fragment(fragment)
            for code in codes:
                found.setdefault(code, self.items[code])
            if problem:
                unknown.append(problem)
        return list(found.values()), unknown

    def _fragment(self, fragment: str) -> tuple[list[str], Unknown | None]:
        words = tokens(fragment)
        if not words:
            return [], None  # only filler words ("certificat", "et")
        whole = self.keys.get("".join(words), ())
        if len(whole) == 1:
            return list(whole), None
        if len(whole) > 1:
            return [], Unknown(fragment, tuple(self.items[c] for c in whole))
        # Several items written one after the other ("SST SSIAP 1 permis B"): longest keys first.
        codes, start = [], 0
        while start < len(words):
            for stop in range(min(len(words), start + MAX_ITEM_WORDS), start, -1):
                found = self.keys.get("".join(words[start:stop]), ())
                if len(found) == 1:
                    codes.append(found[0])
                    start = stop
                    break
                if len(found) > 1:
                    return [], Unknown(fragment, tuple(self.items[c] for c in found))
            else:
                return [], Unknown(fragment)
        return codes, None


@cache
def catalogue() -> Catalogue:
    items: dict[str, Certificate] = {}
    with open(DATA, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            items[row["code"]] = Certificate(
                row["code"], row["label"], row["family"], row["group"], row["short"],
                tuple(row["implies"].split()), tuple(a for a in row["aliases"].split("|") if a), row["source"])
    keys: dict[str, list[str]] = {}
    for item in items.values():
        for text in (item.code.replace("-", " "), item.label, *item.aliases):
            codes = keys.setdefault(key(text), [])
            if item.code not in codes:
                codes.append(item.code)
    groups: dict[str, list[str]] = {}
    for item in items.values():
        if item.family == "CACES":
            groups.setdefault(key(item.group.replace("-", " ")), []).append(item.code)
    for group_key, codes in groups.items():  # "CACES R482" alone: which category?
        keys.setdefault(group_key, codes)
    return Catalogue(items, {k: tuple(v) for k, v in keys.items() if k})


def parse_items(text: str | None) -> tuple[list[Certificate], list[Unknown]]:
    """The items typed in `text` (in the order typed, without repeats) and the fragments that are
    none, or could be several (`Unknown.choices`)."""
    return catalogue().parse(text)


def labels(codes) -> list[str]:
    return catalogue().labels(codes)


def as_text(codes) -> str:
    """The codes as the form shows them back: labels, comma-separated."""
    return ", ".join(catalogue().labels(catalogue().ordered(codes)))


def checked_certificates(text: str | None, field: str, limit: int = 300) -> tuple[list[str], str]:
    """What a form field typed, as (codes, labels as shown back); every fragment that is no
    item, or could be several, refused on `field` (one message each, all at once)."""
    items, unknown = parse_items(text)
    if unknown:
        raise FieldErrors([DomainError(problem.message(), field=field) for problem in unknown])
    codes = catalogue().ordered(item.code for item in items)
    shown = as_text(codes)
    if len(shown) > limit:
        raise DomainError(f"Trop de certificats pour ce champ ({len(shown)} caractères une fois écrits en "
                          f"entier, {limit} au plus) : gardez les principaux.", field=field)
    return codes, shown
