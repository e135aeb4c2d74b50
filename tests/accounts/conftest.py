"""Account-test helpers: the e-mail outbox as a mailbox, and a second territory."""
import re

import pytest
import sqlalchemy as sa

from clausematch.notifications import OutboxMessage


class Mailbox:
    """Reads the outbox table the way a person reads their e-mails."""

    def __init__(self, db):
        self.db = db

    def messages(self) -> list[OutboxMessage]:
        return list(self.db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))

    def last(self) -> OutboxMessage:
        messages = self.messages()
        assert messages, "the outbox is empty"
        return messages[-1]

    def token(self, path: str, message: OutboxMessage | None = None) -> str:
        """The secret token of the `http://localhost/<path>/<token>` link in an e-mail."""
        body = (message or self.last()).body
        match = re.search(rf"http://localhost/{path}/([A-Za-z0-9_-]+)", body)
        assert match, f"no /{path}/ link in the e-mail"
        return match.group(1)


@pytest.fixture
def mailbox(db):
    return Mailbox(db)


@pytest.fixture
def other_territory(db):
    from factories import TerritoryFactory

    return TerritoryFactory(name="Est Ensemble")
