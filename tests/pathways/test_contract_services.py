"""Extending a contract, converting it to a CDI, recording an exit: rules, dates, derived
category, audit, permissions, and nothing half-saved."""
from datetime import date

import pytest
import sqlalchemy as sa
from factories import CompanyFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, NotAllowed
from clausematch.pathways import exits, services
from clausematch.pathways.exits import ExitData
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.pathways.services import ConversionData, ExtensionData
from clausematch.vocabulary import ContractType, ExitCategory, ExitDetail


def contracts(db) -> list[EmploymentContract]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(EmploymentContract).order_by(EmploymentContract.id)))


def actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-01-15 10:00", tick=False)


# --- Extension ---------------------------------------------------------------------------------

def test_extension_starts_the_day_after_the_planned_end_by_default(db, personas, cdd):
    new = services.extend_contract(cdd.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas["facilitator"])
    old, new = contracts(db)
    assert (new.previous_contract_id, new.contract_type, new.start_date, new.planned_end_date) == \
        (old.id, ContractType.CDD, date(2026, 1, 1), date(2026, 6, 30))
    assert (new.lot_id, new.company_id, new.employer_id, new.mode, new.weekly_hours, new.candidate_id) == \
        (old.lot_id, old.company_id, old.employer_id, old.mode, old.weekly_hours, old.candidate_id)
    assert new.application_id is None and new.created_by_id == personas["facilitator"].id
    assert old.end_date == date(2025, 12, 31)
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0  # an extension is not an exit
    assert actions(db) == ["employment_contract.extended"]


def test_extension_with_its_own_start_and_hours_ends_the_previous_contract_the_day_before(db, personas, cdd):
    data = ExtensionData(planned_end_date=date(2026, 3, 31), start_date=date(2025, 11, 1), weekly_hours=28)
    services.extend_contract(cdd.id, data, personas["company"])
    old, new = contracts(db)
    assert (old.end_date, new.start_date, new.weekly_hours) == (date(2025, 10, 31), date(2025, 11, 1), 28)


@pytest.mark.parametrize(("data", "field", "message"), [
    (ExtensionData(planned_end_date=None), "planned_end_date", "Indiquez la date de fin prévue"),
    (ExtensionData(planned_end_date=date(2025, 12, 1)), "planned_end_date",
     "La date de fin prévue ne peut pas précéder"),
    (ExtensionData(planned_end_date=date(2025, 12, 31), start_date=date(2025, 6, 1)), "planned_end_date",
     "doit être postérieure à celle du contrat actuel (31/12/2025)"),
    (ExtensionData(planned_end_date=date(2026, 6, 30), start_date=date(2025, 3, 1)), "start_date",
     "doit commencer après le début du contrat actuel (01/03/2025)"),
    (ExtensionData(planned_end_date=date(2026, 6, 30), weekly_hours=50), "weekly_hours", "entre 0 et 48 heures"),
])
def test_extension_refusals_change_nothing(db, personas, cdd, data, field, message):
    with pytest.raises(DomainError) as error:
        services.extend_contract(cdd.id, data, personas["facilitator"])
    assert error.value.field == field and message in error.value.message
    db.session.rollback()
    [only] = contracts(db)
    assert only.end_date is None and actions(db) == []


def test_a_cdi_is_not_extended(db, personas, make_contract):
    cdi = make_contract(contract_type=ContractType.CDI, planned_end_date=None)
    with pytest.raises(DomainError, match="Un CDI n'a pas de terme"):
        services.extend_contract(cdi.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas["facilitator"])


def test_a_contract_is_continued_once(db, personas, cdd):
    services.extend_contract(cdd.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas["facilitator"])
    with pytest.raises(DomainError, match="le contrat n° .* lui fait suite"):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2026, 1, 1)), personas["facilitator"])
    assert len(contracts(db)) == 2


# --- Conversion to CDI -------------------------------------------------------------------------

