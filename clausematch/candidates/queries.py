"""Read-only queries of the candidate pages; each runs a fixed number of statements per page."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clausematch.accounts.models import Membership, Prescriber, User
from clausematch.candidates.duplicates import SuspectedPair, suspected_pairs
from clausematch.candidates.eligibility import EligibilityState, eligibility_state_sql, state_filter_sql
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.candidates.search import name_starts_condition
from clausematch.database import utcnow
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.referential.models import Commune
from clausematch.text import normalise
from clausematch.vocabulary import Criterion


@dataclass(frozen=True)
class CandidateFilters:
    q: str = ""
    state: EligibilityState | None = None

    def as_args(self) -> dict:
        return {key: value for key, value in (("q", self.q), ("eligibilite", self.state and self.state.value))
                if value}


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    state: EligibilityState
    commune: str | None

    @property
    def expired(self) -> bool:
        return self.state == EligibilityState.EXPIRED


def candidates_page(organisation_ids: set[int], filters: CandidateFilters, page: int | None,
                    today: date, per_page: int | None = None) -> Page:
    """"Mes candidats": the organisation's active records with their eligibility state — from the
    criteria these organisations declared only (a merge may have brought others) — in two
    statements (count, page); the page adds their applications by state (applications.queries)."""
    stmt = (sa.select(Candidate, eligibility_state_sql(today, seen_by=organisation_ids).label("state"), Commune.name)
            .outerjoin(Commune, Commune.insee_code == Candidate.commune_insee)
            .where(Candidate.prescriber_id.in_(organisation_ids), Candidate.is_active)
            .order_by(Candidate.last_name, Candidate.first_name, Candidate.id))
    for word in normalise(filters.q).split()[:5]:
        stmt = stmt.where(Candidate.name_key.contains(word, autoescape=True))
    if filters.state is not None:
        stmt = stmt.where(state_filter_sql(filters.state, today, seen_by=organisation_ids))
    result = paginate(stmt, page, per_page)
    rows = [CandidateRow(candidate, EligibilityState(state), commune)
            for candidate, state, commune in result.items]
    return Page(items=rows, page=result.page, per_page=result.per_page, total=result.total)


def referent_choices(prescriber_id: int) -> list[tuple[int, str]]:
    stmt = (sa.select(User.id, User.full_name).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == prescriber_id, User.is_active.is_(True))
            .order_by(User.full_name))
    return [(user_id, name) for user_id, name in db.session.execute(stmt)]


def user_names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(user_ids))).all())


# "Déclaré depuis plus de … jours": the choices of the queue's age filter.
QUEUE_AGE_CHOICES = (7, 15, 30, 60)


@dataclass(frozen=True)
class QueueFilters:
    """Filters of the eligibility queue, already checked (None or empty: no filter)."""

    criterion: Criterion | None = None
    prescriber_id: int | None = None
    name: str = ""
    older_than_days: int | None = None

    def as_args(self) -> dict:
        args = {"critere": self.criterion and self.criterion.value, "prescripteur": self.prescriber_id,
                "nom": self.name, "anciennete": self.older_than_days}
        return {key: str(value) for key, value in args.items() if value}


def eligibility_queue(territory_id: int, page: int | None, filters: QueueFilters = QueueFilters(),
                      now: datetime | None = None) -> Page:
    """Declared criteria of the territory awaiting a decision, oldest declaration first."""
    stmt = (sa.select(EligibilityCriterion, Candidate.first_name, Candidate.last_name, Prescriber.name)
            .join(Candidate, Candidate.id == EligibilityCriterion.candidate_id)
            .join(Prescriber, Prescriber.id == Candidate.prescriber_id)
            .where(Candidate.territory_id == territory_id, Candidate.is_active,
                   EligibilityCriterion.status == EligibilityStatus.DECLARED)
            .order_by(EligibilityCriterion.declared_at, EligibilityCriterion.id))
    if filters.criterion is not None:
        stmt = stmt.where(EligibilityCriterion.criterion == filters.criterion)
    if filters.prescriber_id is not None:
        stmt = stmt.where(Candidate.prescriber_id == filters.prescriber_id)
    named = name_starts_condition(filters.name)
    if named is not None:
        stmt = stmt.where(named)
    if filters.older_than_days is not None:
        since = (now or utcnow()) - timedelta(days=filters.older_than_days)
        stmt = stmt.where(EligibilityCriterion.declared_at < since)
    return paginate(stmt, page)


@dataclass(frozen=True)
class PairView:
    pair: SuspectedPair
    first: Candidate
    second: Candidate


def duplicate_pairs_page(territory_id: int, page: int | None, per_page: int = 10) -> Page:
    """Suspected pairs of the territory, the page's records loaded in one statement."""
    pairs = suspected_pairs(territory_id)
    total = len(pairs)
    pages = max(1, -(-total // per_page))
    page = min(max(page or 1, 1), pages)
    chosen = pairs[(page - 1) * per_page: page * per_page]
    ids = {pair.first_id for pair in chosen} | {pair.second_id for pair in chosen}
    records = {}
    if ids:
        records = {c.id: c for c in db.session.scalars(
            sa.select(Candidate).where(Candidate.id.in_(ids))
            .options(selectinload(Candidate.prescriber), selectinload(Candidate.commune)))}
    views = [PairView(pair, records[pair.first_id], records[pair.second_id]) for pair in chosen]
    return Page(items=views, page=page, per_page=per_page, total=total)
