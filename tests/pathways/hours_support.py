"""Fixtures and helpers of the monthly hours tests (imported by each tests/pathways/test_hours_*.py)."""
import html
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (CandidateInTerritoryFactory, ClauseFactory, CompanyFactory, ContractInTerritoryFactory,
                       EmploymentContractFactory, HoursEntryFactory, LotFactory, UserFactory)

from clausematch.accounts.models import Role
from clausematch.pathways.hours import cell_name
from clausematch.pathways.models import HoursEntry, HoursKind, HoursRevision, HoursStatus

MARCH = date(2025, 3, 1)
W, T = HoursKind.WORK, HoursKind.TRAINING


@pytest.fixture
def lot(db, personas, territory):
    """A lot with a clause, held by the persona company."""
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, title="Gros œuvre")
    ClauseFactory(lot=lot)
    db.session.commit()
    return lot


@pytest.fixture
def hire(db, personas):
    """hire(lot, first_name=..., **contract columns) → a committed employment contract on `lot`."""
    def make(lot, first_name="Awa", last_name="Diallo", **columns):
        candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation,
                                                first_name=first_name, last_name=last_name)
        contract = EmploymentContractFactory(lot=lot, candidate=candidate, **columns)
        db.session.commit()
        return contract
    return make


@pytest.fixture
def other_company_user(db, territory):
    """A user of another company of the same territory (company B)."""
    user = UserFactory(role=Role.COMPANY, email="b@exemple.fr",
                       organisation=CompanyFactory(territory=territory, name="Entreprise B"))
    db.session.commit()
    return user


def entry(contract, month=MARCH, kind=W, hours="100", status=HoursStatus.DECLARED, **columns) -> HoursEntry:
    return HoursEntryFactory(contract=contract, month=month, kind=kind, hours=Decimal(hours), status=status, **columns)


def entries(db) -> dict[tuple, tuple]:
    """Every entry as {(contract_id, month, kind): (hours, status)}."""
    db.session.expire_all()
    return {(e.contract_id, e.month, e.kind): (e.hours, e.status)
            for e in db.session.scalars(sa.select(HoursEntry))}


def revisions(db, entry_id: int) -> list[tuple]:
    """(old, new, comment) of an entry's revisions, oldest first."""
    return [(r.old_hours, r.new_hours, r.comment) for r in db.session.scalars(
        sa.select(HoursRevision).where(HoursRevision.entry_id == entry_id).order_by(HoursRevision.id))]


def cell(contract, kind=W) -> str:
    return cell_name(contract.id, kind)


def page_text(response) -> str:
    """The page's HTML with entities decoded ("n&#39;a" → "n'a"), for assertions on French text."""
    return html.unescape(response.get_data(as_text=True))
