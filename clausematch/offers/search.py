"""The public job board's search: published offers filtered and paginated entirely in SQL.

Query plan (one page query per search, whatever the number of offers, its rows carrying the total
count; a COUNT too when the page asked is past the last; plus, when
a commune is typed, one small query for the departments of the territories, used to pick
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
- Job or keyword: a full-text search, served by indexes (clausematch/offers/search_index.py):
  the typed text becomes search keys and concepts in Python (offers/text_query.py: accents, case,
  gender, plural, elision, typos corrected against the ROME vocabulary, synonyms). Each concept
  is found in the offer's own words (title, appellation, skills) — PostgreSQL:
  ``search_vector @@ to_tsquery('simple', …)`` on the GIN index of the generated tsvector column;
  SQLite: ``offers.id IN (SELECT rowid FROM offers_fts WHERE offers_fts MATCH …)`` on the FTS5
  table — OR in its ROME code's other appellations: ``rome_code IN (…)``, the codes looked up in
  memory. An autocomplete label ("Maçon / Maçonne (F1703 Maçonnerie)") or a bare ROME code
  ("K2204") is the job itself: ``rome_code = …`` on its index.
- Contract type and sector: plain equalities on the same rows.
- Company name, commune name and appellation label come from primary-key joins in the page query;
  LIMIT/OFFSET cuts the page, after ``count(*) OVER ()`` has counted every row matched.
- Order: with a keyword, relevance first, in two tiers: the offers whose own words hold the whole
  query, then those found through their ROME code's other appellations; within a tier, and
  without a keyword, squared distance then newest when a place is given (a top-N sort of the few
  rows in the circle), else ``published_at DESC``. Measured with ``python -m benchmarks.board``
  (50 000 offers: latency, and recall@10 on the labelled queries of benchmarks/board_queries.csv).
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
from clausematch.offers.search_index import FTS_TABLE, VECTOR_COLUMN
from clausematch.offers.text_query import TextQuery, vocabulary_for
from clausematch.pagination import Page
from clausematch.referential import geo
from clausematch.referential.models import Commune, RomeAppellation, RomeCode
from clausematch.referential.resolve import unambiguous_commune
from clausematch.referential.search import get_index
from clausematch.referential.services import territory_departments
from clausematch.vocabulary import ContractType, Criterion, Sector

RADIUS_CHOICES = (5, 10, 20, 30, 50, 100)
DEFAULT_RADIUS, MIN_RADIUS, MAX_RADIUS = 30, 5, 100
MAX_TEXT = 100  # characters kept of a typed text
SAME_PLACE_KM = 0.05
# The ROME code an appellation autocomplete label ends with: "Maçon / Maçonne (F1703 Maçonnerie)",
# or a ROME code typed alone ("K2204").
_ROME_IN_LABEL = re.compile(r"\(\s*([a-n]\d{4})\b[^)]*\)\s*$", re.IGNORECASE)
_ROME_CODE = re.compile(r"\s*([a-n]\d{4})\s*", re.IGNORECASE)


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
    corrections: tuple[tuple[str, str], ...] = ()  # (typed, read as): said on the page


# --- Resolving what people type ------------------------------------------------------------

def resolve_place(text: str) -> Place:
    """The commune for a typed name, postcode or INSEE code, or an autocomplete label
    ("Saint-Denis (93200)"), resolved as every place field is (`referential.resolve`): only a
    commune named without doubt, the territories' departments first among namesakes (Saint-Denis
    93 over Saint-Denis 974). Raises CommuneNotResolved (a DomainError listing the closest
    communes) otherwise: the board never searches around a place nobody named."""
    return _place(unambiguous_commune(text, territory_departments()))


def _place(hit) -> Place:
    return Place(hit.insee_code, hit.display, hit.latitude, hit.longitude)


def labelled_rome_code(q: str) -> str | None:
    """The ROME code of an autocomplete label ("Maçon / Maçonne (F1703 Maçonnerie)") or of a code
    typed alone ("k2204"): the job is then known exactly."""
    found = _ROME_IN_LABEL.search(q) or _ROME_CODE.fullmatch(q)
    return found[1].upper() if found else None


def text_query(q: str) -> TextQuery:
    """The full-text query for a typed job or keyword (in memory, no SQL)."""
    return vocabulary_for(get_index()).parse(q)


# --- The query -----------------------------------------------------------------------------

def is_public(today: date) -> sa.ColumnElement[bool]:
    """Offers anyone may see: published, and their publication not over."""
    return sa.and_(Offer.status == OfferStatus.PUBLISHED,
                   sa.or_(Offer.publication_end.is_(None), Offer.publication_end >= today))


@dataclass(frozen=True)
class TextMatch:
    """The SQL of a job or keyword search: its WHERE condition and its relevance tier (0: the
    offer's own words hold the query, 1: found through its ROME code's other appellations)."""

    condition: sa.ColumnElement[bool]
    tier: sa.ColumnElement[int] | None = None


def text_match(q: str, dialect: str) -> TextMatch | None:
    """The condition and tier for the typed text, None when it holds no significant word. Each
    concept of the query: the offer's own words hold it (full-text index), or its ROME code's
    appellations do (rome_code IN …, the codes found in memory)."""
    code = labelled_rome_code(q)
    if code is not None:
        return TextMatch(Offer.rome_code == code)
    query = text_query(q)
    if not query.concepts:
        return None
    each = []
    if dialect == "postgresql":
        vector, simple = sa.literal_column(f"offers.{VECTOR_COLUMN}"), sa.literal_column("'simple'")

        def own(concepts, name: str) -> sa.ColumnElement[bool]:
            return vector.bool_op("@@")(sa.func.to_tsquery(simple, sa.bindparam(name, query.tsquery(concepts))))

        for n, (concept, codes) in enumerate(zip(query.concepts, query.codes, strict=True)):
            found = own((concept,), f"board_text_{n}")
            each.append(sa.or_(found, Offer.rome_code.in_(sorted(codes))) if codes else found)
    else:
        def own_ids(concepts, name: str) -> sa.Select:
            return (sa.select(sa.literal_column("rowid")).select_from(sa.table(FTS_TABLE))
                    .where(sa.literal_column(FTS_TABLE).op("MATCH")(sa.bindparam(name, query.fts5(concepts)))))

        def own(concepts, name: str) -> sa.ColumnElement[bool]:
            return Offer.id.in_(own_ids(concepts, name))

        # One id list (per concept: FTS rows UNION the offers of its codes; the concepts
        # INTERSECTed): SQLite then reads the offers by primary key from the list instead of
        # scanning every visible offer.
        other = sa.orm.aliased(Offer)
        lists = []
        for n, (concept, codes) in enumerate(zip(query.concepts, query.codes, strict=True)):
            ids = own_ids((concept,), f"board_text_{n}")
            if codes:
                ids = sa.union(ids, sa.select(other.id).where(other.rome_code.in_(sorted(codes))))
            lists.append(sa.select(ids.subquery(f"concept_{n}").c[0]) if len(query.concepts) > 1 else ids)
        each.append(Offer.id.in_(sa.intersect(*lists) if len(lists) > 1 else lists[0]))
    return TextMatch(sa.and_(*each), sa.case((own(query.concepts, "board_own"), 0), else_=1))


def _squared_distance(place: Place) -> sa.ColumnElement[float]:
    return geo.squared_distance_sql(Offer.latitude, Offer.longitude, place.latitude, place.longitude)


def conditions(filters: BoardFilters, today: date, text: TextMatch | None = None
               ) -> list[sa.ColumnElement[bool]]:
    """Every WHERE condition of a board search (`text`: its job or keyword match)."""
    where = [is_public(today)]
    if filters.place is not None:
        place, radius = filters.place, filters.radius_km
        where += [geo.within_box_sql(Offer.latitude, Offer.longitude, place.latitude, place.longitude, radius),
                  _squared_distance(place) <= radius * radius]
    if text is not None:
        where.append(text.condition)
    if filters.contract_type is not None:
        where.append(Offer.contract_type == filters.contract_type)
    if filters.sector is not None:
        where.append(Offer.sector == filters.sector)
    return where


def page_statement(filters: BoardFilters, where: list[sa.ColumnElement[bool]], text: TextMatch | None = None
                   ) -> sa.Select:
    """The rows of the results, joined and ordered (without LIMIT/OFFSET): relevance tier first
    when there is a keyword, then distance or newest."""
    stmt = (sa.select(Offer.id, Offer.title, RomeAppellation.label, Organisation.name, Commune.name,
                      Commune.postcodes, Commune.department, Offer.contract_type, Offer.weekly_hours,
                      Offer.start_date, Offer.publication_end, Offer.published_at, Offer.latitude,
                      Offer.longitude)
            .join(Organisation, Organisation.id == Offer.company_id)
            .join(Commune, Commune.insee_code == Offer.commune_insee)
            .outerjoin(RomeAppellation, RomeAppellation.code == Offer.appellation_code)
            .where(*where))
    order = [Offer.published_at.desc().nulls_last(), Offer.id.desc()]
    if filters.place is not None:
        order.insert(0, _squared_distance(filters.place))
    if text is not None and text.tier is not None:
        order.insert(0, text.tier)
    return stmt.order_by(*order)


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
    """One page of public offers matching `filters`: one statement, the page's rows each carrying
    the total (``count(*) OVER ()``: the rows matched are read once, for the sort and the count).
    A page past the last (no row comes back) costs a COUNT and shows the last page."""
    text = text_match(filters.q, db.session.get_bind().dialect.name) if filters.q else None
    where = conditions(filters, today or utc_today(), text)
    per_page = per_page or current_app.config.get("PAGE_SIZE", 25)
    statement = page_statement(filters, where, text).add_columns(sa.func.count().over())
    page = max(filters.page, 1)
    rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0][-1]
    else:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(Offer).where(*where)) or 0
        if total == 0:
            return Page(items=[], page=1, per_page=per_page, total=0)
        page = math.ceil(total / per_page)
        rows = db.session.execute(statement.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[_board_offer(row[:-1], filters.place) for row in rows], page=page, per_page=per_page,
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
