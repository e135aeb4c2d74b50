"""The funnel against the hand-computed world (tests/reporting/conftest.py):
programme — 6 oriented → 5 validated → 4 shortlisted → 4 interviewed → 3 hired → 2 CDI → 1 in work."""
from datetime import date
from decimal import Decimal

from clausematch.reporting.queries.funnel import funnel


def counts(result):
    return [step.count for step in result.steps]


def test_programme_funnel_counts_each_person_at_the_furthest_step(world, scope_of):
    result = funnel(scope_of(programme_id=world.programme.id))
    assert counts(result) == [6, 5, 4, 4, 3, 2, 1]
    assert [step.count for step in result.main_steps] == [6, 5, 3, 2, 1]


def test_rates_are_step_to_step_and_share_of_oriented(world, scope_of):
    steps = funnel(scope_of(programme_id=world.programme.id)).steps
    assert steps[0].rate is None
    assert steps[1].rate == Decimal(5) / 6
    assert steps[5].rate == Decimal(2) / 3  # 2 CDI of 3 hired
    assert steps[6].share_of_oriented == Decimal(1) / 6


def test_conversion_to_cdi_follows_the_previous_contract(world, scope_of):
    """c4's and c6's CDI carry no application: they are found through previous_contract_id."""
    assert funnel(scope_of(programme_id=world.programme.id)).count("cdi") == 2


def test_in_work_reads_the_first_follow_up_only(world, scope_of):
    """c6 was out of work at the first follow-up and in work at a later one: not counted."""
    assert funnel(scope_of(programme_id=world.programme.id)).count("in_work") == 1


def test_a_person_oriented_twice_counts_once(world, scope_of):
    """c4 has applications on both offers of the territory."""
    result = funnel(scope_of())
    assert result.oriented == 6 and result.count("hired") == 3


def test_scopes_by_offer_lot_contract_buyer_and_period(world, scope_of):
    assert counts(funnel(scope_of(offer_id=world.offer2.id))) == [1, 0, 0, 0, 0, 0, 0]
    assert funnel(scope_of(lot_id=world.lot2.id)).oriented == 1
    assert funnel(scope_of(contract_id=world.a1.id)).oriented == 6
    assert funnel(scope_of(buyer_id=world.buyer_b.id)).oriented == 0
    # Orientations of 2026 only: c4's second application.
    assert funnel(scope_of(date_from=date(2026, 1, 1))).oriented == 1
    assert funnel(scope_of(year=2025)).oriented == 6


def test_empty_scope_has_zeros_and_no_rates(world, scope_of):
    result = funnel(scope_of(programme_id=world.programme.id, year=2020))
    assert counts(result) == [0] * 7
    assert all(step.rate is None for step in result.steps[1:]) and result.steps[0].share_of_oriented is None


def test_another_territory_sees_nothing(world):
    from factories import TerritoryFactory

    from clausematch.reporting.filters import Scope

    other = TerritoryFactory()
    assert funnel(Scope(territory_id=other.id, programme_id=world.programme.id)).oriented == 0
