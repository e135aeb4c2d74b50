"""Fixtures of the contracts, lots, clauses, buyers and companies tests."""
from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def build(db, territory, personas):
    """Builders of contracts, lots, clauses, hires and hours in the personas' territory.
    By default the buyer is the buyer persona's and the titulaire the company persona's."""
    return Builder(db, territory, personas)


class Builder:
    def __init__(self, db, territory, personas):
        self.db, self.territory, self.personas = db, territory, personas

    @property
    def buyer(self):
        return self.personas["buyer"].organisation

    @property
    def company(self):
        return self.personas["company"].organisation

    def contract(self, buyer=None, **values):
        from factories import ContractInTerritoryFactory

        return ContractInTerritoryFactory(buyer=buyer or self.buyer, **values)

    def lot(self, contract=None, company=None, objective=None, **values):
        from factories import ClauseFactory, LotInTerritoryFactory

        lot = LotInTerritoryFactory(contract=contract or self.contract(), company=company or self.company, **values)
        if objective is not None:
            ClauseFactory(lot=lot, hours_objective=Decimal(objective))
        return lot

    def hire(self, lot, **values):
        from factories import CandidateInTerritoryFactory, EmploymentContractFactory, PrescriberFactory

        candidate = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=self.territory))
        return EmploymentContractFactory(lot=lot, candidate=candidate, **values)

    def hours(self, employment, hours, month=date(2025, 3, 1), **values):
        from factories import HoursEntryFactory

        return HoursEntryFactory(contract=employment, hours=Decimal(hours), month=month, **values)

    def offer(self, lot, **values):
        from factories import OfferInTerritoryFactory

        return OfferInTerritoryFactory(lot=lot, company=lot.company, **values)

    def other_company(self, **values):
        from factories import CompanyFactory

        return CompanyFactory(territory=self.territory, **values)

    def other_buyer(self, **values):
        from factories import BuyerFactory

        return BuyerFactory(territory=self.territory, **values)

