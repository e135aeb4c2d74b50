"""Fixtures of the territory settings tests."""
import pytest


@pytest.fixture
def login_as(app, client, personas):
    """The root `login_as` with the session identifier computed from the test client's own
    address and user agent (Flask-Login's strong protection drops it otherwise)."""
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
