"""Hours validation, exits, contract extensions and follow-ups sent twice, or by two people at the
same moment: one is recorded, the other is told in French what happened, never a 500. Parallel
tests run on PostgreSQL (tests/concurrency.py); sequential double submits on both databases."""
from datetime import date

import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race
from factories import ExitFactory, FollowUpFactory
from hours_support import MARCH, cell

from clausematch.accounts.models import User
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError
from clausematch.extensions import db as _db
from clausematch.notifications import Notification
from clausematch.pathways import hours_validation as validation
from clausematch.pathways import services
from clausematch.pathways.exits import ExitData, record_exit
from clausematch.pathways.follow_ups import FollowUpData, record_follow_up
from clausematch.pathways.hours import save_grid
from clausematch.pathways.models import EmploymentContract, Exit, HoursEntry, HoursRevision, HoursStatus
from clausematch.pathways.services import ExtensionData


def count(db, model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def as_user(user_id: int, action):
    return lambda: action(_db.session.get(User, user_id))


@pytest.fixture
def declared(db, personas, lot, hire):
    awa, binta = hire(lot), hire(lot, first_name="Binta", last_name="Traoré")
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "151,67", cell(binta): "80"})
    return lot.id


@pytest.mark.postgres
def test_hours_validated_twice_at_once_are_validated_once(app, db, personas, declared):
    facilitator = personas["facilitator"].id
    validate = as_user(facilitator, lambda user: validation.validate_lot_month(user, declared, MARCH))

    outcomes = race([app] * 3, [validate] * 3)

    assert failures(outcomes) == []
    assert sorted(o for o in outcomes if isinstance(o, int)) == [2]
    assert [m.split(" le ")[0] for m in messages(outcomes)] == [
        f"Ces heures ont déjà été validées par {personas['facilitator'].full_name}"] * 2
    assert count(db, HoursRevision, HoursRevision.comment == validation.REVISION_VALIDATED) == 2
    assert count(db, AuditEvent, AuditEvent.action == "hours.validated") == 1


@pytest.mark.postgres
def test_hours_validated_and_rejected_at_once_end_one_way(app, db, personas, declared):
    facilitator = personas["facilitator"].id
    outcomes = race([app, app], [
        as_user(facilitator, lambda user: validation.validate_lot_month(user, declared, MARCH)),
        as_user(facilitator, lambda user: validation.reject_lot_month(user, declared, MARCH, "Chantier B"))])

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    statuses = set(db.session.scalars(sa.select(HoursEntry.status)))
    assert statuses in ({HoursStatus.VALIDATED}, {HoursStatus.REJECTED})
    assert refused.startswith("Ces heures ont déjà été " + ("validées" if HoursStatus.VALIDATED in statuses
                                                            else "refusées"))
    assert count(db, HoursRevision) == 2 + 2  # the declarations, then one decision each
    assert count(db, Notification) == (1 if HoursStatus.REJECTED in statuses else 0)


@pytest.mark.postgres
def test_a_declaration_racing_the_validation_of_its_month_ends_one_consistent_way(app, db, personas, lot, hire):
    """The company changes hours the facilitator is validating: either the change lands first and
    is what gets validated, or the validation lands first and the change is refused in French —
    never validated figures changed afterwards."""
    awa = hire(lot)
    save_grid(personas["company"], lot.id, MARCH, {cell(awa): "100"})
    lot_id, cells = lot.id, {cell(awa): "110"}
    outcomes = race([app, app], [
        as_user(personas["company"].id, lambda user: save_grid(user, lot_id, MARCH, cells)),
        as_user(personas["facilitator"].id, lambda user: validation.validate_lot_month(user, lot_id, MARCH))])

    assert failures(outcomes) == []
    saved = db.session.scalar(sa.select(HoursEntry))
    db.session.refresh(saved)
    comments = list(db.session.scalars(sa.select(HoursRevision.comment).order_by(HoursRevision.id)))
    assert saved.status == HoursStatus.VALIDATED
    if isinstance(outcomes[0], Exception):  # the validation first: the change is refused
        assert outcomes[1] == 1 and saved.hours == 100
        assert "Ces heures ont été validées (100 h)" in outcomes[0].errors[cell(awa)]
        assert comments == ["Déclaration", validation.REVISION_VALIDATED]
    else:  # the change first: the validation waited, then validated the new value
        assert outcomes[0].changed == 1 and outcomes[1] == 1 and saved.hours == 110
        assert comments == ["Déclaration", "Modification avant validation", validation.REVISION_VALIDATED]


