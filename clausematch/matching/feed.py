"""Profiles for the matching engine, read from the database in bulk.

One query per table (candidates with their commune, desired jobs with their appellation,
eligibility criteria; offers), each ordered by candidate or offer id and streamed with
yield_per, then merged in a single pass: building a million profiles never loads a table in
memory nor runs a query per candidate.

What a candidate profile holds:
- job titles: the desired jobs' appellation labels, then the free text of "autres souhaits"
  cut at commas, slashes, semicolons and line breaks; ROME codes: the desired jobs' codes;
- skills: the skills text cut the same way;
- position: the commune of residence (None when unknown); mobility_km as recorded;
- certificates: the referential codes held (Candidate.certificate_codes, plus "permis-b" when the
  record says "Permis de conduire B"), with every item they imply (referential/certificates.py);
- criteria: the criteria validated by a facilitator and not expired today (declared ones too
  when `with_declared`, as a prescriber may propose on them); residence in a QPV is the
  criterion "qpv", the one fact the orientation rules check for a QPV-only offer.
Indexed candidates: records one can act on (`Candidate.is_active`: not merged into another record,
not anonymised — consent withdrawn, erasure), available. Indexed offers: published and
open (publication not ended). An offer's certificates: its required and wished codes, plus
"permis-b" required when the offer asks for a driving licence.
"""
import functools
import itertools
import re
from collections.abc import Iterable, Iterator
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clausematch.candidates.models import Candidate, CandidateDesiredJob, EligibilityCriterion, EligibilityStatus
from clausematch.database import today
from clausematch.extensions import db
from clausematch.matching.engine import CandidateProfile, OfferProfile
from clausematch.offers.models import Offer, OfferStatus
from clausematch.referential import certificates
from clausematch.referential.models import Commune, RomeAppellation

BATCH = 2000  # rows fetched per round trip while streaming
MAX_PIECES = 30  # typed titles or skills kept per profile: enough to match, bounded work
PIECE_LENGTH = 120
_SEPARATORS = re.compile(r"[,;/\n\r|•]+")


def pieces(text: str | None) -> list[str]:
    """A free text cut into its listed items ("maçon, coffreur / boiseur" → three items)."""
    items = (" ".join(part.split())[:PIECE_LENGTH] for part in _SEPARATORS.split(text or ""))
    return list(dict.fromkeys(item for item in items if item))[:MAX_PIECES]


# --- Which rows are indexed -----------------------------------------------------------------

def indexable_candidates() -> sa.ColumnElement[bool]:
    return sa.and_(Candidate.is_active, Candidate.available.is_(True))


def open_offers(on: date) -> sa.ColumnElement[bool]:
    return sa.and_(Offer.status == OfferStatus.PUBLISHED,
                   sa.or_(Offer.publication_end.is_(None), Offer.publication_end >= on))


# --- Candidates -----------------------------------------------------------------------------

def candidate_profiles(where: sa.ColumnElement[bool] | None = None, with_declared: bool = False,
                       on: date | None = None, session: Session | None = None) -> Iterator[CandidateProfile]:
    """Profiles of the candidates matching `where` (default: the indexable ones), by id, read
    through `session` (default: db.session)."""
    on = on or today()
    where = indexable_candidates() if where is None else where
    people = (sa.select(Candidate.id, Candidate.desired_jobs_text, Candidate.skills, Candidate.mobility_km,
                        Candidate.available, Commune.latitude, Commune.longitude, Candidate.certificate_codes,
                        Candidate.driving_licence)
              .outerjoin(Commune, Commune.insee_code == Candidate.commune_insee)
              .where(where).order_by(Candidate.id))
    jobs = (sa.select(CandidateDesiredJob.candidate_id, RomeAppellation.label, RomeAppellation.rome_code)
            .join(RomeAppellation, RomeAppellation.code == CandidateDesiredJob.appellation_code)
            .join(Candidate, Candidate.id == CandidateDesiredJob.candidate_id)
            .where(where).order_by(CandidateDesiredJob.candidate_id, CandidateDesiredJob.position,
                                  CandidateDesiredJob.id))
    criteria = (sa.select(EligibilityCriterion.candidate_id, EligibilityCriterion.criterion)
                .join(Candidate, Candidate.id == EligibilityCriterion.candidate_id)
                .where(where, _counted_criteria(on, with_declared))
                .order_by(EligibilityCriterion.candidate_id))
    jobs, criteria = _Groups(_stream(jobs, session)), _Groups(_stream(criteria, session))
    for person in _stream(people, session):
        yield _candidate_profile(person, jobs.take(person.id), criteria.take(person.id))


