"""API fixtures: a token per persona's organisation (every scope its kind may hold), and a client
that sends it."""
import pytest
from api_helpers import bearer

from clausematch.api import tokens

ROLE_SCOPES = {role: sorted(tokens.SCOPES_BY_KIND[kind]) for role, kind in (
    ("facilitator", tokens.OrganisationKind.FACILITATOR), ("prescriber", tokens.OrganisationKind.PRESCRIBER),
    ("company", tokens.OrganisationKind.COMPANY), ("buyer", tokens.OrganisationKind.BUYER))}


@pytest.fixture
def api_tokens(personas):
    """role -> the secret of a token of that persona's organisation, with every scope allowed."""
    return {role: tokens.create_token(None, personas[role].organisation.id, f"Jeton {role}", scopes)[1]
            for role, scopes in ROLE_SCOPES.items()}


@pytest.fixture
def api(client, api_tokens):
    """api("prescriber").get("/api/v1/candidats"): the test client with that role's token."""
    class As:
        def __init__(self, role):
            self.headers = bearer(api_tokens.get(role))

        def __getattr__(self, method):
            def call(path, headers=None, **kwargs):
                return getattr(client, method)(path, headers={**self.headers, **(headers or {})}, **kwargs)
            return call
    return As
