"""Searching the directory, and the structures that could take part in a lot.

A search runs a bounded number of statements whatever the number of structures: the page (with
its total: ``count(*) OVER ()``; a COUNT when the page asked is past the last), then the page's
ROME codes and communes served (one statement each), plus the territory's departments when a
commune is typed.

- Trade: the typed words, normalised (accents and case aside), each must begin a word of the
  profile's `search_text` (activities, its ROME codes' labels and appellations):
  ``search_text LIKE '% macon%'``. A ROME code typed alone, or an appellation autocomplete label
  ("Maçon / Maçonne (F1703 Maçonnerie)"), is the trade itself: the profile lists that code.
- Commune and radius: the structure's own commune lies within the radius of the commune searched
  (bounding box then squared equirectangular distance, geo.py: same SQL on both databases), or
  the structure names that commune among the communes it serves.
"""
import math
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app

from clausematch.accounts.models import Company, CompanyKind
from clausematch.contracts.models import ClauseKind, Lot
from clausematch.directory.models import (
    EA_KINDS,
    INCLUSIVE_KINDS,
    OFFER_TYPES,
    SIAE_KINDS,
    DirectoryCommune,
    DirectoryProfile,
    DirectoryRomeCode,
)
from clausematch.extensions import db
from clausematch.offers.models import Offer
from clausematch.offers.search import Place, equirectangular_km, labelled_rome_code
from clausematch.pagination import Page
from clausematch.referential import geo
from clausematch.referential.models import Commune, RomeCode
from clausematch.text import significant_words

RADIUS_CHOICES = (5, 10, 20, 30, 50)
DEFAULT_RADIUS = 10
OFFER_BY_VALUE = {value: column for column, _, value in OFFER_TYPES}
LOT_SUGGESTIONS = 5


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    kind: CompanyKind | None = None
    offer: str = ""  # a value of OFFER_TYPES ("sous-traitance"…)
    commune_text: str = ""
    place: Place | None = None
    radius_km: int = DEFAULT_RADIUS
    page: int = 1

    def as_args(self) -> dict[str, str]:
        args = {"q": self.q, "type": self.kind.value if self.kind else "", "offre": self.offer,
                "commune": self.commune_text, "rayon": str(self.radius_km) if self.commune_text else ""}
        return {name: value for name, value in args.items() if value}

    @property
    def active(self) -> bool:
        return bool(self.as_args())


@dataclass(frozen=True)
class Structure:
    """One result: the structure, its profile and where it is."""

    company_id: int
    name: str
    kind: CompanyKind
    commune: str
    profile: DirectoryProfile
    distance_km: float | None = None
    rome: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    communes_served: list[str] = field(default_factory=list)
    matching_codes: int = 0

    @property
    def distance_text(self) -> str:
        if self.distance_km is None:
            return ""
        if self.distance_km < 0.05:
            return "dans la commune"
        return "à moins de 1\u00a0km" if self.distance_km < 1 else f"à {round(self.distance_km)}\u00a0km"


def _trade_condition(q: str) -> sa.ColumnElement[bool] | None:
    code = labelled_rome_code(q)
    if code is not None:
        return DirectoryProfile.id.in_(sa.select(DirectoryRomeCode.profile_id)
                                       .where(DirectoryRomeCode.rome_code == code))
    words = [w[:-1] if len(w) > 4 and w[-1] in "sx" else w for w in significant_words(q)]
    if not words:
        return None
    # Words are [0-9a-z] only (text.normalise): nothing to escape in the pattern.
    return sa.and_(*(DirectoryProfile.search_text.like(f"% {word}%") for word in words))


def _near(place: Place, radius: int) -> sa.ColumnElement[bool]:
    squared = geo.squared_distance_sql(Commune.latitude, Commune.longitude, place.latitude, place.longitude)
    within = sa.and_(geo.within_box_sql(Commune.latitude, Commune.longitude, place.latitude, place.longitude, radius),
                     squared <= radius * radius)
    serves = DirectoryProfile.id.in_(sa.select(DirectoryCommune.profile_id)
                                     .where(DirectoryCommune.commune_insee == place.insee_code))
    return sa.or_(within, serves)


def _base(territory_id: int, with_unpublished: bool) -> tuple[sa.Select, list]:
    stmt = (sa.select(DirectoryProfile, Company.id, Company.name, Company.company_kind, Commune.name,
                      Commune.postcodes, Commune.latitude, Commune.longitude)
            .join(Company, Company.id == DirectoryProfile.company_id)
            .outerjoin(Commune, Commune.insee_code == Company.commune_insee))
    where = [Company.territory_id == territory_id, Company.is_active.is_(True),
             Company.company_kind.in_(sorted(INCLUSIVE_KINDS))]
    if not with_unpublished:
        where.append(DirectoryProfile.is_published.is_(True))
    return stmt, where


