"""The monthly reminder: which lots, who hears about it, once per lot-month (frozen time), and the
`flask hours remind` command."""
from datetime import date

import pytest
import sqlalchemy as sa
import time_machine
from factories import ClauseFactory, CompanyFactory, ContractInTerritoryFactory, LotFactory, UserFactory
from hours_support import MARCH, entry

from clausematch.accounts.models import Role
from clausematch.audit import AuditEvent
from clausematch.notifications import Notification, OutboxMessage
from clausematch.pathways.hours_reminders import lots_to_remind, send_hours_reminders


@pytest.fixture
def lots(db, personas, territory, lot, hire):
    """The persona company's clause lot with a contract in March (owes hours), and lots that do
    not: one already declared, one without a clause, one whose contract ended in February."""
    company = personas["company"].organisation
    contract = ContractInTerritoryFactory(buyer__territory=territory)
    declared = LotFactory(contract=contract, company=company, title="Déjà déclaré")
    ClauseFactory(lot=declared)
    no_clause = LotFactory(contract=contract, company=company, title="Sans clause")
    ended = LotFactory(contract=contract, company=company, title="Contrat terminé")
    ClauseFactory(lot=ended)
    hire(lot)
    entry(hire(declared), month=MARCH)
    hire(no_clause)
    hire(ended, start_date=date(2025, 1, 6), planned_end_date=date(2025, 2, 28))
    db.session.commit()
    return lot


def test_only_lots_owing_undeclared_hours_are_reminded(db, lots):
    assert [lot.title for lot in lots_to_remind(MARCH)] == ["Gros œuvre"]


@time_machine.travel("2025-04-01 06:00:00", tick=False)
def test_company_users_are_reminded_once_per_lot_month(db, personas, territory, lots):
    colleague = UserFactory(role=Role.COMPANY, email="collegue@exemple.fr", full_name="Camille Collègue",
                            organisation=personas["company"].organisation)
    UserFactory(role=Role.COMPANY, email="ancien@exemple.fr", organisation=personas["company"].organisation,
                is_active=False)
    db.session.commit()
    assert send_hours_reminders(date(2025, 3, 15)) == 1  # any day of the month means that month
    notices = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert [n.user_id for n in notices] == [personas["company"].id, colleague.id]
    assert notices[0].message == (f"Heures de mars 2025 à déclarer : lot {lots.number} — Gros œuvre "
                                  f"(marché {lots.contract.reference}).")
    assert notices[0].link == f"/entreprise/heures?lot={lots.id}&mois=2025-03"
    mails = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.recipient)).all()
    assert [m.recipient for m in mails] == ["collegue@exemple.fr", "entreprise@exemple.fr"]
    assert mails[0].subject == "Heures d'insertion de mars 2025 à déclarer"
    assert f"http://localhost/entreprise/heures?lot={lots.id}&mois=2025-03" in mails[0].body
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "hours_reminder"))
    assert (event.entity_type, event.entity_id, event.details) == ("lot", lots.id, {"month": "2025-03"})
    # Run again (a second process, a manual run): nobody hears twice.
    assert send_hours_reminders(MARCH) == 0
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 2


def test_next_month_is_a_new_reminder(db, lots):
    assert send_hours_reminders(MARCH) == 1
    assert send_hours_reminders(date(2025, 4, 1)) == 2  # April: the lot declared in March owes April too
    assert send_hours_reminders(date(2025, 4, 1)) == 0


def test_one_email_per_user_lists_all_their_lots(db, personas, territory, lot, hire):
    second = LotFactory(contract=lot.contract, company=personas["company"].organisation, title="Second œuvre")
    ClauseFactory(lot=second)
    other = LotFactory(contract=lot.contract, company=CompanyFactory(territory=territory), title="Autre entreprise")
    ClauseFactory(lot=other)
    for each in (lot, second, other):
        hire(each)
    assert send_hours_reminders(MARCH) == 3
    mails = db.session.scalars(sa.select(OutboxMessage)).all()
    assert len(mails) == 1  # the other company has no user
    assert "Gros œuvre" in mails[0].body and "Second œuvre" in mails[0].body and "Autre entreprise" not in mails[0].body
    assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == 2


@time_machine.travel("2025-04-01 06:00:00", tick=False)
def test_the_command_reminds_last_month_by_default(db, runner, lots):
    result = runner.invoke(args=["hours", "remind"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Relances des heures de 2025-03 : 1 lot relancé."
    assert runner.invoke(args=["hours", "remind", "--month", "2025-03"]).output.strip() == \
        "Relances des heures de 2025-03 : 0 lot relancé."
    bad = runner.invoke(args=["hours", "remind", "--month", "mars"])
    assert bad.exit_code == 2 and "n'est pas un mois valide" in bad.output