def _counted_criteria(on: date, with_declared: bool) -> sa.ColumnElement[bool]:
    valid = sa.and_(EligibilityCriterion.status == EligibilityStatus.VALIDATED,
                    EligibilityCriterion.valid_until >= on)
    if with_declared:
        return sa.or_(valid, EligibilityCriterion.status == EligibilityStatus.DECLARED)
    return valid


def _candidate_profile(person, jobs: list, criteria: list) -> CandidateProfile:
    held = {row.criterion.value for row in criteria}
    labels = [row.label for row in jobs]
    return CandidateProfile(
        id=person.id,
        job_titles=list(dict.fromkeys(labels + pieces(person.desired_jobs_text)))[:MAX_PIECES],
        rome_codes=list(dict.fromkeys(row.rome_code for row in jobs)),
        skills=pieces(person.skills),
        latitude=person.latitude, longitude=person.longitude,
        mobility_km=float(person.mobility_km),
        criteria=frozenset(held),
        available=bool(person.available),
        certificates=held_certificates(person.certificate_codes, person.driving_licence),
    )


def held_certificates(codes, driving_licence: bool = False) -> frozenset[str]:
    """The codes held and every item they imply (a few distinct lists: computed once each)."""
    return _closure(tuple(codes or ()) + (("permis-b",) if driving_licence else ()))


@functools.lru_cache(maxsize=4096)
def _closure(codes: tuple[str, ...]) -> frozenset[str]:
    return certificates.catalogue().closure(codes)


# --- Offers ---------------------------------------------------------------------------------

def offer_profiles(where: sa.ColumnElement[bool] | None = None,
                   session: Session | None = None) -> Iterator[OfferProfile]:
    """Profiles of the offers matching `where` (default: the open ones), by id."""
    where = open_offers(today()) if where is None else where
    rows = _stream(sa.select(Offer.id, Offer.title, Offer.rome_code, Offer.description, Offer.skills,
                             Offer.latitude, Offer.longitude, Offer.eligible_criteria, Offer.qpv_required,
                             Offer.required_certificates, Offer.wished_certificates, Offer.driving_licence_required)
                   .where(where).order_by(Offer.id), session)
    for row in rows:
        yield offer_profile(row)


def offer_profile(offer) -> OfferProfile:
    """The profile of an offer (a loaded Offer, or a row with the same attributes)."""
    return OfferProfile(
        id=offer.id, title=offer.title, rome_code=offer.rome_code, description=offer.description or "",
        skills=pieces(offer.skills), latitude=offer.latitude, longitude=offer.longitude,
        eligible_criteria=frozenset(offer.eligible_criteria or ()),
        required_criteria=frozenset({"qpv"}) if offer.qpv_required else frozenset(),
        required_certificates=frozenset(offer.required_certificates or ())
        | ({"permis-b"} if offer.driving_licence_required else set()),
        wished_certificates=frozenset(offer.wished_certificates or ()),
    )


# --- Streaming ------------------------------------------------------------------------------

def _stream(stmt: sa.Select, session: Session | None = None) -> Iterator:
    """The rows of `stmt`, fetched BATCH at a time (a server-side cursor on PostgreSQL)."""
    yield from (session or db.session).execute(stmt.execution_options(yield_per=BATCH))


class _Groups:
    """Rows of a stream sorted by its first column, handed out per key in increasing order."""

    def __init__(self, rows: Iterable):
        self._groups = itertools.groupby(rows, key=lambda row: row[0])
        self._current = next(self._groups, None)

    def take(self, key) -> list:
        while self._current is not None and self._current[0] < key:
            self._current = next(self._groups, None)
        if self._current is None or self._current[0] != key:
            return []
        rows = list(self._current[1])
        self._current = next(self._groups, None)
        return rows
