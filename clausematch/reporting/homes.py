"""Figures for the role home pages: read-only, aggregated in SQL, a fixed number of queries.

Each dashboard is scoped to the acting user's organisation (or its territory for facilitators);
a staff account with no organisation is refused.
"""
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Organisation, OrganisationKind, Role, Territory, User
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.database import today
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.jobs import JobRun
from clausematch.notifications import Notification, pending_count
from clausematch.offers.models import Offer, OfferStatus
from clausematch.pagination import Page, paginate
from clausematch.pathways.counting import credited_hours, judged_hours, pool_figures, realisation_rate
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.warnings import HOME_LIMIT, Warnings, lagging_lots

GAP_TABLE_SIZE = 10
NOTIFICATIONS_SHOWN = 10
JOB_RUNS_SHOWN = 20


@dataclass(frozen=True)
class StatusCount:
    """How many records hold one status (label in French)."""

    status: Any
    count: int


def _organisation(user: User) -> Organisation:
    organisation = user.organisation
    if organisation is None:
        raise NotAllowed("Votre compte n'est rattaché à aucune organisation.")
    return organisation


def _realised_by_lot(territory: Territory, lots: sa.Select, name: str = "realised") -> sa.Subquery:
    """(lot_id, hours): the credited hours (pathways/counting.py) of each lot in `lots`, like
    every home-page sum of hours."""
    credited = credited_hours(territory, lots=lots, name=f"{name}_credited")
    return (sa.select(credited.c.lot_id.label("lot_id"), sa.func.sum(credited.c.hours).label("hours"))
            .group_by(credited.c.lot_id).subquery(name))


def _by_status(enum_cls, column, *conditions) -> list[StatusCount]:
    """Counts per status in one GROUP BY, every status listed (zero when absent), in workflow order."""
    rows = db.session.execute(sa.select(column, sa.func.count()).where(*conditions).group_by(column))
    counts = {status: count for status, count in rows}
    return [StatusCount(status, counts.get(status, 0)) for status in enum_cls]


# --- Facilitator ---------------------------------------------------------------------------

@dataclass(frozen=True)
class FacilitatorDashboard:
    contracts_with_clause: int
    lots_with_clause: int
    objective_hours: Decimal
    realised_hours: Decimal
    published_offers: int
    candidates: int
    applications_to_validate: int
    follow_ups_due: int
    largest_gaps: list[Any] = field(default_factory=list)
    lagging_lots: Warnings | None = None  # early warning: lots behind the pace to their objective

    @property
    def achievement(self) -> Decimal | None:
        return realisation_rate(self.realised_hours, self.objective_hours)


def facilitator_dashboard(user: User) -> FacilitatorDashboard:
    """Key figures of the facilitator's territory, the lots furthest from their objective and
    the lots lagging behind the pace to reach it."""
    territory = _organisation(user).territory
    figures = db.session.execute(_territory_figures(territory)).one()
    return FacilitatorDashboard(**figures._asdict(), largest_gaps=_largest_gaps(territory),
                                lagging_lots=lagging_lots(Scope(territory_id=territory.id), territory,
                                                          limit=HOME_LIMIT))


def _territory_figures(territory: Territory) -> sa.Select:
    """One statement, one scalar subquery per figure."""
    in_territory = Contract.territory_id == territory.id

    def scalar(stmt: sa.Select, name: str):
        return stmt.scalar_subquery().label(name)

    clause_lots = sa.select(Clause).join(Lot, Clause.lot_id == Lot.id).join(Contract).where(in_territory)
    credited = credited_hours(territory, lots=sa.select(Lot.id).join(Contract).where(in_territory))
    realised_hours = sa.select(sa.func.coalesce(sa.func.sum(credited.c.hours), 0))
    due_follow_ups = (sa.select(sa.func.count(FollowUp.id)).join(Exit).join(EmploymentContract)
                      .join(Lot, EmploymentContract.lot_id == Lot.id).join(Contract)
                      .where(in_territory, FollowUp.done_on.is_(None), FollowUp.due_on <= today()))
    return sa.select(
        scalar(sa.select(sa.func.count(Contract.id)).where(in_territory, Contract.clause_kind.is_not(None)),
               "contracts_with_clause"),
        scalar(clause_lots.with_only_columns(sa.func.count(Clause.id)), "lots_with_clause"),
        scalar(clause_lots.with_only_columns(sa.func.coalesce(sa.func.sum(Clause.hours_objective), 0)),
               "objective_hours"),
        scalar(realised_hours, "realised_hours"),
        scalar(sa.select(sa.func.count(Offer.id)).where(Offer.territory_id == territory.id,
                                                        Offer.status == OfferStatus.PUBLISHED),
               "published_offers"),
        # count(*), not count(id): the counts below are read from their indexes alone.
        scalar(sa.select(sa.func.count()).select_from(Candidate).where(Candidate.territory_id == territory.id,
                                                                       Candidate.is_active),
               "candidates"),
        scalar(sa.select(sa.func.count()).select_from(Application).join(Offer)
               .where(Offer.territory_id == territory.id, Application.status == ApplicationStatus.SUBMITTED),
               "applications_to_validate"),
        scalar(due_follow_ups, "follow_ups_due"),
    )


