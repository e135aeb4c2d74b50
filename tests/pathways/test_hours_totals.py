"""The running totals of hours per lot and month (clausematch/pathways/hours_totals.py) follow
every write of the entries — services, bulk statements, deletions — through database triggers,
on SQLite and PostgreSQL; rebuild() repairs them; parallel writers never lose an increment."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hours_support import MARCH, T, W, cell, entry

from clausematch.pathways import hours_totals
from clausematch.pathways import hours_validation as validation
from clausematch.pathways.hours import save_grid
from clausematch.pathways.hours_totals import LotMonthHours
from clausematch.pathways.models import HoursEntry, HoursStatus

D, V, R = HoursStatus.DECLARED, HoursStatus.VALIDATED, HoursStatus.REJECTED
APRIL = date(2025, 4, 1)


def totals(db, lot) -> dict[tuple, tuple]:
    """{(month, kind, status): (entries, hours)} of the lot's non-empty totals."""
    db.session.expire_all()
    return {(t.month, t.kind, t.status): (t.entries, t.hours) for t in db.session.scalars(
        sa.select(LotMonthHours).where(LotMonthHours.lot_id == lot.id, LotMonthHours.entries != 0))}


def test_totals_follow_declaration_validation_rejection_and_correction(db, personas, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "151,67", cell(awa, T): "7", cell(binta): "80"})
    save_grid(personas["company"], lot.id, APRIL, {cell(awa): "140"})
    assert totals(db, lot) == {(MARCH, W, D): (2, Decimal("231.67")), (MARCH, T, D): (1, Decimal("7.00")),
                               (APRIL, W, D): (1, Decimal("140.00"))}

    validation.validate_lot_month(personas["facilitator"], lot.id, MARCH)  # one bulk UPDATE
    assert totals(db, lot) == {(MARCH, W, V): (2, Decimal("231.67")), (MARCH, T, V): (1, Decimal("7.00")),
                               (APRIL, W, D): (1, Decimal("140.00"))}

    april = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.month == APRIL))
    validation.reject_entry(personas["facilitator"], april.id, "Contrat suspendu")
    assert totals(db, lot)[APRIL, W, R] == (1, Decimal("140.00"))
    save_grid(personas["company"], lot.id, APRIL, {cell(awa): "120"})  # declared again, corrected
    assert totals(db, lot)[APRIL, W, D] == (1, Decimal("120.00")) and (APRIL, W, R) not in totals(db, lot)

    march = db.session.scalar(sa.select(HoursEntry).where(HoursEntry.contract_id == binta.id))
    validation.correct_entry(personas["facilitator"], march.id, "75,5", "Relevé de l'ETTI")
    assert totals(db, lot)[MARCH, W, V] == (2, Decimal("227.17"))
    assert hours_totals.mismatches() == []


def test_totals_follow_deletions_and_raw_statements(db, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    first, second = entry(awa, hours="10"), entry(binta, hours="20.5", status=V)
    db.session.commit()
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.id == first.id).values(month=APRIL, hours=12))
    db.session.execute(sa.update(HoursEntry).where(HoursEntry.id == second.id).values(validated_at=None))  # no key
    db.session.commit()
    assert totals(db, lot) == {(APRIL, W, D): (1, Decimal("12.00")), (MARCH, W, V): (1, Decimal("20.50"))}
    db.session.execute(sa.delete(HoursEntry).where(HoursEntry.id == second.id))
    db.session.commit()
    assert totals(db, lot) == {(APRIL, W, D): (1, Decimal("12.00"))}
    db.session.rollback()
    assert hours_totals.mismatches() == []


def test_a_rolled_back_write_leaves_the_totals_as_they_were(db, lot, hire):
    awa = hire(lot)
    entry(awa, hours="10")
    db.session.commit()
    db.session.execute(sa.update(HoursEntry).values(status=V))
    db.session.rollback()
    assert totals(db, lot) == {(MARCH, W, D): (1, Decimal("10.00"))}


def test_rebuild_repairs_totals_and_mismatches_names_what_differs(db, lot, hire):
    awa = hire(lot)
    entry(awa, hours="10")
    entry(awa, month=APRIL, hours="5", status=V)
    db.session.commit()
    db.session.execute(sa.update(LotMonthHours).where(LotMonthHours.month == MARCH).values(hours=99, entries=3))
    db.session.execute(sa.delete(LotMonthHours).where(LotMonthHours.month == APRIL))
    wrong = hours_totals.mismatches()
    assert sorted((key[1], expected, kept) for key, expected, kept in wrong) == [
        (MARCH, (1, Decimal("10.00")), (3, Decimal("99.00"))), (APRIL, (1, Decimal("5.00")), None)]
    assert hours_totals.rebuild() == 2
    db.session.commit()
    assert hours_totals.mismatches() == []
    assert totals(db, lot) == {(MARCH, W, D): (1, Decimal("10.00")), (APRIL, W, V): (1, Decimal("5.00"))}


@pytest.mark.postgres
def test_parallel_writers_on_the_same_total_lose_no_increment(app, db, lot, hire):
    """Four transactions insert entries of the same lot-month at once: the first INSERT of a
    total races with the others (ON CONFLICT), then each adds under the total's row lock."""
    from concurrency import failures, race

    from clausematch.extensions import db as _db
    from clausematch.pathways.models import EmploymentContract

    contracts = [hire(lot, first_name=f"P{index}") for index in range(4)]
    ids = [contract.id for contract in contracts]
    db.session.commit()

    def declare(contract_id, hours):
        def run():
            contract = _db.session.get(EmploymentContract, contract_id)
            _db.session.add(HoursEntry(contract_id=contract.id, candidate_id=contract.candidate_id,
                                       lot_id=contract.lot_id, company_id=contract.company_id, mode=contract.mode,
                                       month=MARCH, hours=Decimal(hours)))
            _db.session.commit()
        return run

    outcomes = race([app] * 4, [declare(contract_id, f"{10 + index}.25") for index, contract_id in enumerate(ids)])
    assert failures(outcomes) == [] and not any(isinstance(o, Exception) for o in outcomes)
    assert totals(db, lot) == {(MARCH, W, D): (4, Decimal("47.00"))}
    assert hours_totals.mismatches() == []
