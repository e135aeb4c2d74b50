"""Fixtures of the hires, exits, follow-ups and pathway tests: a lot held by the persona company,
a person of the persona prescriber hired on it in CDD (March to December 2025)."""
from datetime import date

import pytest
from factories import (
    CandidateInTerritoryFactory,
    ClauseFactory,
    CompanyFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    LotFactory,
    UserFactory,
)

from clausematch.accounts.models import Role


@pytest.fixture
def pathway_lot(db, personas, territory):
    """A lot with a clause, held by the persona company, bought by the persona buyer."""
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer=personas["buyer"].organisation, reference="2025-CLAUSE"),
                     company=personas["company"].organisation, number=2, title="Gros œuvre")
    ClauseFactory(lot=lot)
    db.session.commit()
    return lot


@pytest.fixture
def person(db, personas):
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Awa",
                                            last_name="Diallo")
    db.session.commit()
    return candidate


@pytest.fixture
def make_contract(db, pathway_lot, person):
    """make_contract(**columns) → a committed employment contract (default: the person's CDD)."""
    def make(**columns):
        columns.setdefault("lot", pathway_lot)
        columns.setdefault("candidate", person)
        contract = EmploymentContractFactory(**columns)
        db.session.commit()
        return contract
    return make


@pytest.fixture
def cdd(make_contract):
    """A CDD from 1 March to 31 December 2025, 35 h a week, direct hire."""
    return make_contract(start_date=date(2025, 3, 1), planned_end_date=date(2025, 12, 31))


@pytest.fixture
def statements_for(db, count_queries, client):
    """statements_for(path) → how many SQL statements GET `path` runs (status 200 checked)."""
    def count(path: str) -> int:
        db.session.commit()
        db.session.expire_all()
        with count_queries() as statements:
            response = client.get(path)
        assert response.status_code == 200, response.status_code
        return len(statements)
    return count


# --- The monthly hours tests (tests/pathways/test_hours_*.py) ---------------------------------

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
