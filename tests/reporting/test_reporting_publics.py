"""Publics reached on the hand-computed world: participants c4 (woman, 25 at hire, QPV, RSA,
local, 270 h), c5 (man, 26 at hire to the day, RQTH validated, local, 40 h), c6 (woman, 50 at
hire to the day, RQTH only declared, 590 h), c7 (man, 49, QPV, 50 h). Total 950 h."""
from decimal import Decimal

import pytest

from clausematch.reporting.queries.publics import publics_report
from clausematch.vocabulary import Mode


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


# --- The CDI lump (pathways/counting.py) applies to each person's hours --------------------------
# With a lump of 500 h: c4's 120 h worked under her CDI on lot 1 (June 2025) give way to 500 h, so
# 100 + 50 + 500 = 650 h; c6 worked no hour under her CDI on lot 2 (March 2026): 590 + 500 = 1 090 h;
# c5 40 h and c7 50 h unchanged. Total 650 + 1 090 + 40 + 50 = 1 830 h.

def _with_lump(world, db, hours=500):
    world.territory.cdi_lump_hours = hours
    db.session.commit()


def test_a_cdi_lump_replaces_the_hours_worked_under_the_cdi(world, scope_of, db):
    _with_lump(world, db)
    report = publics_report(scope_of(), world.territory)
    assert report.participants == 4 and report.hours == Decimal(1830)
    hours = {line.key: line.hours for line in report.lines}
    assert hours == {"women": Decimal(650 + 1090), "under_26": Decimal(650), "over_50": Decimal(1090),
                     "qpv": Decimal(650 + 50), "rqth": Decimal(40), "rsa": Decimal(650), "local": Decimal(650 + 40)}


def test_a_clause_without_lump_keeps_the_hours_worked(world, scope_of, db):
    _with_lump(world, db)
    world.lot2.clause.cdi_lump_hours = 0  # lot 2 opts out: c6 keeps her 590 h
    db.session.commit()
    assert publics_report(scope_of(), world.territory).line("over_50").hours == Decimal(590)
    assert publics_report(scope_of(), world.territory).hours == Decimal(650 + 590 + 40 + 50)


@pytest.mark.parametrize("filters", [{}, {"year": 2025}, {"year": 2026}, {"programme": True}, {"lot": 1},
                                     {"mode": Mode.DIRECT}])
def test_the_people_hours_are_the_hours_report_hours_for_the_same_scope(world, scope_of, db, personas, filters):
    """Without invoice, the publics' hours and the hours report agree on every scope; a validated
    SIAE invoice adds to the hours report only (it is nobody's hours)."""
    from factories import CompanyFactory

    from clausematch.accounts.models import CompanyKind
    from clausematch.pathways import invoices
    from clausematch.reporting.queries.hours import hours_report

    _with_lump(world, db)
    filters = dict(filters)
    if filters.pop("programme", False):
        filters["programme_id"] = world.programme.id
    if filters.pop("lot", False):
        filters["lot_id"] = world.lot1.id
    scope = scope_of(**filters)
    people_hours = publics_report(scope, world.territory).hours
    assert people_hours == hours_report(scope, world.territory).total.realised

    siae = CompanyFactory(territory=world.territory, company_kind=CompanyKind.ACI)
    invoice = invoices.enter_invoice(personas["facilitator"], world.lot1.id, invoices.InvoiceInput(
        siae_id=siae.id, nature="co_contracting", month="2025-04", amount_ht="3 000"))
    invoices.validate_invoice(personas["facilitator"], invoice.id)
    # Not counted for a programme (people), in 2026 (invoiced for April 2025) or in direct hire (its mode is SIAE).
    outside = "programme_id" in filters or filters.get("year") == 2026 or "mode" in filters
    counted = 0 if outside else invoice.converted_hours
    assert counted in (0, Decimal(100))
    assert publics_report(scope, world.territory).hours == people_hours
    assert hours_report(scope, world.territory).total.realised == people_hours + counted
