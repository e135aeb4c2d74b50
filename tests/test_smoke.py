import sqlalchemy as sa


def test_healthz_reports_database_ok_the_matching_index_and_the_outbox_backlog(db, client):
    from factories import CandidateFactory, OutboxMessageFactory

    from clausematch.database import utcnow
    from clausematch.matching import services as matching
    from clausematch.matching.models import MatchingChange

    OutboxMessageFactory()
    OutboxMessageFactory()
    OutboxMessageFactory(sent_at=utcnow())
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "database": "ok", "outbox": {"pending": 2},
        "matching_index": {"built": False, "built_at": None, "last_change_applied_at": None, "builds": 0,
                           "last_change_log_id": 0, "rebuilding": False}}
    matching.engine()
    index = client.get("/healthz").get_json()["matching_index"]
    assert (index["built"], index["builds"], index["last_change_applied_at"]) == (True, 1, None)
    assert index["built_at"] == matching.holder().built_at.isoformat(timespec="seconds") + "Z"
    CandidateFactory()
    db.session.commit()  # applied to this process's index after the commit
    index = client.get("/healthz").get_json()["matching_index"]
    assert index["last_change_applied_at"] == matching.holder().changed_at.isoformat(timespec="seconds") + "Z"
    matching.engine()  # before a ranking: reads the change log, the entry of that commit included
    logged = db.session.scalar(sa.select(sa.func.max(MatchingChange.id)))
    assert logged and client.get("/healthz").get_json()["matching_index"]["last_change_log_id"] == logged


def test_personas_have_one_organisation_each(personas):
    assert personas["facilitator"].organisation.kind.value == "facilitator"
    assert personas["company"].organisation.siret is not None
    assert personas["admin"].organisation is None
