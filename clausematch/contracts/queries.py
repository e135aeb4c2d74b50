"""Read-only queries behind the buyers, companies and contracts lists: filters and pagination
in SQL, related names joined in the same statement (a page runs a fixed number of queries)."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Buyer, Company, CompanyKind, Role, User
from clausematch.contracts.models import ClauseKind, Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.referential.models import Commune
from clausematch.vocabulary import Sector

NO_CLAUSE = "none"  # the "sans clause" value of the clause-kind filter


def contains(column, text: str):
    """Case-insensitive "contains", with LIKE wildcards typed by people taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


@dataclass(frozen=True)
class ContractFilters:
    q: str = ""
    buyer_id: int | None = None
    sector: Sector | None = None
    clause_kind: str = ""  # a ClauseKind value, NO_CLAUSE, or "" for any
    year: int | None = None

    @property
    def as_args(self) -> dict:
        """The filters as query-string arguments (for pagination links)."""
        args = {"q": self.q, "acheteur": self.buyer_id, "secteur": self.sector.value if self.sector else None,
                "clause": self.clause_kind, "annee": self.year}
        return {key: value for key, value in args.items() if value}


def contracts_page(user: User, filters: ContractFilters, page: int | None) -> Page:
    """Rows (Contract with its buyer loaded, number of lots) visible to `user`, newest first."""
    lots_count = (sa.select(sa.func.count(Lot.id)).where(Lot.contract_id == Contract.id)
                  .correlate(Contract).scalar_subquery().label("lots_count"))
    stmt = sa.select(Contract, lots_count).options(joinedload(Contract.buyer))
    if user.role == Role.BUYER:
        stmt = stmt.where(Contract.buyer_id == user.organisation.id)
    else:
        stmt = stmt.where(Contract.territory_id == territory_of(user))
    stmt = _filter_contracts(stmt, filters)
    return paginate(stmt.order_by(Contract.notified_on.desc(), Contract.id.desc()), page)


def _filter_contracts(stmt: sa.Select, filters: ContractFilters) -> sa.Select:
    if filters.q:
        stmt = stmt.where(sa.or_(contains(Contract.reference, filters.q), contains(Contract.object, filters.q)))
    if filters.buyer_id:
        stmt = stmt.where(Contract.buyer_id == filters.buyer_id)
    if filters.sector:
        stmt = stmt.where(Contract.sector == filters.sector)
    if filters.clause_kind == NO_CLAUSE:
        stmt = stmt.where(Contract.clause_kind.is_(None))
    elif filters.clause_kind in {kind.value for kind in ClauseKind}:
        stmt = stmt.where(Contract.clause_kind == ClauseKind(filters.clause_kind))
    if filters.year:
        # A range rather than EXTRACT(year) so that the (buyer_id, notified_on) index can serve it.
        stmt = stmt.where(Contract.notified_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31)))
    return stmt


def notification_years(user: User) -> list[int]:
    """The years in which the user's visible contracts were notified, newest first."""
    year = sa.extract("year", Contract.notified_on)
    stmt = sa.select(year).distinct().order_by(year.desc())
    if user.role == Role.BUYER:
        stmt = stmt.where(Contract.buyer_id == user.organisation.id)
    else:
        stmt = stmt.where(Contract.territory_id == territory_of(user))
    return [int(value) for value in db.session.scalars(stmt)]


def buyer_choices(territory_id: int) -> list[tuple[int, str]]:
    stmt = sa.select(Buyer.id, Buyer.name).where(Buyer.territory_id == territory_id).order_by(Buyer.name)
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def company_choices(territory_id: int) -> list[tuple[int, str]]:
    """Companies of the territory as select options: "Name (kind)"."""
    stmt = (sa.select(Company.id, Company.name, Company.company_kind)
            .where(Company.territory_id == territory_id, Company.is_active.is_(True)).order_by(Company.name))
    return [(row.id, f"{row.name} ({row.company_kind.label})") for row in db.session.execute(stmt)]


def buyers_page(territory_id: int, q: str, page: int | None) -> Page:
    """Rows (Buyer, commune name, number of contracts) of the territory, by name."""
    contracts_count = (sa.select(sa.func.count(Contract.id)).where(Contract.buyer_id == Buyer.id)
                       .correlate(Buyer).scalar_subquery().label("contracts_count"))
    stmt = (sa.select(Buyer, Commune.name.label("commune_name"), contracts_count)
            .outerjoin(Commune, Commune.insee_code == Buyer.commune_insee)
            .where(Buyer.territory_id == territory_id))
    if q:
        stmt = stmt.where(contains(Buyer.name, q))
    return paginate(stmt.order_by(Buyer.name, Buyer.id), page)


def companies_page(territory_id: int, q: str, kind: CompanyKind | None, page: int | None) -> Page:
    """Rows (Company, commune name) of the territory, by name. `q` matches the name or the
    start of the SIRET (spaces ignored, so "732 829 320" finds the SIREN's establishments)."""
    stmt = (sa.select(Company, Commune.name.label("commune_name"))
            .outerjoin(Commune, Commune.insee_code == Company.commune_insee)
            .where(Company.territory_id == territory_id))
    if q:
        digits = "".join(q.split())
        by_siret = Company.siret.startswith(digits, autoescape=True) if digits.isdigit() else sa.false()
        stmt = stmt.where(sa.or_(contains(Company.name, q), by_siret))
    if kind:
        stmt = stmt.where(Company.company_kind == kind)
    return paginate(stmt.order_by(Company.name, Company.id), page)
