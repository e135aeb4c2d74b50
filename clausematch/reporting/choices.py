"""What the filter form offers (buyers, contracts, titulaires, programmes, years) and the words
describing a scope, for page headings and export files. A fixed number of queries."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.accounts.models import Buyer, Company, Organisation, Territory
from clausematch.contracts.models import Contract, Lot
from clausematch.database import today
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers.models import Offer, Programme
from clausematch.reporting.filters import Scope


@dataclass(frozen=True)
class Choices:
    buyers: list[tuple[int, str]]
    contracts: list[tuple[int, str]]
    companies: list[tuple[int, str]]
    programmes: list[tuple[int, str]]
    years: list[int]


def filter_choices(scope: Scope, buyer_forced: bool) -> Choices:
    """Options of the territory (of the buyer's own contracts for a buyer user)."""
    contracts = sa.select(Contract.id, Contract.reference + " – " + Contract.object) \
        .where(Contract.territory_id == scope.territory_id)
    if buyer_forced or scope.buyer_id:
        contracts = contracts.where(Contract.buyer_id == scope.buyer_id)
    buyers = [] if buyer_forced else _pairs(
        sa.select(Buyer.id, Buyer.name).where(Buyer.territory_id == scope.territory_id).order_by(Buyer.name))
    titulaires = (sa.select(Lot.company_id).join(Contract, Contract.id == Lot.contract_id)
                  .where(Contract.territory_id == scope.territory_id))
    if buyer_forced:
        titulaires = titulaires.where(Contract.buyer_id == scope.buyer_id)
    # From the first notification to the current year: a later year (a lot ending in 2030) has
    # neither hours nor notified contracts to show yet.
    first = db.session.scalar(sa.select(sa.func.min(sa.extract("year", Contract.notified_on)))
                              .where(Contract.territory_id == scope.territory_id))
    this_year = today().year
    first = min(int(first), this_year) if first is not None else this_year
    return Choices(
        buyers=buyers,
        contracts=_pairs(contracts.where(Contract.clause_kind.is_not(None)).order_by(Contract.reference)),
        companies=_pairs(sa.select(Company.id, Company.name).where(Company.id.in_(titulaires)).order_by(Company.name)),
        programmes=_pairs(sa.select(Programme.id, Programme.name)
                          .where(Programme.territory_id == scope.territory_id).order_by(Programme.name)),
        years=list(range(this_year, first - 1, -1)))


def _pairs(stmt: sa.Select) -> list[tuple[int, str]]:
    return [(id_, label) for id_, label in db.session.execute(stmt)]


def describe(scope: Scope) -> list[tuple[str, str]]:
    """(label, value) lines saying what the scope covers, in French. A record outside the
    territory (or, for a buyer's scope, outside the buyer's contracts) is not named."""
    territory = db.session.get(Territory, scope.territory_id)
    lines = [("Territoire", territory.name if territory else "—")]
    for label, model, ident in [("Acheteur", Organisation, scope.buyer_id), ("Marché", Contract, scope.contract_id),
                                ("Lot", Lot, scope.lot_id), ("Entreprise titulaire", Organisation, scope.company_id),
                                ("Programme", Programme, scope.programme_id), ("Offre", Offer, scope.offer_id)]:
        if ident:
            record = db.session.get(model, ident)
            visible = record is not None and _within(record, scope)
            lines.append((label, _name(record) if visible else f"n° {ident} (hors de votre périmètre)"))
    start, end = scope.period
    if start or end:
        lines.append(("Période", _period_text(start, end)))
    if scope.mode:
        lines.append(("Mode de réalisation", scope.mode.label))
    return lines


def _within(record, scope: Scope) -> bool:
    contract = {Contract: lambda: record, Lot: lambda: record.contract, Offer: lambda: record.lot.contract}.get(
        type(record), lambda: None)()
    if contract is not None:
        return contract.territory_id == scope.territory_id and (
            not scope.buyer_id or contract.buyer_id == scope.buyer_id)
    return record.territory_id == scope.territory_id


def _name(record) -> str:
    if isinstance(record, Contract):
        return f"{record.reference} – {record.object}"
    if isinstance(record, Lot):
        return f"{record.contract.reference}, lot {record.number} – {record.title}"
    if isinstance(record, Offer):
        return record.title
    return record.name


def _period_text(start, end) -> str:
    if start and end:
        if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return f"année {start.year}"
        return f"du {format_date(start)} au {format_date(end)}"
    if start:
        return f"depuis le {format_date(start)}"
    return f"jusqu'au {format_date(end)}"
