"""Figures of contract, lot and company pages: objectives, validated hours, offers and people.
Every figure is aggregated in SQL; a page runs the same number of queries whatever the data."""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Company, Membership, Territory, User
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.pools import PoolSummary, pools_of
from clausematch.database import as_date
from clausematch.extensions import db
from clausematch.formats import format_date, format_percent
from clausematch.offers.models import Offer, OfferStatus
from clausematch.pathways.counting import credited_hours, pool_figures, realisation_rate
from clausematch.pathways.models import EmploymentContract
from clausematch.reporting import masking

LIST_LIMIT = 50  # longer lists on a lot or company page are cut, with their total shown


@dataclass(frozen=True)
class PoolStatus:
    """The pool covering a lot, as its pages show it: the other lots, the agreement's date,
    whether the territory applies it, and then the pool's rate (realised ÷ objective summed over
    all its lots, all hours)."""

    pool_id: int
    agreed_on: date
    others: str
    applied: bool
    rate: Decimal | None = None

    @property
    def text(self) -> str:
        if not self.applied:
            return (f"mutualisé avec les lots {self.others} (accord du {format_date(self.agreed_on)}), non appliqué : "
                    "la globalisation entre lots est désactivée dans les paramètres du territoire")
        rate = format_percent(self.rate) if self.rate is not None else "—"
        return f"mutualisé avec les lots {self.others} : {rate} sur l'ensemble"


def lot_pools(territory: Territory, lot_ids: list[int]) -> dict[int, PoolStatus]:
    """The pool status of each of `lot_ids` covered by a pool: one query, and one more for the
    pools' rates when the territory applies pooling and a pool is found."""
    summaries: list[PoolSummary] = pools_of(lot_ids=lot_ids) if lot_ids else []
    if not summaries:
        return {}
    rates: dict[int, Decimal | None] = {}
    pooled = pool_figures(territory, lots=sa.select(Lot.id).where(Lot.id.in_(lot_ids)), name="page_pools")
    if pooled is not None:
        rates = {pool_id: realisation_rate(Decimal(str(realised or 0)), Decimal(str(objective or 0)))
                 for pool_id, objective, realised in db.session.execute(
                     sa.select(pooled.c.pool_id, pooled.c.pool_objective, pooled.c.pool_realised).distinct())}
    wanted = set(lot_ids)
    return {lot_id: PoolStatus(summary.pool_id, summary.agreed_on, summary.label(without=lot_id), pooled is not None,
                               rates.get(summary.pool_id))
            for summary in summaries for lot_id, _ in summary.lots if lot_id in wanted}


@dataclass(frozen=True)
class LotLine:
    lot: Lot
    realised: Decimal
    pool: PoolStatus | None = None

    @property
    def objective(self) -> Decimal | None:
        return self.lot.clause.hours_objective if self.lot.clause else None

    @property
    def rate(self) -> Decimal | None:
        return realisation_rate(self.realised, self.objective)


def contract_lots(contract: Contract) -> list[LotLine]:
    """The contract's lots with company, clause, credited hours and pool (three queries, four
    when a lot is pooled in a territory that applies pooling)."""
    lots = list(db.session.scalars(
        sa.select(Lot).where(Lot.contract_id == contract.id)
        .options(joinedload(Lot.company), joinedload(Lot.clause)).order_by(Lot.number)))
    territory = contract.buyer.territory
    credited = credited_hours(territory, lots=[lot.id for lot in lots])
    realised = dict(db.session.execute(
        sa.select(credited.c.lot_id, sa.func.sum(credited.c.hours)).group_by(credited.c.lot_id)).all()) if lots else {}
    pools = lot_pools(territory, [lot.id for lot in lots])
    return [LotLine(lot, Decimal(realised.get(lot.id) or 0), pools.get(lot.id)) for lot in lots]


@dataclass(frozen=True)
class LotOverview:
    realised: Decimal
    monthly: list[tuple[date, Decimal]]
    offers_by_status: list[tuple[OfferStatus, int]]
    offers: list[Offer] = field(default_factory=list)
    hires: int = masking.people_count(default=0)
    people_count: int = masking.people_count(default=0)
    employments: list[EmploymentContract] = field(default_factory=list)
    pool: PoolStatus | None = None

    @property
    def offers_total(self) -> int:
        return sum(count for _, count in self.offers_by_status)


def lot_overview(lot: Lot, territory: Territory, with_offers: bool, with_people: bool) -> LotOverview:
    """Hours by month, offers by status, hires; the lists of offers and of people hired only
    for those allowed to see them. Those who may not see the people (buyers) get their counts,
    "< 5" under five (masking.py)."""
    credited = credited_hours(territory, lots=[lot.id])
    monthly = [(as_date(month), Decimal(str(hours))) for month, hours in db.session.execute(
        sa.select(credited.c.month, sa.func.sum(credited.c.hours))
        .group_by(credited.c.month).order_by(credited.c.month))]
    by_status = dict(db.session.execute(
        sa.select(Offer.status, sa.func.count(Offer.id)).where(Offer.lot_id == lot.id)
        .group_by(Offer.status)).all())
    hires, people = db.session.execute(
        sa.select(sa.func.count(EmploymentContract.id), sa.func.count(sa.distinct(EmploymentContract.candidate_id)))
        .where(EmploymentContract.lot_id == lot.id)).one()
    offers = list(db.session.scalars(
        sa.select(Offer).where(Offer.lot_id == lot.id).order_by(Offer.created_at.desc(), Offer.id.desc())
        .limit(LIST_LIMIT))) if with_offers else []
    employments = list(db.session.scalars(
        sa.select(EmploymentContract).join(Candidate, Candidate.id == EmploymentContract.candidate_id)
        .options(joinedload(EmploymentContract.candidate), joinedload(EmploymentContract.employer))
        .where(EmploymentContract.lot_id == lot.id)
        .order_by(EmploymentContract.start_date.desc(), Candidate.last_name).limit(LIST_LIMIT))) if with_people else []
    overview = LotOverview(realised=sum((hours for _, hours in monthly), Decimal(0)), monthly=monthly,
                           offers_by_status=[(status, by_status[status]) for status in OfferStatus
                                             if status in by_status],
                           offers=offers, hires=hires, people_count=people, employments=employments,
                           pool=lot_pools(territory, [lot.id]).get(lot.id))
    return overview if with_people else masking.hide_small_counts(overview)



@dataclass(frozen=True)
class CompanyOverview:
    members: list[User]
    lots: list[Lot]
    lots_total: int
    offers: list[Offer]
    offers_total: int
    pools: list[PoolSummary] = field(default_factory=list)


def company_overview(company: Company) -> CompanyOverview:
    """Contact users, lots held (with their contract), offers and pooling agreements of a
    company; six queries."""
    members = list(db.session.scalars(
        sa.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == company.id).order_by(User.full_name)))
    lots = list(db.session.scalars(
        sa.select(Lot).where(Lot.company_id == company.id).options(joinedload(Lot.contract))
        .order_by(Lot.start_date.desc(), Lot.id.desc()).limit(LIST_LIMIT)))
    offers = list(db.session.scalars(
        sa.select(Offer).where(Offer.company_id == company.id)
        .order_by(Offer.created_at.desc(), Offer.id.desc()).limit(LIST_LIMIT)))
    lots_total = db.session.scalar(sa.select(sa.func.count(Lot.id)).where(Lot.company_id == company.id))
    offers_total = db.session.scalar(sa.select(sa.func.count(Offer.id)).where(Offer.company_id == company.id))
    return CompanyOverview(members, lots, lots_total, offers, offers_total, pools_of(company_id=company.id))
