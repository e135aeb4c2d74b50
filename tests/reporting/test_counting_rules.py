"""The counting rules (pathways/counting.py) recomputed by hand on the world of conftest.py.

Without lump or invoice, lot 1 counts 100 + 50 (training) + 120 (c4's CDI) + 40 (ETTI) = 310 h,
lot 2 300 + 290 = 590 h (c6's GEIQ professionalisation), lot 3 50 h, lot 4 0 h: 950 h in all.
CDI hires: c4 on lot 1 (a CDD converted into a CDI starting June 2025, 120 h worked under it)
and c6 on lot 2 (a CDI starting March 2026 after the GEIQ contract, no hours under it)."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.pathways import invoices
from clausematch.pathways.models import HoursStatus, SubcontractingInvoice
from clausematch.reporting.contract_figures import contract_lots, lot_overview
from clausematch.reporting.homes import company_dashboard, facilitator_dashboard
from clausematch.reporting.queries.hours import hours_report
from clausematch.vocabulary import ContractType, Mode

LOT1_WORKED, LOT1_UNDER_CDI, LOT2_WORKED, LOT3_WORKED = Decimal(310), Decimal(120), Decimal(590), Decimal(50)


def realised(report) -> dict:
    return {line.label: line.realised for line in report.lines}


def test_cdi_lump_replaces_the_hours_worked_under_the_cdi_once_per_person_and_lot(world, scope_of, db):
    lump = 500
    world.territory.cdi_lump_hours = lump
    db.session.commit()
    lot1 = LOT1_WORKED - LOT1_UNDER_CDI + lump
    lot2 = LOT2_WORKED + lump
    report = hours_report(scope_of(), world.territory, "lot")
    assert realised(report)["A1 – lot 1"] == lot1
    assert realised(report)["A1 – lot 2"] == lot2
    assert report.total.realised == lot1 + lot2 + LOT3_WORKED
    # The lump falls in the month each CDI starts: June 2025 (c4), March 2026 (c6).
    years = realised(hours_report(scope_of(), world.territory, "annee"))
    assert years == {"2025": Decimal(660) - LOT1_UNDER_CDI + lump, "2026": Decimal(290) + lump}


def test_a_conversion_chain_credits_the_lump_once(world, scope_of, db):
    from clausematch.pathways.models import EmploymentContract

    world.territory.cdi_lump_hours = 400
    c4 = world.people[3]
    first_cdi = db.session.scalars(sa.select(EmploymentContract).where(
        EmploymentContract.candidate_id == c4.id, EmploymentContract.contract_type == ContractType.CDI)).one()
    world.builder.hire(c4, world.lot1, previous=first_cdi, contract_type=ContractType.CDI, start=date(2026, 1, 1))
    db.session.commit()
    report = hours_report(scope_of(lot_id=world.lot1.id), world.territory)
    assert report.total.realised == LOT1_WORKED - LOT1_UNDER_CDI + 400


def test_a_clause_override_wins_over_the_territory(world, scope_of, db):
    world.territory.cdi_lump_hours = 500
    world.lot1.clause.cdi_lump_hours = 300  # its own lump
    world.lot2.clause.cdi_lump_hours = 0  # explicitly no lump: the hours worked count
    db.session.commit()
    lines = realised(hours_report(scope_of(), world.territory, "lot"))
    assert lines["A1 – lot 1"] == LOT1_WORKED - LOT1_UNDER_CDI + 300
    assert lines["A1 – lot 2"] == LOT2_WORKED


def test_without_any_lump_the_figures_are_the_validated_hours(world, scope_of):
    lines = realised(hours_report(scope_of(), world.territory, "lot"))
    assert lines["A1 – lot 1"] == LOT1_WORKED and lines["A1 – lot 2"] == LOT2_WORKED


def test_a_programme_scope_credits_the_lump_of_its_hires(world, scope_of, db):
    """The programme's people (c4, c5, c6 through offer 1): c4's CDI lump replaces its 120 h."""
    world.territory.cdi_lump_hours = 500
    db.session.commit()
    with_lump = hours_report(scope_of(programme_id=world.programme.id), world.territory).total.realised
    world.territory.cdi_lump_hours = None
    db.session.commit()
    plain = hours_report(scope_of(programme_id=world.programme.id), world.territory).total.realised
    # c6's CDI (lot 2) belongs to the programme too (conversion of its hire through offer 1).
    assert with_lump == plain - LOT1_UNDER_CDI + 500 + 500


def _enter(user, lot, siae, amount="12 000", month="2025-04"):
    return invoices.enter_invoice(user, lot.id, invoices.InvoiceInput(
        siae_id=siae.id, nature="subcontracting", month=month, amount_ht=amount, reference="F-1"))


@pytest.fixture
def siae(world):
    from factories import CompanyFactory

    from clausematch.accounts.models import CompanyKind

    return CompanyFactory(territory=world.territory, name="EI du canal", company_kind=CompanyKind.EI)


def test_an_invoice_is_converted_at_the_clause_hourly_cost_and_counts_once_validated(
        world, scope_of, db, personas, siae):
    cost, amount = Decimal(30), Decimal(12000)
    world.lot1.clause.hourly_cost = cost
    db.session.commit()
    invoice = _enter(personas["company"], world.lot1, siae)
    assert (invoice.hourly_cost, invoice.converted_hours, invoice.status) == (cost, amount / cost,
                                                                             HoursStatus.DECLARED)
    assert invoice.converted_hours == Decimal(400)
    assert hours_report(scope_of(lot_id=world.lot1.id), world.territory).total.realised == LOT1_WORKED

    invoices.validate_invoice(personas["facilitator"], invoice.id)
    report = hours_report(scope_of(), world.territory, "lot")
    assert realised(report)["A1 – lot 1"] == LOT1_WORKED + amount / cost
    modes = realised(hours_report(scope_of(), world.territory, "mode"))
    assert modes[Mode.SUBCONTRACTING_SIAE.label] == amount / cost
    # A programme picks people: an invoice is nobody's hours.
    assert hours_report(scope_of(programme_id=world.programme.id, mode=Mode.SUBCONTRACTING_SIAE),
                        world.territory).total.realised == 0
    # The contract page, the lot page and the home pages read the same figure.
    assert {line.lot.id: line.realised for line in contract_lots(world.a1)}[world.lot1.id] == LOT1_WORKED + 400
    overview = lot_overview(world.lot1, world.territory, with_offers=False, with_people=True)
    assert overview.realised == LOT1_WORKED + 400 and (date(2025, 4, 1) in dict(overview.monthly))
    assert facilitator_dashboard(personas["facilitator"]).realised_hours == report.total.realised
    lots = {row.id: row.realised for row in company_dashboard(personas["company"]).lots.items}
    assert Decimal(str(lots[world.lot1.id])) == LOT1_WORKED + 400


def test_without_clause_cost_the_territory_default_converts(world, db, personas, siae):
    world.lot1.clause.hourly_cost = None
    world.territory.default_hourly_cost = Decimal(25)
    db.session.commit()
    invoice = _enter(personas["facilitator"], world.lot1, siae, amount="1000")
    assert (invoice.hourly_cost, invoice.converted_hours) == (Decimal(25), Decimal(40))


def test_a_rejected_invoice_never_counts(world, scope_of, personas, siae):
    invoice = _enter(personas["company"], world.lot1, siae)
    invoices.reject_invoice(personas["facilitator"], invoice.id, "Facture illisible")
    assert hours_report(scope_of(lot_id=world.lot1.id), world.territory).total.realised == LOT1_WORKED
    with pytest.raises(DomainError, match="déjà été refusée"):
        invoices.validate_invoice(personas["facilitator"], invoice.id)


def test_invoice_permissions(world, personas, siae, db):
    # The persona company is not the titulaire of lot 2; a prescriber enters nothing.
    with pytest.raises(NotAllowed):
        _enter(personas["company"], world.lot2, siae)
    with pytest.raises(NotAllowed):
        _enter(personas["prescriber"], world.lot1, siae)
    invoice = _enter(personas["company"], world.lot1, siae)
    with pytest.raises(NotAllowed):
        invoices.validate_invoice(personas["company"], invoice.id)
    db.session.rollback()
    assert db.session.get(SubcontractingInvoice, invoice.id).status == HoursStatus.DECLARED


def test_invoice_refusals_are_gathered(world, personas):
    with pytest.raises(FieldErrors) as refused:
        invoices.check_invoice(personas["company"], world.lot1, invoices.InvoiceInput(
            siae_id=None, nature="", month="2099-01", amount_ht="-5"))
    assert {error.field for error in refused.value.errors} == {"siae", "nature", "mois", "montant"}


def test_staff_provision_is_credited_to_the_client_company_never_the_structure(world, scope_of):
    """c6 works for lot 2's titulaire through a GEIQ (employer): its 590 h go to the titulaire."""
    lines = realised(hours_report(scope_of(), world.territory, "entreprise"))
    assert lines["Titulaire du lot 2"] == LOT2_WORKED + LOT3_WORKED
    assert "GEIQ test" not in lines


