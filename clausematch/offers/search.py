"""The public job board's search: published offers filtered and paginated entirely in SQL.

Query plan (one COUNT and one page query per search, whatever the number of offers; plus, when
a commune is typed by name, one small query for the departments of the territories, used to pick
"Saint-Denis (93)" over the other Saint-Denis):

- Visibility: ``status = 'published' AND (publication_end IS NULL OR publication_end >= today)``.
  Without a place, ``ix_offers_status_publication_end`` (status, publication_end) serves it.
- Place and radius: a bounding box ``latitude BETWEEN … AND longitude BETWEEN …`` around the
  commune (``geo.within_box_sql``), served by ``ix_offers_status_lat_lon`` (status, latitude,
  longitude): equality on the status, a range scan on the latitude, the longitude checked inside
  the index. The rows left are filtered and sorted on the squared equirectangular distance in
  plain arithmetic (``geo.squared_distance_sql``: ``dx = Δlon × cos(lat0) × 111.2``, with the
  cosine computed once in Python, ``dy = Δlat × 111.2``, kept when ``dx² + dy² <= radius²``): no
  trigonometry nor sqrt in SQL, so the same statement runs on SQLite and PostgreSQL. The
  kilometres shown are computed in Python for the page's rows only (``√(dx² + dy²)``). Why
  equirectangular: against the haversine distance it differs by less than 0.5 % up to 100 km
  (measured over mainland France, latitudes 41°–51° N: 0.38 % at most at 100 km, 0.11 % up to
  30 km), far below what matters to a job seeker, and the box (cut at the box's widest latitude)
  holds the whole circle, so the prefilter never drops an offer the distance keeps.
- Job or keyword: the typed text goes through the in-memory ROME index
  (``referential.search.search_appellations``, no SQL) to at most three ROME codes named by the
  best hits, giving ``rome_code IN (…)``, OR every significant word of the text found in
  ``search_text`` (normalised title + job labels + skills, ``LIKE '%word%'`` AND-ed). No index
  serves this OR: it is checked on the rows the visibility or place index kept.
- Contract type and sector: plain equalities on the same rows.
- Company name, commune name and appellation label come from primary-key joins in the page query
  (the COUNT needs none: every offer has its company and commune); LIMIT/OFFSET cuts the page.
- Order: squared distance then newest when a place is given (a top-N sort of the few rows in the
  circle), else ``published_at DESC``: a sort of every visible offer, as no index holds
  published_at. Measured with ``python -m benchmarks.board`` (50 000 offers).
"""
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Organisation
from clausematch.database import today as utc_today
from clausematch.extensions import db
from clausematch.formats import format_compact
from clausematch.offers.models import Offer, OfferStatus
from clausematch.pagination import Page
from clausematch.referential import geo
from clausematch.referential.models import Commune, RomeAppellation, RomeCode
from clausematch.referential.search import search_appellations, search_communes
from clausematch.referential.services import territory_departments
from clausematch.text import significant_words
from clausematch.vocabulary import ContractType, Criterion, Sector

RADIUS_CHOICES = (5, 10, 20, 30, 50, 100)
DEFAULT_RADIUS, MIN_RADIUS, MAX_RADIUS = 30, 5, 100
MAX_TEXT = 100  # characters kept of a typed text
MAX_WORDS = 8  # LIKE clauses per search, at most
SAME_PLACE_KM = 0.05
# "Saint-Denis (93200)", "Saint-Denis 93": a name, then a postcode, department or INSEE code.
_COMMUNE_HINT = re.compile(r"(?P<name>.*[^\W\d].*?)\s*\(?(?P<code>\d[\dab]\d{0,3})\)?\s*", re.IGNORECASE)
# Below this referential score a commune hit is noise ("Zzyzxville" → Yville-sur-Seine scores 16);
# one-letter typos score about 50 ("aubervilier", "Vilejuif").
COMMUNE_MIN_SCORE = 45
# The ROME code an appellation autocomplete label ends with: "Maçon / Maçonne (F1703 Maçonnerie)".
_ROME_IN_LABEL = re.compile(r"\(\s*([a-n]\d{4})\b[^)]*\)\s*$", re.IGNORECASE)
# ROME codes taken from the appellation search: hits scoring at least ROME_MIN_SCORE (every typed
# word found in the title; a likely typo down to ROME_TYPO_SCORE when nothing better exists) and
# within ROME_MARGIN of the best hit, at most ROME_MAX_CODES codes: "macon" → F1703 only.
ROME_MIN_SCORE, ROME_TYPO_SCORE, ROME_MARGIN, ROME_MAX_CODES = 60, 40, 5, 3


