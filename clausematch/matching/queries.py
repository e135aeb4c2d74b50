"""Read-only queries of the matching pages: what is shown of the few ranked ids, in one query
each, with the filters the engine does not know (territory, availability date, already proposed)."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.models import Organisation
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.eligibility import EligibilityState, eligibility_state_sql
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.matching.engine import Match
from clausematch.matching.feed import indexable_candidates, open_offers
from clausematch.matching.models import MatchingModel
from clausematch.offers.models import Offer
from clausematch.referential.geo import haversine_km
from clausematch.referential.models import Commune
from clausematch.vocabulary import ContractType

SHORTLIST_LIMIT = 100
HISTORY_LIMIT = 20
# The engine's features (scoring.FEATURE_NAMES), as the model page names them.
FEATURE_LABELS = {
    "same_code": "Même métier (code ROME)",
    "same_domain": "Métier proche (même domaine ROME)",
    "text": "Intitulés et compétences proches",
    "proximity": "Proximité du domicile",
    "distance_known": "Distance connue",
    "criteria": "Publics de l'offre détenus",
}


@dataclass(frozen=True)
class SuggestedCandidate:
    """A ranked candidate as the facilitator sees it."""

    id: int
    first_name: str
    last_name: str
    prescriber_name: str
    commune_name: str | None
    available_from: date | None
    eligibility: EligibilityState
    application_id: int | None
    application_status: ApplicationStatus | None
    score: float
    reasons: list[str]

    @classmethod
    def of(cls, row, match: Match) -> "SuggestedCandidate":
        return cls(row.id, row.first_name, row.last_name, row.prescriber_name, row.commune_name,
                   row.available_from, EligibilityState(row.eligibility), row.application_id,
                   row.application_status, match.score, list(match.reasons))

    @property
    def can_be_shortlisted(self) -> bool:
        """Eligibility valid, and no application yet or one still before the shortlist."""
        return self.eligibility == EligibilityState.VALID and self.application_status in (
            None, ApplicationStatus.SUBMITTED, ApplicationStatus.VALIDATED)


@dataclass(frozen=True)
class SuggestedOffer:
    """A ranked offer as the candidate's prescriber sees it."""

    id: int
    title: str
    company_name: str
    commune_name: str
    contract_type: ContractType
    publication_end: date | None
    score: float
    reasons: list[str]

    @classmethod
    def of(cls, row, match: Match) -> "SuggestedOffer":
        return cls(row.id, row.title, row.company_name, row.commune_name, row.contract_type,
                   row.publication_end, match.score, list(match.reasons))


def candidate_rows(offer: Offer, ids: list[int], on: date, available_by: date | None,
                   exclude_proposed: bool) -> dict:
    """Display rows of the candidates `ids` that belong to the offer's territory, are still
    indexable and pass the filters, by id (one query)."""
    if not ids:
        return {}
    stmt = (sa.select(Candidate.id, Candidate.first_name, Candidate.last_name,
                      Organisation.name.label("prescriber_name"), Commune.name.label("commune_name"),
                      Commune.latitude, Commune.longitude, Candidate.available_from,
                      eligibility_state_sql(on).label("eligibility"),
                      Application.id.label("application_id"), Application.status.label("application_status"))
            .join(Organisation, Organisation.id == Candidate.prescriber_id)
            .outerjoin(Commune, Commune.insee_code == Candidate.commune_insee)
            .outerjoin(Application, sa.and_(Application.candidate_id == Candidate.id, Application.offer_id == offer.id))
            .where(Candidate.id.in_(ids), Candidate.territory_id == offer.territory_id, indexable_candidates()))
    if available_by is not None:
        stmt = stmt.where(sa.or_(Candidate.available_from.is_(None), Candidate.available_from <= available_by))
    if exclude_proposed:
        stmt = stmt.where(Application.id.is_(None))
    return {row.id: row for row in db.session.execute(stmt)}


def distance_km(row, offer: Offer) -> float | None:
    if row.latitude is None or row.longitude is None:
        return None
    return haversine_km(row.latitude, row.longitude, offer.latitude, offer.longitude)


def offer_rows(candidate: Candidate, ids: list[int], on: date) -> dict:
    """Display rows of the offers `ids` that are open in the candidate's territory and to which
    the candidate has not been proposed, by id (one query)."""
    if not ids:
        return {}
    proposed = sa.exists().where(Application.offer_id == Offer.id, Application.candidate_id == candidate.id)
    stmt = (sa.select(Offer.id, Offer.title, Organisation.name.label("company_name"),
                      Commune.name.label("commune_name"), Offer.contract_type, Offer.publication_end)
            .join(Organisation, Organisation.id == Offer.company_id)
            .join(Commune, Commune.insee_code == Offer.commune_insee)
            .where(Offer.id.in_(ids), Offer.territory_id == candidate.territory_id, open_offers(on), ~proposed))
    return {row.id: row for row in db.session.execute(stmt)}


def shortlist(offer_id: int) -> list:
    """The offer's shortlisted applications (not sent yet), oldest first, at most SHORTLIST_LIMIT."""
    stmt = (sa.select(Application.id, Application.last_event_at, Candidate.id.label("candidate_id"),
                      Candidate.first_name, Candidate.last_name, Organisation.name.label("prescriber_name"))
            .join(Candidate, Candidate.id == Application.candidate_id)
            .join(Organisation, Organisation.id == Application.prescriber_id)
            .where(Application.offer_id == offer_id, Application.status == ApplicationStatus.SHORTLISTED)
            .order_by(Application.last_event_at, Application.id).limit(SHORTLIST_LIMIT))
    return list(db.session.execute(stmt))


def model_history() -> list[MatchingModel]:
    """The latest learnt models, newest first."""
    stmt = sa.select(MatchingModel).order_by(MatchingModel.trained_at.desc(), MatchingModel.id.desc())
    return list(db.session.scalars(stmt.limit(HISTORY_LIMIT)))
