"""The same notification sent by several units of work at once (real parallel connections,
PostgreSQL pass: tests/concurrency.py): one unread row per group, counting every sending."""
import pytest
import sqlalchemy as sa
from concurrency import failures, race

from clausematch.accounts.models import User
from clausematch.extensions import db as _db
from clausematch.inbox.services import mark_read
from clausematch.notifications import Notification, notify

SENDERS = 4
MESSAGE = "Doublon possible : une nouvelle fiche candidat ressemble à une fiche suivie."


def send(user_id: int):
    def attempt():
        notify(user_id, MESSAGE, "/candidats/doublons")
        _db.session.commit()
    return attempt


def rows(db, user_id: int) -> list[tuple[int, bool]]:
    """(repeat_count, unread) of each of the user's notifications, oldest first."""
    db.session.expire_all()
    return [(n.repeat_count, n.read_at is None) for n in db.session.scalars(
        sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))]


@pytest.mark.postgres
def test_the_same_first_notification_sent_at_once_makes_one_row_counting_each(app, db, personas):
    me = personas["prescriber"].id
    db.session.commit()

    outcomes = race([app] * SENDERS, [send(me)] * SENDERS)

    assert failures(outcomes) == []
    assert rows(db, me) == [(SENDERS, True)]


@pytest.mark.postgres
def test_repeats_sent_at_once_all_count_on_the_unread_row(app, db, personas):
    me = personas["prescriber"].id
    send(me)()

    outcomes = race([app] * SENDERS, [send(me)] * SENDERS)

    assert failures(outcomes) == []
    assert rows(db, me) == [(1 + SENDERS, True)]


@pytest.mark.postgres
def test_repeats_sent_while_the_row_is_marked_read_are_counted_once_each(app, db, personas):
    """Each sending counts on the row before it is read or on the one after, never on both, and
    never on a second unread row."""
    me = personas["prescriber"].id
    send(me)()
    [first] = db.session.scalars(sa.select(Notification.id).where(Notification.user_id == me)).all()

    def read():
        mark_read(first, _db.session.get(User, me))

    outcomes = race([app] * (SENDERS + 1), [read] + [send(me)] * SENDERS)

    assert failures(outcomes) == []
    counts = rows(db, me)
    assert counts[0][1] is False  # the row read
    assert [unread for _, unread in counts[1:]] in ([], [True])
    assert sum(count for count, _ in counts) == 1 + SENDERS