@dataclass(frozen=True)
class Place:
    """The commune a search is centred on."""

    insee_code: str
    label: str  # "Saint-Denis (93200)"
    latitude: float
    longitude: float


@dataclass(frozen=True)
class BoardFilters:
    """The board's filters, checked. `commune_text` is kept as typed for the form and the links."""

    q: str = ""
    commune_text: str = ""
    place: Place | None = None
    radius_km: int = DEFAULT_RADIUS
    contract_type: ContractType | None = None
    sector: Sector | None = None
    page: int = 1

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (the pagination links keep them)."""
        args = {"q": self.q, "commune": self.commune_text,
                "rayon": str(self.radius_km) if self.commune_text else "",
                "type": self.contract_type.value if self.contract_type else "",
                "secteur": self.sector.value if self.sector else ""}
        return {name: value for name, value in args.items() if value}


@dataclass(frozen=True)
class BoardOffer:
    """One result row: only public facts about the offer (no person's data)."""

    id: int
    title: str
    appellation_label: str | None
    company_name: str
    commune_label: str
    contract_type: ContractType
    weekly_hours: float
    start_date: date | None
    publication_end: date | None
    published_at: datetime | None
    distance_km: float | None = None

    @property
    def distance_text(self) -> str:
        if self.distance_km is None:
            return ""
        if self.distance_km < SAME_PLACE_KM:  # offers are placed at their commune's centre
            return "dans la commune"
        return "à moins de 1\u00a0km" if self.distance_km < 1 else f"à {round(self.distance_km)}\u00a0km"

    @property
    def hours_text(self) -> str:
        return hours_text(self.weekly_hours)


def hours_text(hours: float) -> str:
    """35 → "35 h", 17.5 → "17,5 h"."""
    return format_compact(hours) + "\u00a0h"


@dataclass(frozen=True)
class BoardSearch:
    """What the board shows: the filters applied, French notices per field, one page of offers."""

    filters: BoardFilters
    notices: dict[str, str] = field(default_factory=dict)
    page: Page | None = None


# --- Resolving what people type ------------------------------------------------------------

def resolve_place(text: str) -> Place | None:
    """The commune for a typed name, postcode or INSEE code, or an autocomplete label
    ("Saint-Denis (93200)"): the best hit of the referential search, preferring the departments
    of the territories served (Saint-Denis 93 over Saint-Denis 974)."""
    hinted = _COMMUNE_HINT.fullmatch(text)
    if hinted:  # the postcode or department in the label picks among namesakes
        name, code = hinted["name"], hinted["code"].upper()
        for hit in search_communes(name, limit=20):
            if code in hit.postcodes or code in (hit.department, hit.insee_code):
                return _place(hit)
    prefer = frozenset() if text.isdigit() else territory_departments()
    hits = search_communes(text, limit=1, prefer_departments=prefer)
    return _place(hits[0]) if hits and hits[0].score >= COMMUNE_MIN_SCORE else None


def _place(hit) -> Place:
    return Place(hit.insee_code, hit.display, hit.latitude, hit.longitude)


def rome_codes_for(q: str) -> list[str]:
    """The ROME codes a typed job text names (in-memory search, no SQL): the code written in an
    autocomplete label ("Maçon / Maçonne (F1703 Maçonnerie)"), else those of the best hits of
    the appellation search, at most ROME_MAX_CODES."""
    labelled = _ROME_IN_LABEL.search(q)
    if labelled:  # picked in the autocomplete: the job is known exactly
        return [labelled[1].upper()]
    codes = []
    hits = search_appellations(q, limit=10)
    if hits:
        floor = ROME_MIN_SCORE if hits[0].score >= ROME_MIN_SCORE else ROME_TYPO_SCORE
        floor = max(floor, hits[0].score - ROME_MARGIN)
        codes += [h.rome_code for h in hits if h.score >= floor]
    return list(dict.fromkeys(codes))[:ROME_MAX_CODES]


# --- The query -----------------------------------------------------------------------------

def is_public(today: date) -> sa.ColumnElement[bool]:
    """Offers anyone may see: published, and their publication not over."""
    return sa.and_(Offer.status == OfferStatus.PUBLISHED,
                   sa.or_(Offer.publication_end.is_(None), Offer.publication_end >= today))


def _text_condition(q: str) -> sa.ColumnElement[bool] | None:
    """rome_code IN (codes named) OR every significant word in search_text."""
    words = significant_words(_ROME_IN_LABEL.sub("", q))[:MAX_WORDS]
    either = []
    if codes := rome_codes_for(q):
        either.append(Offer.rome_code.in_(codes))
    if words:
        either.append(sa.and_(*(Offer.search_text.contains(word, autoescape=True) for word in words)))
    return sa.or_(*either) if either else None


def _squared_distance(place: Place) -> sa.ColumnElement[float]:
    return geo.squared_distance_sql(Offer.latitude, Offer.longitude, place.latitude, place.longitude)


def conditions(filters: BoardFilters, today: date) -> list[sa.ColumnElement[bool]]:
    """Every WHERE condition of a board search."""
    where = [is_public(today)]
    if filters.place is not None:
        place, radius = filters.place, filters.radius_km
        where += [geo.within_box_sql(Offer.latitude, Offer.longitude, place.latitude, place.longitude, radius),
                  _squared_distance(place) <= radius * radius]
    text = _text_condition(filters.q) if filters.q else None
    if text is not None:
        where.append(text)
    if filters.contract_type is not None:
        where.append(Offer.contract_type == filters.contract_type)
    if filters.sector is not None:
        where.append(Offer.sector == filters.sector)
    return where


def page_statement(filters: BoardFilters, where: list[sa.ColumnElement[bool]]) -> sa.Select:
    """The rows of the results, joined and ordered (without LIMIT/OFFSET)."""
    stmt = (sa.select(Offer.id, Offer.title, RomeAppellation.label, Organisation.name, Commune.name,
                      Commune.postcodes, Commune.department, Offer.contract_type, Offer.weekly_hours,
                      Offer.start_date, Offer.publication_end, Offer.published_at, Offer.latitude,
                      Offer.longitude)
            .join(Organisation, Organisation.id == Offer.company_id)
            .join(Commune, Commune.insee_code == Offer.commune_insee)
            .outerjoin(RomeAppellation, RomeAppellation.code == Offer.appellation_code)
            .where(*where))
    newest = (Offer.published_at.desc().nulls_last(), Offer.id.desc())
    if filters.place is not None:
        return stmt.order_by(_squared_distance(filters.place), *newest)
    return stmt.order_by(*newest)


def equirectangular_km(lat0: float, lon0: float, lat: float, lon: float) -> float:
    """The distance the SQL filter and order use (geo.squared_distance_sql), in km."""
    dx = (lon - lon0) * math.cos(math.radians(lat0))
    return geo.KM_PER_DEGREE * math.sqrt(dx * dx + (lat - lat0) ** 2)


def _board_offer(row: sa.Row, place: Place | None) -> BoardOffer:
    (offer_id, title, appellation, company, commune, postcodes, department, contract_type, hours,
     start, end, published_at, lat, lon) = row
    postcode = postcodes.split()[0] if postcodes else department
    distance = (equirectangular_km(place.latitude, place.longitude, lat, lon)
                if place is not None else None)
    return BoardOffer(offer_id, title, appellation, company, f"{commune} ({postcode})", contract_type,
                      hours, start, end, published_at, distance)


def search_offers(filters: BoardFilters, per_page: int | None = None, today: date | None = None) -> Page:
    """One page of public offers matching `filters`: a COUNT, then the page's rows (none if empty).
    A page past the last shows the last one."""
    where = conditions(filters, today or utc_today())
    per_page = per_page or current_app.config.get("PAGE_SIZE", 25)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Offer).where(*where)) or 0
    if total == 0:
        return Page(items=[], page=1, per_page=per_page, total=0)
    page = min(filters.page, math.ceil(total / per_page))
    rows = db.session.execute(page_statement(filters, where).limit(per_page).offset((page - 1) * per_page))
    return Page(items=[_board_offer(row, filters.place) for row in rows], page=page, per_page=per_page,
                total=total)


# --- One offer -----------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicOffer:
    """An offer as the public sees it: the offer (company, commune, appellation loaded), its ROME
    label and its eligible publics in words."""

    offer: Offer
    rome_label: str | None
    publics: list[str]


def public_offer(offer_id: int, today: date | None = None) -> PublicOffer | None:
    """The offer if it exists and is public, else None. One query."""
    row = db.session.execute(
        sa.select(Offer, RomeCode.label)
        .outerjoin(RomeCode, RomeCode.code == Offer.rome_code)
        .options(joinedload(Offer.company), joinedload(Offer.commune), joinedload(Offer.appellation))
        .where(Offer.id == offer_id, is_public(today or utc_today()))).first()
    if row is None:
        return None
    offer, rome_label = row
    known = {c.value: c.label for c in Criterion}
    publics = [known[code] for code in offer.eligible_criteria or [] if code in known]
    return PublicOffer(offer, rome_label, publics)