def _largest_gaps(territory: Territory) -> list[Any]:
    """The lots with the most hours still to realise (objective − counted hours), largest first.
    A lot covered by a pool the territory applies is judged on its pool: its objective × the
    pool's rate stands for its hours (pathways/counting.py `judged_hours`), so a lot behind in a
    pool that reached its objective has no gap."""
    lots = sa.select(Lot.id).join(Contract).where(Contract.territory_id == territory.id)
    realised = _realised_by_lot(territory, lots)
    pooled = pool_figures(territory, lots=lots, name="gap_pools")
    company = aliased(Organisation)
    realised_hours = sa.func.coalesce(realised.c.hours, 0)
    gap = sa.cast(Clause.hours_objective, sa.Float) - judged_hours(realised_hours, Clause.hours_objective, pooled)
    pool_share = (sa.cast(pooled.c.pool_realised, sa.Float) / sa.func.nullif(sa.cast(pooled.c.pool_objective, sa.Float),
                                                                                0)
                  if pooled is not None else sa.null())
    stmt = (sa.select(Lot.id, Lot.number, Lot.title, Contract.reference, company.name.label("company_name"),
                      Clause.hours_objective.label("objective"), realised_hours.label("realised"),
                      gap.label("gap"), pool_share.label("pool_share"))
            .join(Contract, Lot.contract_id == Contract.id).join(Clause, Clause.lot_id == Lot.id)
            .outerjoin(realised, realised.c.lot_id == Lot.id)
            .outerjoin(company, company.id == Lot.company_id))
    if pooled is not None:
        stmt = stmt.outerjoin(pooled, pooled.c.lot_id == Lot.id)
    stmt = stmt.where(Contract.territory_id == territory.id, gap > 0.005).order_by(gap.desc(), Lot.id).limit(
        GAP_TABLE_SIZE)
    return list(db.session.execute(stmt))


# --- Prescriber ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PrescriberDashboard:
    candidates: int
    applications_by_status: list[StatusCount]
    notifications: list[Notification]

    @property
    def applications(self) -> int:
        return sum(item.count for item in self.applications_by_status)


def prescriber_dashboard(user: User) -> PrescriberDashboard:
    """The prescriber organisation's candidates and applications, and the user's notifications."""
    organisation = _organisation(user)
    candidates = db.session.scalar(sa.select(sa.func.count(Candidate.id)).where(
        Candidate.prescriber_id == organisation.id, Candidate.is_active))
    notifications = db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(NOTIFICATIONS_SHOWN))
    return PrescriberDashboard(
        candidates=candidates,
        applications_by_status=_by_status(ApplicationStatus, Application.status,
                                          Application.prescriber_id == organisation.id),
        notifications=list(notifications),
    )


# --- Company -------------------------------------------------------------------------------

@dataclass(frozen=True)
class CompanyDashboard:
    lots: Page
    offers_by_status: list[StatusCount]


def company_dashboard(user: User, page: int | None = 1) -> CompanyDashboard:
    """The lots the company holds as titulaire (paginated) and its offers by status."""
    organisation = _organisation(user)
    realised = _realised_by_lot(organisation.territory, sa.select(Lot.id).where(Lot.company_id == organisation.id))
    lots = (sa.select(Lot.id, Lot.number, Lot.title, Contract.reference, Contract.object,
                      Clause.hours_objective.label("objective"),
                      sa.func.coalesce(realised.c.hours, 0).label("realised"))
            .join(Contract, Lot.contract_id == Contract.id).outerjoin(Clause, Clause.lot_id == Lot.id)
            .outerjoin(realised, realised.c.lot_id == Lot.id)
            .where(Lot.company_id == organisation.id)
            .order_by(Contract.notified_on.desc(), Contract.reference, Lot.number))
    return CompanyDashboard(
        lots=paginate(lots, page),
        offers_by_status=_by_status(OfferStatus, Offer.status, Offer.company_id == organisation.id),
    )


# --- Buyer ---------------------------------------------------------------------------------

def buyer_dashboard(user: User, page: int | None = 1) -> Page:
    """The buyer's contracts (paginated) with lots count, hour objective and counted hours."""
    organisation = _organisation(user)
    of_contract = Lot.contract_id == Contract.id  # correlated to the listed contract
    buyer_lots = sa.select(Lot.id).join(Contract, Contract.id == Lot.contract_id).where(
        Contract.buyer_id == organisation.id)
    realised = _realised_by_lot(organisation.territory, buyer_lots)
    stmt = (sa.select(
        Contract.id, Contract.reference, Contract.object, Contract.notified_on, Contract.clause_kind,
        sa.select(sa.func.count(Lot.id)).where(of_contract).scalar_subquery().label("lots"),
        sa.select(sa.func.coalesce(sa.func.sum(Clause.hours_objective), 0))
        .join(Lot, Clause.lot_id == Lot.id).where(of_contract).scalar_subquery().label("objective"),
        sa.select(sa.func.coalesce(sa.func.sum(realised.c.hours), 0))
        .join(Lot, realised.c.lot_id == Lot.id).where(of_contract).scalar_subquery()
        .label("realised"))
        .where(Contract.buyer_id == organisation.id)
        .order_by(Contract.notified_on.desc(), Contract.id.desc()))
    return paginate(stmt, page)


# --- Admin ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AdminDashboard:
    users_by_role: list[StatusCount]
    organisations_by_kind: list[StatusCount]
    job_runs: list[JobRun]
    pending_emails: int


def admin_dashboard(user: User) -> AdminDashboard:
    """Accounts and organisations per kind, recent scheduled job runs, e-mails waiting to go."""
    if user.role != Role.ADMIN:
        raise NotAllowed("Réservé aux administrateurs.")
    job_runs = db.session.scalars(sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc())
                                  .limit(JOB_RUNS_SHOWN))
    return AdminDashboard(
        users_by_role=_by_status(Role, User.role),
        organisations_by_kind=_by_status(OrganisationKind, Organisation.kind),
        job_runs=list(job_runs),
        pending_emails=pending_count(),
    )