@pytest.mark.postgres
def test_the_same_first_declaration_sent_twice_at_once_is_saved_once(app, db, personas, lot, hire):
    awa = hire(lot)
    lot_id, cells = lot.id, {cell(awa): "151,67"}
    declare = as_user(personas["company"].id, lambda user: save_grid(user, lot_id, MARCH, cells))

    outcomes = race([app] * 3, [declare] * 3)

    assert failures(outcomes) == []  # without the lock, the second insert was an IntegrityError: a 500
    assert sorted((o.created, o.unchanged) for o in outcomes) == [(0, 1), (0, 1), (1, 0)]
    assert count(db, HoursEntry) == 1 and count(db, HoursRevision) == 1
    assert count(db, AuditEvent, AuditEvent.action == "hours.declared") == 1


def test_a_second_validation_names_who_validated_and_when(db, personas, declared):
    validation.validate_lot_month(personas["facilitator"], declared, MARCH)
    validated_at = db.session.scalar(sa.select(sa.func.max(HoursRevision.occurred_at)))
    with pytest.raises(DomainError) as refused:
        validation.validate_lot_month(personas["facilitator"], declared, MARCH)
    assert refused.value.message == (f"Ces heures ont déjà été validées par {personas['facilitator'].full_name} le "
                                     f"{validated_at:%d/%m/%Y %H:%M} : la page n'était plus à jour, rien n'a été "
                                     "enregistré.")


@pytest.mark.postgres
def test_an_exit_recorded_twice_at_once_is_recorded_once(app, db, personas, cdd, time_machine):
    time_machine.move_to("2026-01-15 10:00", tick=False)
    contract_id, facilitator = cdd.id, personas["facilitator"].id
    data = ExitData(exit_date=date(2025, 12, 31), detail="cdi")
    outcomes = race([app] * 3, [as_user(facilitator, lambda user: record_exit(contract_id, data, user))] * 3,
                    before=[lambda: _db.session.get(EmploymentContract, contract_id).exit] * 3)

    assert failures(outcomes) == []
    assert messages(outcomes) == ["Ce contrat est terminé : la sortie a été enregistrée au 31/12/2025."] * 2
    assert count(db, Exit) == 1 and count(db, AuditEvent, AuditEvent.action == "exit.recorded") == 1


@pytest.mark.postgres
def test_an_extension_sent_twice_at_once_makes_one_contract(app, db, personas, cdd, time_machine):
    time_machine.move_to("2026-01-15 10:00", tick=False)
    contract_id, facilitator = cdd.id, personas["facilitator"].id
    extend = as_user(facilitator, lambda user: services.extend_contract(
        contract_id, ExtensionData(planned_end_date=date(2026, 6, 30)), user))

    outcomes = race([app, app], [extend, extend], before=[lambda: _db.session.get(EmploymentContract, contract_id)] * 2)

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    assert refused.startswith("Ce contrat a déjà été prolongé ou converti : le contrat n° ")
    assert count(db, EmploymentContract) == 2


def test_the_same_follow_up_sent_twice_is_recorded_once(db, personas, cdd, time_machine):
    time_machine.move_to("2026-04-10 10:00", tick=False)
    follow_up = FollowUpFactory(exit=ExitFactory(contract=cdd, exit_date=date(2025, 9, 1)), due_on=date(2026, 3, 1))
    db.session.commit()
    data = FollowUpData(date(2026, 3, 3), True, "cdi", "Joint par téléphone")

    record_follow_up(follow_up.id, data, personas["facilitator"])
    with pytest.raises(DomainError, match=r"^Ce suivi a déjà été enregistré avec ces mêmes informations \(suivi du "
                                          r"03/03/2026\) : rien n'a été modifié.$"):
        record_follow_up(follow_up.id, data, personas["facilitator"])

    assert count(db, AuditEvent, AuditEvent.action == "follow_up.recorded") == 1
    record_follow_up(follow_up.id, FollowUpData(date(2026, 3, 4), False, None), personas["facilitator"])
    assert count(db, AuditEvent, AuditEvent.action == "follow_up.recorded") == 2  # a correction still goes through
