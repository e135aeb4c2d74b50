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
from clausematch.referential.models import Commune, RomeAppellation
from clausematch.referential.search import AppellationHit, search_appellations, search_communes
from clausematch.text import gendered_forms, normalise

SUGGESTIONS = 5
# The best job title is taken when it is clearly ahead of the next one (scores are 0–100:
# 100 the whole title, 80–99 its start, 60–79 every word, below 60 a likely typo).
MIN_SCORE = 60
MIN_LEAD = 5
# "Maçon / Maçonne (F1703 Maçonnerie)" and "Saint-Denis (93200)": the forms the widgets show.
_ROME_SUFFIX = re.compile(r"\s*\([A-Na-n]\d{4}\b[^)]*\)\s*$")
UNKNOWN_COMMUNE = ("Commune introuvable : vérifiez l'orthographe ou saisissez le code postal "
                   "(par exemple 93200).")
_POSTCODE_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<postcode>\d[\dAB]\d{3})\)\s*$")


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
    if code and str(code).strip().isdigit():
        picked = db.session.get(RomeAppellation, int(code))
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

    The autocomplete fills a hidden `insee_code`: it wins while the visible text still names
    that commune. Otherwise (no JavaScript, or text changed after picking) the text is resolved
    with the referential search (name, postcode, typos), communes of `prefer_departments` first
    on ties ("Saint-Denis" is the one of Seine-Saint-Denis for Plaine Commune, not the larger one
    of La Réunion); an INSEE code typed as such is a last resort, since people type postcodes far
    more often. Raises DomainError on `field` when nothing matches.
    """
    text = (text or "").strip()
    if not text:
        return None
    if insee_code:
        picked = db.session.get(Commune, insee_code.strip())
        if picked is not None and _names_commune(text, picked):
            return picked
    hits = []
    labelled = _POSTCODE_SUFFIX.match(text)
    if labelled:  # "Saint-Denis (93200)": the commune of that postcode with that name
        hits = [hit for hit in search_communes(labelled["postcode"], limit=50)
                if _names_it(labelled["name"], hit.name)]
    hits = hits or search_communes(text, limit=1, prefer_departments=prefer_departments)
    if hits:
        return db.session.get(Commune, hits[0].insee_code)
    typed = db.session.get(Commune, text.upper()) if len(text) == 5 else None
    if typed is None:
        raise DomainError(UNKNOWN_COMMUNE, field=field)
    return typed


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
