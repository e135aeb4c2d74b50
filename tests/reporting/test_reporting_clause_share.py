"""Buyer indicator: buyer A notified A3 (no clause) and A4 (clause) in 2023, A1 (clause) and
A2 (no clause) in 2024: 50 % then 50 %; with A5 (no clause, 2024) added, 2024 is 1 in 3."""
from datetime import date
from decimal import Decimal

from clausematch.reporting.queries.clause_share import clause_share


def test_share_of_contracts_with_a_clause_per_year(world, scope_of):
    world.builder.contract(world.buyer_a, reference="A5", clause_kind=None, notified_on=date(2024, 11, 2))
    lines = clause_share(scope_of(buyer_id=world.buyer_a.id))
    assert [(line.year, line.contracts, line.with_clause) for line in lines] == [(2023, 2, 1), (2024, 3, 1)]
    assert lines[0].share == Decimal("0.5") and lines[1].share == Decimal(1) / 3


def test_whole_territory_and_period(world, scope_of):
    assert [(line.year, line.contracts) for line in clause_share(scope_of())] == [(2023, 2), (2024, 3)]
    assert [line.year for line in clause_share(scope_of(year=2023))] == [2023]


def test_buyer_without_contracts(world, scope_of):
    from factories import BuyerFactory

    assert clause_share(scope_of(buyer_id=BuyerFactory(territory=world.territory).id)) == []
