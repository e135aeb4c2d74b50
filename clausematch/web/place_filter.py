"""The "commune and radius" filter of the search pages (public board, inclusion directory), read
from the query string. A wrong value is never guessed: the search runs without it, and a French
notice says so on its field."""
from collections.abc import Mapping
from dataclasses import dataclass

from clausematch.errors import DomainError
from clausematch.formats import parse_int
from clausematch.offers.search import MAX_TEXT, Place, resolve_place


@dataclass(frozen=True)
class PlaceFilter:
    commune_text: str
    place: Place | None
    radius_km: int


def read_place_filter(args: Mapping[str, str], notices: dict[str, str], *, everywhere: str, default_radius: int,
                      min_radius: int = 1, max_radius: int = 100) -> PlaceFilter:
    """`commune` and `rayon` of `args`; `everywhere` ends the notice of an unknown commune
    ("toute la France", "tout le territoire")."""
    commune_text = (args.get("commune") or "").strip()[:MAX_TEXT]
    place = None
    if commune_text:
        try:
            place = resolve_place(commune_text)
        except DomainError as error:
            notices["commune"] = f"{error.message} En attendant, la recherche porte sur {everywhere}."
    radius_text = (args.get("rayon") or "").strip().lower().removesuffix("km").strip()
    radius = parse_int(radius_text, min_radius, max_radius)
    if radius is None:
        if radius_text:
            notices["rayon"] = (f"Le rayon doit être un nombre de kilomètres entre {min_radius} et {max_radius} : "
                                f"la recherche utilise {default_radius} km.")
        radius = default_radius
    return PlaceFilter(commune_text, place, radius)
