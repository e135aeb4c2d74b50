"""Publics reached on the hand-computed world: participants c4 (woman, 25 at hire, QPV, RSA,
local, 270 h), c5 (man, 26 at hire to the day, RQTH validated, local, 40 h), c6 (woman, 50 at
hire to the day, RQTH only declared, 590 h), c7 (man, 49, QPV, 50 h). Total 950 h."""
from decimal import Decimal

from clausematch.reporting.queries.publics import publics_report


def test_shares_among_participants(world, scope_of):
    report = publics_report(scope_of(), world.territory)
    assert report.participants == 4 and report.hours == Decimal(950)
    people = {line.key: line.people for line in report.lines}
    assert people == {"women": 2, "under_26": 1, "over_50": 1, "qpv": 2, "rqth": 1, "rsa": 1, "local": 2}
    assert report.line("women").share == Decimal("0.5")


def test_shares_weighted_by_hours(world, scope_of):
    report = publics_report(scope_of(), world.territory)
    hours = {line.key: line.hours for line in report.lines}
    assert hours == {"women": Decimal(860), "under_26": Decimal(270), "over_50": Decimal(590),
                     "qpv": Decimal(320), "rqth": Decimal(40), "rsa": Decimal(270), "local": Decimal(310)}
    assert report.line("over_50").hours_share == Decimal(590) / Decimal(950)


def test_targets_come_from_the_territory_settings(world, scope_of):
    report = publics_report(scope_of(), world.territory)
    assert report.line("women").target == Decimal("0.20") and report.line("local").target == Decimal("0.50")
    assert report.line("rqth").target is None and report.line("rsa").target is None


def test_scoped_to_a_buyer_and_a_programme(world, scope_of):
    assert publics_report(scope_of(buyer_id=world.buyer_b.id), world.territory).participants == 1
    programme = publics_report(scope_of(programme_id=world.programme.id), world.territory)
    assert programme.participants == 3 and programme.hours == Decimal(900)


def test_empty_scope_divides_by_nothing(world, scope_of):
    report = publics_report(scope_of(year=2020), world.territory)
    assert report.participants == 0
    assert all(line.share is None and line.hours_share is None for line in report.lines)
