"""Two administrators acting on accounts at the same moment (real parallel connections, PostgreSQL
pass: tests/concurrency.py): the last active administrator is never lost."""
import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race
from factories import UserFactory

from clausematch.accounts.models import Role, User
from clausematch.admin import users
from clausematch.audit import AuditEvent
from clausematch.extensions import db as _db


def deactivate(actor_id: int, target_id: int):
    return lambda: users.deactivate_user(_db.session.get(User, actor_id), target_id)


def active_admins(db) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(User.id).where(User.role == Role.ADMIN, User.is_active)))


@pytest.mark.postgres
def test_two_admins_deactivating_each_other_at_once_leave_one_active_admin(app, db):
    first, second = UserFactory(role=Role.ADMIN), UserFactory(role=Role.ADMIN)
    db.session.commit()

    outcomes = race([app, app], [deactivate(first.id, second.id), deactivate(second.id, first.id)],
                    before=[lambda: _db.session.get(User, first.id).is_active] * 2)

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    assert refused in ("Seuls les administrateurs gèrent les comptes.", users.LAST_ADMIN)
    assert len(active_admins(db)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == users.DEACTIVATED)) == 1


@pytest.mark.postgres
def test_a_demotion_and_a_deactivation_of_the_two_last_admins_at_once_leave_one(app, db, personas):
    """Admin A demotes admin B to facilitator while B deactivates A: one of the two only."""
    first, second = personas["admin"], UserFactory(role=Role.ADMIN)
    team = personas["facilitator"].organisation
    db.session.commit()

    def demote():
        return users.update_user(_db.session.get(User, first.id), second.id,
                                 users.AccountInput("Ancien Admin", Role.FACILITATOR, team.id))

    outcomes = race([app, app], [demote, deactivate(second.id, first.id)])

    assert failures(outcomes) == []
    assert len(messages(outcomes)) == 1
    assert len(active_admins(db)) == 1
