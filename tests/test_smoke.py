def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_personas_have_one_organisation_each(personas):
    assert personas["facilitator"].organisation.kind.value == "facilitator"
    assert personas["company"].organisation.siret is not None
    assert personas["admin"].organisation is None
