"""`flask hours totals-check` names the totals that differ from the entries (exit code 1) and
`flask hours totals-rebuild` repairs them."""

import sqlalchemy as sa
from hours_support import MARCH, entry

from clausematch.pathways import hours_totals
from clausematch.pathways.hours_totals import LotMonthHours


def test_check_passes_then_names_a_wrong_total_and_rebuild_repairs_it(db, runner, lot, hire):
    awa = hire(lot)
    entry(awa, hours="10")
    db.session.commit()
    result = runner.invoke(args=["hours", "totals-check"])
    assert result.exit_code == 0, result.output
    assert "correspondent aux relevés" in result.output

    db.session.execute(sa.update(LotMonthHours).where(LotMonthHours.month == MARCH).values(hours=99, entries=3))
    db.session.commit()
    result = runner.invoke(args=["hours", "totals-check"])
    assert result.exit_code == 1
    assert f"lot n° {lot.id}, 03/2025, heures travaillées, déclarées, embauche directe" in result.output
    assert "relevés 1 relevé(s), 10.00 h, total 3 relevé(s), 99.00 h" in result.output

    result = runner.invoke(args=["hours", "totals-rebuild"])
    assert result.exit_code == 0, result.output
    assert "1 ligne(s)" in result.output
    assert hours_totals.mismatches() == []
    assert runner.invoke(args=["hours", "totals-check"]).exit_code == 0
