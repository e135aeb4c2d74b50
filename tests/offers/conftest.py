"""Fixtures of the offers workspace tests: lots held by the persona company and by another one."""
import pytest
from factories import ClauseFactory, CompanyFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory

from clausematch.offers.models import OfferStatus


@pytest.fixture
def contract(db, territory):
    return ContractInTerritoryFactory(buyer__territory=territory)


@pytest.fixture
def company_lot(db, personas, contract):
    """A lot held by the persona company, with a clause for DELD and RSA publics."""
    lot = LotFactory(contract=contract, company=personas["company"].organisation)
    ClauseFactory(lot=lot, eligible_criteria=["deld", "rsa"])
    db.session.commit()
    return lot


@pytest.fixture
def other_lot(db, territory, contract):
    """A lot of the same territory held by another company."""
    lot = LotFactory(contract=contract, company=CompanyFactory(territory=territory, name="Autre BTP"))
    db.session.commit()
    return lot


@pytest.fixture
def make_offer(db, company_lot):
    """make_offer(status=..., lot=..., **columns) → a committed offer (default: draft on company_lot)."""
    def make(status: OfferStatus = OfferStatus.DRAFT, lot=None, **columns):
        offer = OfferInTerritoryFactory(lot=lot or company_lot, status=status, **columns)
        db.session.commit()
        return offer
    return make
