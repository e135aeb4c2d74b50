"""Turn what was typed in a commune field into an INSEE code (works with or without JS)."""
import sqlalchemy as sa

from clausematch.accounts.models import TerritoryCommune
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.referential.models import Commune
from clausematch.text import normalise

UNKNOWN_COMMUNE = ("Commune introuvable : vérifiez l'orthographe ou saisissez le code postal "
                   "(par exemple 93200).")


def resolve_commune(text: str | None, insee_code: str | None = None, territory_id: int | None = None,
                    field: str = "commune") -> str | None:
    """The INSEE code of the commune meant by `text`; None when nothing was typed.

    The autocomplete fills a hidden `insee_code`: it wins while the visible text still names
    that commune. Otherwise (no JS, or text changed after picking) the text is resolved with
    the referential search (postcode, name, typo), an INSEE code typed as such as a last resort.
    Among namesakes, the commune in the departments of the territory wins ("Saint-Denis" is the
    one of Seine-Saint-Denis for Plaine Commune, not the larger one of La Réunion).
    """
    text = (text or "").strip()
    if not text:
        return None
    if insee_code:
        picked = db.session.get(Commune, insee_code.strip())
        if picked is not None and _names(text, picked):
            return picked.insee_code
    from clausematch.referential.search import search_communes

    hits = search_communes(text, limit=1, prefer_departments=_departments(territory_id))
    if hits:
        return hits[0].insee_code
    # People type postcodes far more often than INSEE codes, so an INSEE code is a last resort.
    typed = db.session.get(Commune, text.upper()) if len(text) == 5 else None
    if typed is None:
        raise DomainError(UNKNOWN_COMMUNE, field=field)
    return typed.insee_code


def _departments(territory_id: int | None) -> frozenset[str]:
    if territory_id is None:
        return frozenset()
    return frozenset(db.session.scalars(
        sa.select(Commune.department).distinct()
        .join(TerritoryCommune, TerritoryCommune.commune_insee == Commune.insee_code)
        .where(TerritoryCommune.territory_id == territory_id)))


def _names(text: str, commune: Commune) -> bool:
    """The text is the commune's name, optionally followed by numbers ("Saint-Denis (93200)")."""
    typed, name = normalise(text), normalise(commune.name)
    rest = typed.removeprefix(name)
    return typed.startswith(name) and rest.replace(" ", "").isdigit() or typed == name


def commune_label(insee_code: str | None) -> str:
    """"Saint-Denis (93200)" for a form's initial value; empty when no commune."""
    if not insee_code:
        return ""
    commune = db.session.get(Commune, insee_code)
    return commune.label if commune else ""
