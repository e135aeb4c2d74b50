"""Reference-data services: autocomplete suggestions and communes around a place."""
import sqlalchemy as sa

from clausematch.accounts.models import TerritoryCommune
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.referential import geo
from clausematch.referential.models import Commune
from clausematch.referential.search import search_appellations, search_communes

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 100
DEFAULT_LIMIT = 10
MAX_LIMIT = 20


def appellation_suggestions(query: str | None, limit: int | None = None) -> list[dict[str, str]]:
    """Job titles for an autocomplete: [{"value": appellation code, "label": shown text}]."""
    query = _checked_query(query)
    if query is None:
        return []
    return [{"value": str(hit.code), "label": hit.display}
            for hit in search_appellations(query, _bounded(limit))]


def commune_suggestions(query: str | None, limit: int | None = None) -> list[dict[str, str]]:
    """Communes for an autocomplete: [{"value": INSEE code, "label": "Saint-Denis (93200)"}].

    Among equal matches the departments of the territories served here come first, so that
    "Saint-Denis" means the one of the guichet clause, not its namesake elsewhere.
    """
    query = _checked_query(query)
    if query is None:
        return []
    hits = search_communes(query, _bounded(limit), prefer_departments=territory_departments())
    return [{"value": hit.insee_code, "label": hit.display} for hit in hits]


def territory_departments() -> frozenset[str]:
    """Departments of the communes of every territory (one small query)."""
    rows = db.session.scalars(
        sa.select(Commune.department).distinct()
        .join(TerritoryCommune, TerritoryCommune.commune_insee == Commune.insee_code))
    return frozenset(rows)


def communes_near(latitude: float, longitude: float, radius_km: float, limit: int = 50
                  ) -> list[tuple[Commune, float]]:
    """Communes within `radius_km`, nearest first, with their distance in km.

    The bounding box uses the latitude/longitude index; ordering uses a portable arithmetic
    approximation; the distances returned are great-circle distances.
    """
    squared = geo.squared_distance_sql(Commune.latitude, Commune.longitude, latitude, longitude)
    communes = db.session.scalars(
        sa.select(Commune)
        .where(geo.within_box_sql(Commune.latitude, Commune.longitude, latitude, longitude, radius_km))
        .where(squared <= (radius_km * 1.01) ** 2)  # 1 % margin for the approximation
        .order_by(squared, Commune.insee_code)
        .limit(limit))
    found = [(c, geo.haversine_km(latitude, longitude, c.latitude, c.longitude)) for c in communes]
    return [(commune, km) for commune, km in found if km <= radius_km]


def _checked_query(query: str | None) -> str | None:
    """The stripped query, None if too short to search; refuses an overlong one."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise DomainError(f"La recherche ne doit pas dépasser {MAX_QUERY_LENGTH} caractères.", field="q")
    return query if len(query) >= MIN_QUERY_LENGTH else None


def _bounded(limit: int | None) -> int:
    return DEFAULT_LIMIT if limit is None else max(1, min(limit, MAX_LIMIT))
