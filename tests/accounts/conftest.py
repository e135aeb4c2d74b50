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


@pytest.fixture
def login_as(app, client, personas):
    """Same as the root `login_as`, with the identifier computed from the test client's own
    address and user agent (the root fixture's bare test_request_context has neither, so
    Flask-Login's "strong" session protection drops the session on the first request).
    TODO(lead): fold this fix into tests/conftest.py and delete this override."""
    from flask_login.utils import _create_identifier

    def login(role: str):
        user = personas[role]
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
        return user
    return login
