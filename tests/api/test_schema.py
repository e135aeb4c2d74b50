"""schemathesis runs every operation of the OpenAPI document against the app (WSGI), with a valid
token of each role that uses it: never a 5xx, every response (errors included) matches the
document, and every status is one it declares. Bounded and deterministic (derandomize) so that it
runs in a minute or two per database."""
import pytest
import schemathesis
from api_helpers import bearer, build_data
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from clausematch import create_app

# The document depends on the code only: built once from an app without a database.
_document = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).test_client().get("/api/v1/openapi.json").json
schema = schemathesis.openapi.from_dict(_document)

# Which tokens call each part of the API (a wrong role's refusals are checked elsewhere, and here
# too for one role each: the 403 must match the document as well).
ROLES = {
    "/api/v1/offres": (None,),
    "/api/v1/candidats": ("prescriber", "company"),
    "/api/v1/orientations": ("prescriber", "facilitator"),
    "/api/v1/heures": ("company", "buyer"),
    "/api/v1/rapports": ("facilitator", "buyer", "prescriber"),
}
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def roles_for(path: str) -> tuple:
    return next(roles for prefix, roles in ROLES.items() if path.startswith(prefix))


@pytest.fixture
def api_data(db, personas, territory):
    return build_data(db, personas, territory)


@schema.parametrize()
@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_matches_the_document(case, app, api_tokens, api_data):
    for role in roles_for(case.path):
        headers = bearer(api_tokens[role]) if role else {}
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)