def test_the_alerts_follow_the_credited_hours(world, scope_of, db, personas, siae):
    """Lot 2 of 500 h, from January 2025 to December 2026: on 1 January 2026 half the time has
    gone; 10 h realised (the GEIQ hours rejected here) is late; a validated invoice of 300 h is
    not (310 h ≥ 500 × (0.5 − 0.2) = 150 h)."""
    from clausematch.pathways.models import HoursEntry
    from clausematch.reporting.queries.warnings import lagging_lots

    db.session.execute(sa.update(HoursEntry).where(HoursEntry.lot_id == world.lot2.id)
                       .values(status=HoursStatus.REJECTED))
    db.session.commit()
    on = date(2026, 1, 1)
    assert world.lot2.id in {lot.lot_id for lot in lagging_lots(scope_of(), world.territory, on=on).lots}
    amount = 300 * invoices.hourly_cost_of(world.lot2)
    invoice = _enter(personas["facilitator"], world.lot2, siae, amount=str(amount))
    invoices.validate_invoice(personas["facilitator"], invoice.id)
    assert world.lot2.id not in {lot.lot_id for lot in lagging_lots(scope_of(), world.territory, on=on).lots}


def test_the_bilan_states_its_basis(world, db, personas, siae):
    from clausematch.reporting.bilans import contract_bilan

    world.territory.cdi_lump_hours, world.territory.count_training_hours = 450, False
    world.lot2.clause.cdi_lump_hours = 0
    world.lot1.clause.hourly_cost = Decimal(30)
    db.session.commit()
    invoices.validate_invoice(personas["facilitator"], _enter(personas["company"], world.lot1, siae).id)
    basis = " ".join(contract_bilan(personas["facilitator"], world.a1, 2025).basis)
    assert "heures de formation ne sont pas comptées" in basis
    assert "forfait de 450 heures" in basis and "A1 lot 2 (aucun forfait)" in basis
    assert "1 facture validée pour 12\u202f000,00 € HT converties en 400,00 h au coût horaire de 30,00 €" in basis
    assert "titulaire du lot qui les accueille" in basis
    assert world.territory.exit_convention.label in basis
