"""Home pages run the same number of SQL statements whatever the amount of data (no N+1)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from factories import (
    ApplicationFactory,
    BuyerFactory,
    ClauseFactory,
    EmploymentContractFactory,
    FollowUpFactory,
    HoursEntryFactory,
    JobRunFactory,
    NotificationFactory,
    OutboxMessageFactory,
    UserFactory,
)
from factories import CandidateInTerritoryFactory as CandidateFactory
from factories import ContractInTerritoryFactory as ContractFactory
from factories import LotInTerritoryFactory as LotFactory
from factories import OfferInTerritoryFactory as OfferFactory

from clausematch.accounts.models import Role
from clausematch.database import today


def add_data(personas, territory, n: int) -> None:
    """n of everything each home lists or counts, in the personas' organisations."""
    company = personas["company"].organisation
    buyer = personas["buyer"].organisation
    prescriber = personas["prescriber"].organisation
    for _ in range(n):
        contract = ContractFactory(buyer=buyer)
        lot = LotFactory(contract=contract, company=company)
        ClauseFactory(lot=lot, hours_objective=Decimal("1000"))
        hire = EmploymentContractFactory(lot=lot, candidate=CandidateFactory(prescriber=prescriber))
        HoursEntryFactory(contract=hire, hours=Decimal("10"))
        offer = OfferFactory(lot=lot, company=company)
        ApplicationFactory(offer=offer, candidate=hire.candidate)
        FollowUpFactory(exit__contract=hire, due_on=today() - timedelta(days=1))
        NotificationFactory(user=personas["prescriber"])
        JobRunFactory()
        OutboxMessageFactory()
        UserFactory(role=Role.PRESCRIBER, organisation=prescriber)
        BuyerFactory(territory=territory)


def statements_for(db, count_queries, client, path: str) -> int:
    db.session.commit()
    db.session.expire_all()  # nothing served from memory: every request loads what it reads
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("role, path", [
    ("facilitator", "/facilitateur"),
    ("prescriber", "/prescripteur"),
    ("company", "/entreprise"),
    ("buyer", "/acheteur"),
    ("admin", "/admin"),
])
def test_home_query_count_does_not_grow_with_data(db, count_queries, territory, personas, client, login_as, role, path):
    login_as(role)
    add_data(personas, territory, 3)
    few = statements_for(db, count_queries, client, path)

    add_data(personas, territory, 27)
    many = statements_for(db, count_queries, client, path)

    assert many == few
    assert few <= 10
