"""Early warning on the hand-computed world, on 1 June 2026: lots 1 to 3 run from 1 January 2025
to 31 December 2026 (729 days), 516 days elapsed. Lot 1: 310 h of 1 000 (31 %) — flagged;
lot 2: 118 % — not; lot 3: 50 h of 200 (25 %) — flagged; lot 4 has ended — not listed."""
import html
from datetime import date
from decimal import Decimal

import time_machine

from clausematch.reporting.queries.warnings import lagging_lots

ON = date(2026, 6, 1)
ELAPSED = 516 / 729


def test_lagging_lots_with_the_gap_in_hours(world, scope_of):
    warnings = lagging_lots(scope_of(), world.territory, on=ON)
    assert [(lot.reference, lot.number) for lot in warnings.lots] == [("A1", 1), ("B1", 1)]
    first, second = warnings.lots
    assert abs(float(first.gap) - (1000 * ELAPSED - 310)) < 0.01
    assert abs(float(second.gap) - (200 * ELAPSED - 50)) < 0.01
    assert abs(float(first.elapsed) - ELAPSED) < 0.0001 and first.realised_share == Decimal("0.31")


def test_tolerance_decides(world, scope_of):
    """At 70.8 % of the time, lot 1 (31 %) is flagged below a 39.8-point tolerance, lot 3
    (25 %) below 45.8 points."""
    assert len(lagging_lots(scope_of(), world.territory, on=ON, tolerance=Decimal("0.39")).lots) == 2
    assert [lot.reference for lot in lagging_lots(scope_of(), world.territory, on=ON,
                                                   tolerance=Decimal("0.40")).lots] == ["B1"]
    assert lagging_lots(scope_of(), world.territory, on=ON, tolerance=Decimal("0.46")).lots == []


def test_not_started_or_ended_lots_are_not_flagged(world, scope_of):
    assert lagging_lots(scope_of(), world.territory, on=date(2024, 12, 1)).lots == []
    assert lagging_lots(scope_of(), world.territory, on=date(2027, 1, 15)).lots == []


def test_limit_keeps_the_total(world, scope_of):
    warnings = lagging_lots(scope_of(), world.territory, on=ON, limit=1)
    assert len(warnings.lots) == 1 and warnings.total == 2


def test_facilitator_home_lists_the_lagging_lots(world, client, login_as):
    with time_machine.travel(date(2026, 6, 1), tick=False):
        login_as("facilitator")
        page = client.get("/facilitateur").get_data(as_text=True)
    assert "Alertes : lots en retard sur leur objectif d'heures" in page
    assert "2 lots en cours" in page
    assert f"/lots/{world.lot1.id}" in page
    text = html.unescape(page)
    assert "31\u00a0% de l'objectif réalisé" in text and "398\u00a0h de retard" in text
