"""Read-only queries of the offers workspace: the lists, their filters, an offer's history.

Every list is one statement with its joins (paginated in SQL by clausematch.pagination), so a
page runs the same number of queries whatever the number of offers.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from clausematch.accounts.models import Company, Organisation, User
from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.permissions import territory_of
from clausematch.pagination import Page, paginate
from clausematch.referential.models import Commune
from clausematch.vocabulary import Sector


@dataclass(frozen=True)
class OfferFilters:
    """Filters of the offer lists, already checked (None: no filter)."""

    status: OfferStatus | None = None
    company_id: int | None = None
    lot_id: int | None = None
    sector: Sector | None = None

    def as_args(self) -> dict:
        """The filters as query-string arguments (kept by the pagination links)."""
        args = {"statut": self.status, "entreprise": self.company_id, "lot": self.lot_id, "secteur": self.sector}
        return {name: str(value) for name, value in args.items() if value is not None}


def _listing() -> sa.Select:
    # Many-to-one joins only: the LIMIT of a page still counts offers, not joined rows.
    return (sa.select(Offer)
            .options(joinedload(Offer.lot).joinedload(Lot.contract), joinedload(Offer.company),
                     joinedload(Offer.commune), joinedload(Offer.appellation))
            .order_by(Offer.updated_at.desc(), Offer.id.desc()))


def _filtered(stmt: sa.Select, filters: OfferFilters) -> sa.Select:
    if filters.status is not None:
        stmt = stmt.where(Offer.status == filters.status)
    if filters.company_id is not None:
        stmt = stmt.where(Offer.company_id == filters.company_id)
    if filters.lot_id is not None:
        stmt = stmt.where(Offer.lot_id == filters.lot_id)
    if filters.sector is not None:
        stmt = stmt.where(Offer.sector == filters.sector)
    return stmt


def company_scope(user: User) -> sa.ColumnElement[bool]:
    return Offer.company_id.in_(user.organisation_ids)


def territory_scope(user: User) -> sa.ColumnElement[bool]:
    return Offer.territory_id == territory_of(user)


def offers_page(scope: sa.ColumnElement[bool], filters: OfferFilters, page: int) -> Page:
    """One page of the offers matching `scope` (company or territory) and `filters`."""
    return paginate(_filtered(_listing().where(scope), filters), page)


def status_counts(scope: sa.ColumnElement[bool]) -> dict[OfferStatus, int]:
    """How many offers of the scope are in each status (every status present, 0 included)."""
    rows = db.session.execute(sa.select(Offer.status, sa.func.count()).where(scope).group_by(Offer.status))
    counts = {status: 0 for status in OfferStatus}
    counts.update({status: count for status, count in rows})
    return counts


def territory_companies(user: User) -> list[tuple[int, str]]:
    """(id, name) of the companies that have offers in the user's territory, for the filter."""
    stmt = (sa.select(Company.id, Company.name).where(Company.id.in_(
        sa.select(Offer.company_id).where(territory_scope(user)))).order_by(Company.name))
    return [(row.id, row.name) for row in db.session.execute(stmt)]


def lot_label(reference: str, number: int, title: str) -> str:
    return f"{reference} — lot {number} : {title}"


def lot_choices(lots_query: sa.Select) -> list[tuple[int, str]]:
    """(id, label) of the lots a query selects, in one statement."""
    stmt = lots_query.with_only_columns(Lot.id, Contract.reference, Lot.number, Lot.title)
    return [(row.id, lot_label(row.reference, row.number, row.title)) for row in db.session.execute(stmt)]


def offer_history(offer_id: int) -> list[tuple[OfferStatusChange, str | None]]:
    """The offer's status changes, oldest first, with the actor's name (None: automatic)."""
    actor = aliased(User)
    stmt = (sa.select(OfferStatusChange, actor.full_name)
            .outerjoin(actor, actor.id == OfferStatusChange.actor_id)
            .where(OfferStatusChange.offer_id == offer_id)
            .order_by(OfferStatusChange.occurred_at, OfferStatusChange.id))
    return [(change, name) for change, name in db.session.execute(stmt)]


# --- Offer pickers ------------------------------------------------------------------------------

def choice_select(*conditions: sa.ColumnElement[bool]) -> sa.Select:
    """The columns an offer picker shows (title, company, commune, lot), in one statement with its
    joins; the caller adds its order and limit."""
    return (sa.select(Offer.id, Offer.title, Organisation.name.label("company_name"),
                      Commune.name.label("commune_name"), Commune.postcodes, Lot.number.label("lot_number"),
                      Contract.reference.label("contract_reference"))
            .join(Organisation, Offer.company_id == Organisation.id)
            .join(Commune, Offer.commune_insee == Commune.insee_code)
            .join(Lot, Offer.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id)
            .where(*conditions))


def choice_label(row) -> str:
    """« Maçon / Maçonne — Bâtir Ensemble — Saint-Denis (93200) — lot 2 du marché 2024-017 (offre n° 48) »."""
    postcode = (row.postcodes or "").split()
    commune = f"{row.commune_name} ({postcode[0]})" if postcode else row.commune_name
    return (f"{row.title} — {row.company_name} — {commune} — lot {row.lot_number} du marché "
            f"{row.contract_reference} (offre n° {row.id})")


def offer_choices(*conditions: sa.ColumnElement[bool], order_by=(), limit: int | None = None) -> list[tuple[int, str]]:
    """(id, label) of the offers matching `conditions`, labelled by `choice_label`, in one query."""
    stmt = choice_select(*conditions).order_by(*order_by, Offer.title, Offer.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(row.id, choice_label(row)) for row in db.session.execute(stmt)]