def search_structures(territory_id: int, filters: DirectoryFilters, with_unpublished: bool = False,
                      per_page: int | None = None) -> Page:
    stmt, where = _base(territory_id, with_unpublished)
    if filters.q and (trade := _trade_condition(filters.q)) is not None:
        where.append(trade)
    if filters.kind is not None:
        where.append(Company.company_kind == filters.kind)
    if filters.offer in OFFER_BY_VALUE:
        where.append(getattr(DirectoryProfile, OFFER_BY_VALUE[filters.offer]).is_(True))
    order = [Company.name, Company.id]
    if filters.place is not None:
        where.append(_near(filters.place, filters.radius_km))
        order.insert(0, geo.squared_distance_sql(Commune.latitude, Commune.longitude, filters.place.latitude,
                                                 filters.place.longitude))
    statement = stmt.where(*where).order_by(*order).add_columns(sa.func.count().over())
    per_page = per_page or current_app.config.get("PAGE_SIZE", 25)
    page = max(filters.page, 1)
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0][-1]
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.where(*where).subquery())) or 0
        if total == 0:
            return Page(items=[], page=1, per_page=per_page, total=0)
        page = math.ceil(total / per_page)
        rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=_structures([row[:-1] for row in rows], filters.place), page=page, per_page=per_page,
                total=total)


def _structures(rows, place: Place | None, matches: dict[int, int] | None = None) -> list[Structure]:
    ids = [row[0].id for row in rows]
    rome: dict[int, list[tuple[str, str]]] = {}
    served: dict[int, list[str]] = {}
    if ids:
        for profile_id, code, label in db.session.execute(
                sa.select(DirectoryRomeCode.profile_id, RomeCode.code, RomeCode.label)
                .join(RomeCode, RomeCode.code == DirectoryRomeCode.rome_code)
                .where(DirectoryRomeCode.profile_id.in_(ids)).order_by(RomeCode.code)):
            rome.setdefault(profile_id, []).append((code, label))
        for profile_id, name in db.session.execute(
                sa.select(DirectoryCommune.profile_id, Commune.name)
                .join(Commune, Commune.insee_code == DirectoryCommune.commune_insee)
                .where(DirectoryCommune.profile_id.in_(ids)).order_by(Commune.name)):
            served.setdefault(profile_id, []).append(name)
    found = []
    for profile, company_id, name, kind, commune, postcodes, lat, lon in rows:
        distance = (equirectangular_km(place.latitude, place.longitude, lat, lon)
                    if place is not None and lat is not None else None)
        label = f"{commune} ({postcodes.split()[0]})" if commune and postcodes else (commune or "—")
        found.append(Structure(company_id, name, kind, label, profile, distance, rome.get(profile.id, []),
                               served.get(profile.id, []), (matches or {}).get(profile.id, 0)))
    return found


# --- The structures that could take part in a lot ------------------------------------------

@dataclass(frozen=True)
class LotSuggestions:
    structures: list[Structure]
    reserved: ClauseKind | None  # the contract is reserved to SIAE or EA: they answer it themselves
    codes: list[str]  # the ROME codes of the lot's offers
    place: Place | None
    search_args: dict[str, str]


def lot_suggestions(lot: Lot, limit: int = LOT_SUGGESTIONS) -> LotSuggestions:
    """Published structures of the lot's territory that could subcontract, co-contract or provide
    staff on it (or answer it, when reserved): those working in the ROME codes of the lot's offers
    first (most codes in common), nearest the lot's offers' commune, of the kinds a reserved
    contract admits. Four statements."""
    contract = lot.contract
    reserved = contract.clause_kind if contract.clause_kind in (ClauseKind.RESERVED_SIAE, ClauseKind.RESERVED_EA) \
        else None
    kinds = SIAE_KINDS if reserved is ClauseKind.RESERVED_SIAE else EA_KINDS if reserved else INCLUSIVE_KINDS
    offers = db.session.execute(sa.select(Offer.rome_code, Commune.insee_code, Commune.name, Commune.postcodes,
                                          Commune.latitude, Commune.longitude)
                                .join(Commune, Commune.insee_code == Offer.commune_insee)
                                .where(Offer.lot_id == lot.id).order_by(Offer.id)).all()
    codes = sorted({row[0] for row in offers if row[0]})
    place = None
    if offers:
        _, insee, name, postcodes, lat, lon = offers[0]
        place = Place(insee, f"{name} ({postcodes.split()[0] if postcodes else ''})".replace(" ()", ""), lat, lon)
    stmt, where = _base(contract.territory_id, with_unpublished=False)
    where.append(Company.company_kind.in_(sorted(kinds)))
    if lot.company_id is not None:
        where.append(Company.id != lot.company_id)
    matching = (sa.select(sa.func.count()).where(DirectoryRomeCode.profile_id == DirectoryProfile.id,
                                                 DirectoryRomeCode.rome_code.in_(codes))
                .correlate(DirectoryProfile).scalar_subquery()) if codes else sa.literal(0)
    if codes:
        where.append(matching > 0)
    order = [matching.desc(), Company.name, Company.id]
    if place is not None:
        order.insert(1, geo.squared_distance_sql(Commune.latitude, Commune.longitude, place.latitude, place.longitude))
    rows = db.session.execute(stmt.add_columns(matching).where(*where).order_by(*order).limit(limit)).all()
    matches = {row[0].id: row[-1] for row in rows}
    structures = _structures([row[:-1] for row in rows], place, matches)
    args = {"q": codes[0] if len(codes) == 1 else "", "type": "ea" if reserved is ClauseKind.RESERVED_EA else "",
            "commune": place.label if place else "", "rayon": str(DEFAULT_RADIUS) if place else ""}
    return LotSuggestions(structures, reserved, codes, place, {k: v for k, v in args.items() if v})