def test_conversion_creates_a_cdi_and_a_durable_exit_on_the_previous_contract(db, personas, cdd):
    services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2025, 10, 1)), personas["company"])
    old, new = contracts(db)
    assert (new.contract_type, new.start_date, new.planned_end_date, new.previous_contract_id, new.weekly_hours) == \
        (ContractType.CDI, date(2025, 10, 1), None, old.id, 35)
    assert old.end_date == date(2025, 9, 30)
    exit_ = db.session.scalars(sa.select(Exit)).one()
    assert (exit_.contract_id, exit_.exit_date, exit_.detail, exit_.category, exit_.comment, exit_.recorded_by_id) == \
        (old.id, date(2025, 9, 30), ExitDetail.CDI, ExitCategory.DURABLE, "Conversion en CDI", personas["company"].id)
    assert actions(db) == ["exit.recorded", "employment_contract.converted"]
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0  # the daily job creates it


def test_conversion_refuses_a_cdi_and_a_start_before_the_contract(db, personas, cdd, make_contract):
    with pytest.raises(DomainError, match="Indiquez la date de début"):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=None), personas["facilitator"])
    with pytest.raises(DomainError, match="doit commencer après le début"):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2025, 2, 1)), personas["facilitator"])
    cdi = make_contract(contract_type=ContractType.CDI, planned_end_date=None)
    with pytest.raises(DomainError, match="déjà un CDI"):
        services.convert_to_cdi(cdi.id, ConversionData(start_date=date(2026, 1, 1)), personas["facilitator"])


def test_conversion_is_all_or_nothing(db, personas, cdd, monkeypatch):
    """A failure after the new contract was flushed (here: the audit) leaves no CDI, no exit, no end date."""
    def broken(*args, **kwargs):
        raise RuntimeError("panne")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2025, 10, 1)), personas["facilitator"])
    [only] = contracts(db)
    assert only.end_date is None
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0
    assert actions(db) == []


def test_a_concurrent_continuation_is_refused_cleanly(db, personas, cdd, monkeypatch):
    """Someone else extended the contract between our checks and our write: the unique
    previous_contract_id refuses ours, nothing of it is saved, the message is French."""
    services.extend_contract(cdd.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas["facilitator"])
    monkeypatch.setattr(services, "check_open", lambda contract: None)
    with pytest.raises(DomainError, match="vient d'être modifié par quelqu'un d'autre"):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2025, 10, 1)), personas["facilitator"])
    old, new = contracts(db)
    assert (old.end_date, new.contract_type) == (date(2025, 12, 31), ContractType.CDD)
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0


# --- Exit --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("detail", "category"), [
    ("long_cdd", ExitCategory.DURABLE), ("short_interim", ExitCategory.TRANSITION),
    ("training", ExitCategory.POSITIVE), ("pre_qualifying_training", ExitCategory.POSITIVE),
    ("subsidised", ExitCategory.TRANSITION), ("unemployment", ExitCategory.OTHER)])
def test_exit_derives_and_stores_its_category(db, personas, cdd, detail, category):
    exits.record_exit(cdd.id, ExitData(exit_date=date(2025, 12, 31), detail=detail, comment="  Fin normale "),
                      personas["facilitator"])
    db.session.expire_all()
    exit_ = db.session.scalars(sa.select(Exit)).one()
    assert (exit_.detail.value, exit_.category, exit_.comment, exit_.contract.end_date) == \
        (detail, category, "Fin normale", date(2025, 12, 31))
    event = db.session.scalars(sa.select(AuditEvent)).one()
    assert (event.action, event.details["category"]) == ("exit.recorded", category.value)
    assert "Fin normale" not in str(event.details)


