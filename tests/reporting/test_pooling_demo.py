"""The demo's pooling story (seeds/demo/pooling.py): the demo company's lot most behind is pooled
with its lot most ahead, the territory applies pooling, and each is judged on the pool's rate —
between their own rates — while the totals and the story figures stay as they were."""
import pytest
import sqlalchemy as sa

from clausematch.accounts.models import Company, Territory
from clausematch.contracts.models import Contract, HoursPool, HoursPoolLot, Lot
from clausematch.extensions import db
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.hours import hours_report


@pytest.fixture(scope="module")
def demo(seeded):
    return db.session.scalars(sa.select(Territory)).one()


def test_the_demo_company_has_a_pool_of_a_lot_behind_and_a_lot_ahead(demo):
    pool = db.session.scalars(sa.select(HoursPool)).one()
    assert demo.globalise_across_lots
    assert db.session.get(Company, pool.company_id).name == "Constructions du Landy"
    lot_ids = set(db.session.scalars(sa.select(HoursPoolLot.lot_id).where(HoursPoolLot.pool_id == pool.id)))
    assert len(lot_ids) == 2
    report = hours_report(Scope(territory_id=demo.id), demo, "lot")
    lines = [line for line in report.lines if line.key in lot_ids]
    assert len(lines) == 2
    behind, ahead = sorted(lines, key=lambda line: line.rate)
    assert behind.rate < behind.pool_rate == ahead.pool_rate < ahead.rate
    pooled = sum(line.realised for line in lines) / sum(line.objective for line in lines)
    assert abs(behind.pool_rate - pooled) < 0.0001
    assert "mutualisé avec les lots" in behind.pool_text
    # Totals add each lot's own hours: the same with the setting off.
    demo.globalise_across_lots = False
    try:
        plain = hours_report(Scope(territory_id=demo.id), demo, "lot")
        assert plain.total.realised == report.total.realised and plain.total.objective == report.total.objective
    finally:
        db.session.rollback()
    references = set(db.session.scalars(sa.select(Contract.reference).join(Lot).where(Lot.id.in_(lot_ids))))
    assert "SOLIDEO-2021-VDA-D" not in references
