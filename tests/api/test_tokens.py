"""Tokens: created for an organisation (secret shown once, stored hashed), by the command line and
the administrators' page; revoked tokens, unknown ones and missing scopes refused."""
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.models import Role, User
from clausematch.api import tokens
from clausematch.api.models import ApiToken
from clausematch.audit import AuditEvent


def test_secret_is_stored_hashed_and_acts_as_the_organisation_service_account(db, personas):
    organisation = personas["prescriber"].organisation
    token, secret = tokens.create_token(None, organisation.id, "Logiciel X", ["candidates:read"])
    assert secret.startswith("cm_") and secret not in token.secret_hash
    assert token.secret_hash == tokens.hash_secret(secret)
    assert tokens.authenticate(secret).id == token.id
    assert tokens.authenticate(secret + "x") is None
    user = token.service_user
    assert user.role == Role.PRESCRIBER and user.organisation_ids == {organisation.id}
    assert user.password_hash is None and user.email.endswith(".invalid")
    # A second token of the organisation shares the account.
    other, _ = tokens.create_token(None, organisation.id, "Logiciel Y", ["candidates:write"])
    assert other.service_user_id == user.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.email.like("api-%"))) == 1


def test_scopes_outside_the_organisation_kind_and_unknown_ones_are_refused(db, personas):
    import pytest

    from clausematch.errors import FieldErrors

    with pytest.raises(FieldErrors) as refused:
        tokens.create_token(None, personas["company"].organisation.id, "X", ["candidates:read"])
    assert "Permission impossible" in refused.value.message
    with pytest.raises(FieldErrors) as refused:
        tokens.create_token(None, personas["company"].organisation.id, "", ["nimporte:quoi"])
    assert {error.field for error in refused.value.errors} == {"name", "scopes"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_cli_creates_prints_once_lists_and_revokes(db, personas, runner, client):
    organisation = personas["prescriber"].organisation
    result = runner.invoke(args=["api", "token", "create", "--organisation", str(organisation.id),
                                 "--scope", "candidates:read", "--scope", "offers:read", "--name", "ETL"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("cm_")
    assert client.get("/api/v1/candidats", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    listed = runner.invoke(args=["api", "token", "list"])
    assert "ETL" in listed.output and secret not in listed.output and "actif" in listed.output
    token_id = db.session.scalar(sa.select(ApiToken.id))
    assert runner.invoke(args=["api", "token", "revoke", str(token_id)]).exit_code == 0
    response = client.get("/api/v1/candidats", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401
    assert response.json["erreur"]["code"] == "non_authentifie"
    refused = runner.invoke(args=["api", "token", "create", "--organisation", str(organisation.id),
                                  "--scope", "hours:write"])
    assert refused.exit_code != 0 and "Permission impossible" in refused.output


def test_admin_page_creates_shows_the_secret_once_and_revokes(db, personas, client, login_as):
    login_as("admin")
    organisation = personas["company"].organisation
    page = client.post("/admin/api", data={"organisation": organisation.id, "name": "Paie",
                                           "scopes": ["hours:read", "hours:write"]})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    token = db.session.scalar(sa.select(ApiToken))
    assert f"cm_{token.prefix}_" in text and "il ne sera plus jamais affiché" in text
    listing = client.get("/admin/api").get_data(as_text=True)
    assert "Paie" in listing and "il ne sera plus jamais affiché" not in listing
    refused = client.post("/admin/api", data={"organisation": organisation.id, "name": "", "scopes": []})
    assert refused.status_code == 422 and "Choisissez au moins une permission." in refused.get_data(as_text=True)
    assert client.post(f"/admin/api/{token.id}/revoquer").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")))
    assert actions == {"api_token.created", "api_token.revoked"}


def test_admin_page_is_for_administrators_only(db, personas, client, login_as):
    login_as("facilitator")
    assert client.get("/admin/api").status_code == 403
    assert client.post("/admin/api", data={"organisation": personas["facilitator"].organisation.id,
                                           "name": "X", "scopes": ["reports:read"]}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_missing_malformed_unknown_token_401_and_missing_scope_403(db, api, client):
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer cm_nope_x"}):
        response = client.get("/api/v1/candidats", headers=headers)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json["erreur"]["message"]
    # The company's token holds no candidate scope: 403, in French.
    response = api("company").get("/api/v1/candidats")
    assert response.status_code == 403
    assert "candidates:read" in response.json["erreur"]["message"]


def test_api_responses_set_no_cookie_and_keep_security_headers(db, api):
    response = api("prescriber").get("/api/v1/candidats")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_openapi_document_lists_the_operations(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert "/api/v1/offres" in document["paths"] and "/api/v1/candidats/{candidate_id}" in document["paths"]
    assert document["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


def test_the_service_account_is_never_sent_an_email(db, personas, territory):
    """A company's service account is an active member of the company: the monthly reminder goes to
    its people, never to the account's reserved .invalid address (it could only fail in the outbox)."""
    import time_machine
    from factories import ClauseFactory, ContractInTerritoryFactory, EmploymentContractFactory, LotFactory

    from clausematch.notifications import OutboxMessage
    from clausematch.pathways.hours_reminders import send_hours_reminders

    company = personas["company"].organisation
    token, _ = tokens.create_token(None, company.id, "Logiciel de paie", ["hours:read"])
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory), company=company)
    ClauseFactory(lot=lot)
    EmploymentContractFactory(lot=lot)
    db.session.commit()
    with time_machine.travel("2025-04-01 06:00:00", tick=False):
        assert send_hours_reminders(date(2025, 3, 1)) == 1
    recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert recipients == [personas["company"].email]
    assert token.service_user.email.endswith(".invalid")