@pytest.mark.parametrize(("data", "field", "message"), [
    (ExitData(exit_date=date(2025, 2, 28), detail="cdi"), "exit_date",
     "ne peut pas précéder le début du contrat (01/03/2025)"),
    (ExitData(exit_date=date(2026, 1, 16), detail="cdi"), "exit_date", "ne peut pas être dans le futur"),
    (ExitData(exit_date=None, detail="cdi"), "exit_date", "Indiquez la date de sortie"),
    (ExitData(exit_date=date(2025, 12, 31), detail="promotion"), "detail", "Choisissez la situation"),
    (ExitData(exit_date=date(2025, 12, 31), detail="cdi", comment="x" * 1001), "comment", "1000 caractères"),
])
def test_exit_refusals(db, personas, cdd, data, field, message):
    with pytest.raises(DomainError) as error:
        exits.record_exit(cdd.id, data, personas["facilitator"])
    assert error.value.field == field and message in error.value.message
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 0
    assert contracts(db)[0].end_date is None


def test_exit_on_the_start_day_and_today_are_accepted(db, personas, make_contract):
    first = make_contract(start_date=date(2025, 3, 1))
    exits.record_exit(first.id, ExitData(exit_date=date(2025, 3, 1), detail="unknown"), personas["facilitator"])
    second = make_contract(start_date=date(2025, 6, 1))
    exits.record_exit(second.id, ExitData(exit_date=date(2026, 1, 15), detail="cdi"), personas["facilitator"])
    assert db.session.scalar(sa.select(sa.func.count(Exit.id))) == 2


def test_only_the_last_contract_of_a_hire_and_only_once(db, personas, cdd):
    new = services.extend_contract(cdd.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas["facilitator"])
    with pytest.raises(DomainError, match=f"le contrat n° {new.id} lui fait suite"):
        exits.record_exit(cdd.id, ExitData(exit_date=date(2025, 12, 31), detail="cdi"), personas["facilitator"])
    with pytest.raises(DomainError, match="ne peut pas précéder"):
        exits.record_exit(new.id, ExitData(exit_date=date(2025, 12, 31), detail="cdi"), personas["facilitator"])
    exits.record_exit(new.id, ExitData(exit_date=date(2026, 1, 10), detail="short_cdd"), personas["facilitator"])
    with pytest.raises(DomainError, match="la sortie a été enregistrée au 10/01/2026"):
        exits.record_exit(new.id, ExitData(exit_date=date(2026, 1, 12), detail="cdi"), personas["facilitator"])


# --- Who may -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["prescriber", "buyer", "admin"])
def test_other_roles_may_not_change_contracts(db, personas, cdd, role):
    with pytest.raises(NotAllowed):
        services.extend_contract(cdd.id, ExtensionData(planned_end_date=date(2026, 6, 30)), personas[role])
    with pytest.raises(NotAllowed):
        exits.record_exit(cdd.id, ExitData(exit_date=date(2025, 12, 31), detail="cdi"), personas[role])


def test_the_employer_reads_but_does_not_change_and_other_companies_see_nothing(db, personas, territory, cdd):
    etti = CompanyFactory(territory=territory, name="ETTI du 93")
    cdd.employer_id = etti.id
    etti_user = UserFactory(role=Role.COMPANY, organisation=etti)
    stranger = UserFactory(role=Role.COMPANY, organisation=CompanyFactory(territory=territory))
    db.session.commit()
    from clausematch.pathways.permissions import can_manage_contract, can_view_contract

    assert (can_view_contract(etti_user, cdd), can_manage_contract(etti_user, cdd)) == (True, False)
    assert (can_view_contract(stranger, cdd), can_manage_contract(stranger, cdd)) == (False, False)
    with pytest.raises(NotAllowed):
        services.convert_to_cdi(cdd.id, ConversionData(start_date=date(2025, 10, 1)), etti_user)


def test_a_missing_contract_is_a_domain_error(db, personas):
    with pytest.raises(DomainError, match="n'existe pas"):
        exits.record_exit(999_999, ExitData(exit_date=date(2025, 12, 31), detail="cdi"), personas["facilitator"])
