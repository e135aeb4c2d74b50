"""Two identical POSTs with the same Idempotency-Key at once, with real parallel connections on
PostgreSQL (tests/concurrency.py): one record, the other answered with it or told to retry."""
from datetime import date

import pytest
import sqlalchemy as sa
from concurrency import race

from clausematch.api.models import IdempotencyKey
from clausematch.candidates.models import Candidate

BODY = {"prenom": "Awa", "nom": "Diallo", "date_naissance": "1992-04-03", "genre": "f", "niveau_etudes": "bac",
        "consentement": {"donne": True, "date": date.today().isoformat(), "finalites": "Accompagnement"}}


@pytest.mark.postgres
def test_two_identical_posts_with_one_key_at_once_make_one_record(app, db, api_tokens):
    headers = {"Authorization": f"Bearer {api_tokens['prescriber']}", "Idempotency-Key": "lot-7-ligne-3"}

    def send():
        response = app.test_client().post("/api/v1/candidats", json=BODY, headers=headers)
        return response.status_code, response.get_json()

    outcomes = race([app, app, app], [send, send, send])

    assert not any(isinstance(outcome, Exception) for outcome in outcomes), outcomes
    statuses = sorted(status for status, _ in outcomes)
    assert statuses[0] == 201 and all(status in (201, 409) for status in statuses)
    created = {body["id"] for status, body in outcomes if status == 201}
    assert len(created) == 1
    for status, body in outcomes:
        if status == 409:
            assert "en cours" in body["erreur"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(IdempotencyKey)) == 1
