"""Turn what was typed in the job and place fields into reference records.

The autocomplete fills hidden codes; they win while the visible text still names the record
picked. Without JavaScript (or when the text was changed after picking) the server resolves the
text with the tolerant referential search.
"""
import re

import sqlalchemy as sa

from clausematch.accounts.models import TerritoryCommune
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.formats import parse_id
from clausematch.referential.models import Commune, RomeAppellation
from clausematch.referential.search import (
    AppellationHit,
    CommuneHit,
    communes_named,
    communes_with_code,
    search_appellations,
    search_communes,
)
from clausematch.text import gendered_forms, normalise

SUGGESTIONS = 5
# The best job title is taken when it is clearly ahead of the next one (scores are 0–100:
# 100 the whole title, 80–99 its start, 60–79 every word, below 60 a likely typo).
MIN_SCORE = 60
MIN_LEAD = 5
# "Maçon / Maçonne (F1703 Maçonnerie)" and "Saint-Denis (93200)": the forms the widgets show.
_ROME_SUFFIX = re.compile(r"\s*\([A-Na-n]\d{4}\b[^)]*\)\s*$")
# A postcode, department or INSEE code ("93200", "93", "2A004"), alone or with a name around it.
_CODE = re.compile(r"\d[\dAB]\d{0,3}", re.IGNORECASE)
_NAME_AND_CODE = re.compile(r"(?P<name>.*?[^\W\d].*?)[\s,]*\(?\s*(?P<code>\d[\dAB]\d{0,3})\s*\)?", re.IGNORECASE)
_CODE_AND_NAME = re.compile(r"(?P<code>\d[\dAB]\d{3})[\s,]+(?P<name>.*[^\W\d].*)", re.IGNORECASE)
# Closest communes listed under a refusal: below this referential score a hit is noise
# ("Zzzzville" → Ozeville); one-letter typos score about 50 ("aubervilier").
MIN_CHOICE_SCORE = 40


def appellation_option_label(appellation: RomeAppellation) -> str:
    """"Maçon / Maçonne (F1703 Maçonnerie)", as the autocomplete shows it."""
    return f"{appellation.label} ({appellation.rome_code} {appellation.rome.label})"


def _names_it(text: str, *labels: str) -> bool:
    return normalise(text) in {normalise(label) for label in labels}


def _clear_winner(text: str, hits: list[AppellationHit]) -> AppellationHit | None:
    """The hit the text names exactly, else the best hit if clearly ahead, else None."""
    for hit in hits:
        if _names_it(text, hit.label, *gendered_forms(hit.label)):
            return hit
    best = hits[0]
    if len(hits) == 1 or (best.score >= MIN_SCORE and best.score - hits[1].score >= MIN_LEAD):
        return best
    return None


def resolve_appellation(text: str | None, code: int | str | None = None) -> RomeAppellation:
    """The ROME appellation meant by `text` (and the `code` picked in the autocomplete)."""
    text = (text or "").strip()
    if not text:
        raise DomainError("Indiquez le métier (appellation ROME).", field="appellation")
    picked_code = parse_id(str(code).strip()) if code else None  # a hand-edited code out of range: ignored
    if picked_code is not None:
        picked = db.session.get(RomeAppellation, picked_code)
        if picked is not None and _names_it(text, picked.label, appellation_option_label(picked)):
            return picked
    title = _ROME_SUFFIX.sub("", text) or text
    # "Plombier / Plombière" is searched as its first reading, which the index knows whole.
    hits = search_appellations(gendered_forms(title)[0], limit=SUGGESTIONS)
    if not hits:
        raise DomainError(f"Aucun métier ne correspond à « {text} » : essayez un autre intitulé, "
                          "par exemple « maçon » ou « agent d'entretien ».", field="appellation")
    winner = _clear_winner(title, hits)
    if winner is None:
        suggestions = " ; ".join(f"« {hit.label} »" for hit in hits)
        raise DomainError(f"Plusieurs métiers correspondent à « {text} », précisez lequel. "
                          f"Suggestions : {suggestions}.", field="appellation")
    return db.session.get(RomeAppellation, winner.code)


def territory_departments(territory_id: int | None) -> frozenset[str]:
    """Departments of the territory's communes: "Saint-Denis" means the one nearby."""
    if territory_id is None:
        return frozenset()
    stmt = (sa.select(Commune.department).distinct()
            .join(TerritoryCommune, TerritoryCommune.commune_insee == Commune.insee_code)
            .where(TerritoryCommune.territory_id == territory_id))
    return frozenset(db.session.scalars(stmt))


