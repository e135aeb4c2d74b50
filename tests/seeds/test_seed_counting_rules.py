"""The demo's counting-rules section (seeds/demo/counting_rules.py), read from the raw tables: a
cleaning contract of the EPT whose clause credits its own CDI lump, two CDI hires on it, and two
SIAE invoices — one validated, one waiting in the facilitators' queue — whose converted hours
are recomputed here; the lot's credited hours are then recomputed by hand."""
from decimal import Decimal

from seed_queries import as_date, rows, value

from clausematch.accounts.models import Territory
from clausematch.contracts.models import Lot
from clausematch.database import add_months, today
from clausematch.extensions import db
from clausematch.reporting.contract_figures import lot_overview

LOT = """(SELECT l.id FROM lots l JOIN contracts c ON c.id = l.contract_id JOIN clauses cl ON cl.lot_id = l.id
          WHERE cl.cdi_lump_hours IS NOT NULL)"""


def test_one_clause_overrides_the_lump_on_a_services_contract_of_the_ept(seeded):
    clauses = rows("""SELECT cl.cdi_lump_hours, cl.hourly_cost, c.sector, o.name, t.cdi_lump_hours
                      FROM clauses cl JOIN lots l ON l.id = cl.lot_id JOIN contracts c ON c.id = l.contract_id
                      JOIN organisations o ON o.id = c.buyer_id JOIN territories t ON t.id = c.territory_id
                      WHERE cl.cdi_lump_hours IS NOT NULL""")
    assert [(Decimal(str(lump)), Decimal(str(cost)), sector, buyer, territory_lump)
            for lump, cost, sector, buyer, territory_lump in clauses] == [
        (Decimal(700), Decimal(25), "services", "EPT Plaine Commune", None)]


def test_two_cdi_hires_and_two_invoices_one_waiting(seeded):
    hires = rows(f"SELECT contract_type, mode, end_date FROM employment_contracts WHERE lot_id = {LOT}")
    assert hires == [("cdi", "direct", None)] * 2
    invoices = rows(f"""SELECT i.month, i.amount_ht, i.hourly_cost, i.converted_hours, i.status, s.company_kind,
                               i.validated_by_id IS NOT NULL
                        FROM subcontracting_invoices i JOIN organisations s ON s.id = i.siae_id
                        WHERE i.lot_id = {LOT} ORDER BY i.month""")
    last = add_months(today().replace(day=1), -1)
    assert [(as_date(month), status, kind, bool(checked)) for month, _, _, _, status, kind, checked in invoices] == [
        (add_months(last, -3), "validated", "regie", True), (last, "declared", "regie", False)]
    for _, amount, cost, hours, *_ in invoices:
        assert Decimal(str(hours)) == (Decimal(str(amount)) / Decimal(str(cost))).quantize(Decimal("0.01"))
    assert value("SELECT COUNT(*) FROM subcontracting_invoices") == 2


def test_the_lot_credits_two_lumps_and_the_validated_invoice_only(seeded):
    lot = db.session.get(Lot, value(f"SELECT {LOT}"))
    territory = db.session.get(Territory, lot.contract.territory_id)
    validated = Decimal(str(value(f"SELECT converted_hours FROM subcontracting_invoices WHERE lot_id = {LOT} "
                                  "AND status = 'validated'")))
    worked = Decimal(str(value(f"SELECT SUM(hours) FROM hours_entries WHERE lot_id = {LOT} AND status = 'validated'")))
    assert worked > 0  # worked under the CDIs: replaced by the lumps, never added to them
    assert lot_overview(lot, territory, False, False).realised == 2 * 700 + validated == Decimal(1640)