def find_commune(text: str | None, insee_code: str | None = None,
                 prefer_departments: frozenset[str] = frozenset(), field: str = "commune") -> Commune | None:
    """The commune meant by `text`, or None when nothing was typed.

    Only a commune the person picked or named without doubt is returned, never a guess:
    - the autocomplete's hidden `insee_code`, while the visible text still names that commune;
    - "Saint-Denis (93200)", "Saint-Denis 93200" or "93200 Saint-Denis": the commune of that name
      with that postcode (or department, or INSEE code);
    - a postcode alone when a single commune has it, or an INSEE code;
    - a name alone (accents, case, hyphens and "st" ignored) that only one commune bears, or,
      among namesakes, only one in `prefer_departments` (the territory's: "Saint-Denis" is the
      one of Seine-Saint-Denis for Plaine Commune).
    Anything else (a typo, the start of a name, a postcode shared by several communes) raises a
    CommuneNotResolved on `field` listing the closest communes, written so that typing one back
    resolves it.
    """
    text = (text or "").strip()
    if not text:
        return None
    if insee_code:
        picked = db.session.get(Commune, insee_code.strip()[:5])
        if picked is not None and _names_commune(text, picked):
            return picked
    try:
        hit = unambiguous_commune(text, prefer_departments)
    except CommuneNotResolved as error:
        error.field = field
        raise
    return db.session.get(Commune, hit.insee_code)


def unambiguous_commune(text: str, prefer_departments: frozenset[str] = frozenset()) -> CommuneHit:
    """The one commune `text` names, else CommuneNotResolved with the closest choices."""
    named = _NAME_AND_CODE.fullmatch(text) or _CODE_AND_NAME.fullmatch(text)
    if named:
        code = named["code"].upper()
        hits = [hit for hit in communes_named(named["name"])
                if code in hit.postcodes or code in (hit.department, hit.insee_code)]
        if len(hits) == 1:
            return hits[0]
        choices = hits or communes_named(named["name"]) or _closest(named["name"], prefer_departments)
        raise CommuneNotResolved(text, choices)
    compact = text.replace(" ", "")
    if _CODE.fullmatch(compact):
        by_postcode, by_insee = communes_with_code(compact)
        hits = list({hit.insee_code: hit for hit in [*by_postcode, *([by_insee] if by_insee else [])]}.values())
        if len(hits) == 1:
            return hits[0]
        raise CommuneNotResolved(text, hits, shared_code=len(hits) > 1)
    hits = communes_named(text)
    if len(hits) > 1:
        preferred = [hit for hit in hits if hit.department in prefer_departments]
        if len(preferred) == 1:
            return preferred[0]
        hits.sort(key=lambda hit: hit.department not in prefer_departments)  # stable: population next
    if len(hits) == 1:
        return hits[0]
    raise CommuneNotResolved(text, hits or _closest(text, prefer_departments))


def _closest(text: str, prefer_departments: frozenset[str]) -> list[CommuneHit]:
    """The communes the tolerant search finds closest to `text`, noise left out."""
    return [hit for hit in search_communes(text, limit=SUGGESTIONS, prefer_departments=prefer_departments)
            if hit.score >= MIN_CHOICE_SCORE]


class CommuneNotResolved(DomainError):
    """What was typed names no commune, or several: the French message lists the closest ones."""

    def __init__(self, text: str, choices: list[CommuneHit], shared_code: bool = False, field: str = "commune"):
        self.choices = [hit.display for hit in choices[:SUGGESTIONS]]
        if not choices:
            message = (f"Commune introuvable : « {text} ». Vérifiez l'orthographe, saisissez le code postal "
                       "(par exemple 93200) ou choisissez une commune dans la liste proposée.")
        else:
            more = len(choices) - len(self.choices)
            listed = " ; ".join(self.choices) + (f" (et {more} autre{'s' if more > 1 else ''})" if more > 0 else "")
            lead = (f"Plusieurs communes ont le code « {text} »" if shared_code
                    else f"« {text} » ne désigne pas une commune précise")
            message = (f"{lead} : précisez laquelle en choisissant dans la liste ou en saisissant le nom suivi "
                       f"du code postal. Communes les plus proches : {listed}.")
        super().__init__(message, field=field)


def resolve_commune(text: str | None, insee_code: str | None = None,
                    prefer_departments: frozenset[str] = frozenset()) -> Commune:
    """The commune of an offer or a person: required (see find_commune)."""
    commune = find_commune(text, insee_code, prefer_departments)
    if commune is None:
        raise DomainError("Indiquez la commune du poste.", field="commune")
    return commune


def _names_commune(text: str, commune: Commune) -> bool:
    """The text is the commune's name or label, optionally followed by numbers ("Saint-Denis 93200")."""
    if _names_it(text, commune.name, commune.label):
        return True
    typed, name = normalise(text), normalise(commune.name)
    rest = typed.removeprefix(name)
    return typed.startswith(name) and rest.replace(" ", "").isdigit()


def commune_label(insee_code: str | None) -> str:
    """"Saint-Denis (93200)" for a form's initial value; empty when no commune."""
    if not insee_code:
        return ""
    commune = db.session.get(Commune, insee_code)
    return commune.label if commune else ""
