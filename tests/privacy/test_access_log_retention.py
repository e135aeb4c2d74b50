"""The access log's retention: each day, the events about a person older than their territory's
`access_log_months` are deleted; events about no one stay (job "privacy.access_log")."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from concurrency import failures, race
from factories import CandidateInTerritoryFactory, PrescriberFactory, TerritoryFactory

from clausematch.audit import AuditEvent, record
from clausematch.privacy.access_log import purge_access_log, retention_cutoff
from clausematch.scheduler import find_job, run_now


def event(candidate_id, moment: str, action="candidate.viewed") -> int:
    row = record(action, "candidate" if candidate_id else "territory", candidate_id or 1, candidate_id=candidate_id)
    row.occurred_at = datetime.fromisoformat(moment)
    return row


def remaining(db) -> set[tuple]:
    db.session.expire_all()
    return {(row.candidate_id, row.occurred_at.strftime("%Y-%m-%d %H:%M"))
            for row in db.session.scalars(sa.select(AuditEvent))}


@pytest.fixture
def people(db, territory):
    """A person of the 12-month territory, one of a territory that keeps its log 3 months."""
    short = TerritoryFactory(name="Courte durée", access_log_months=3)
    kept = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    brief = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=short))
    db.session.commit()
    return kept.id, brief.id


def test_events_about_a_person_older_than_their_territorys_period_are_deleted(db, people):
    kept, brief = people
    # On 15 June 2026 (Paris): 12 months back is 15 June 2025 00:00 Paris = 14 June 2025 22:00 UTC.
    event(kept, "2025-06-14 21:59")  # before the cutoff: deleted
    event(kept, "2025-06-14 22:00")  # at the cutoff: kept
    event(brief, "2026-03-14 22:59")  # 3 months back is 15 March 2026 00:00 Paris = 14 March 23:00 UTC
    event(brief, "2026-03-14 23:00")
    event(None, "2020-01-01 00:00", action="territory_settings_updated")  # about no one: stays
    db.session.commit()

    assert purge_access_log(date(2026, 6, 15)) == 2

    assert remaining(db) == {(kept, "2025-06-14 22:00"), (brief, "2026-03-14 23:00"), (None, "2020-01-01 00:00")}
    assert purge_access_log(date(2026, 6, 15)) == 0  # run again the same day: nothing more


def test_the_cutoff_is_local_midnight_months_back():
    assert retention_cutoff(date(2026, 6, 15), 12) == datetime(2025, 6, 14, 22, 0)
    assert retention_cutoff(date(2026, 1, 31), 1) == datetime(2025, 12, 30, 23, 0)  # winter: UTC+1


def test_the_daily_job_purges_and_says_how_many(db, people):
    kept, _ = people
    event(kept, "2024-01-01 10:00")
    event(kept, "2024-01-02 10:00")
    db.session.commit()
    job = find_job("privacy.access_log")
    assert job is not None and job.cron == {"hour": 1, "minute": 30}
    assert run_now(job, date(2026, 6, 15)) == (
        "2 entrées du journal des accès supprimées (durée de conservation dépassée).")
    assert remaining(db) == set()


@pytest.mark.postgres
def test_two_purges_at_once_delete_each_event_once(app, db, people):
    kept, brief = people
    for day in range(1, 21):
        event(kept, f"2024-01-{day:02d} 10:00")
        event(brief, f"2024-02-{day:02d} 10:00")
    event(kept, "2026-06-01 10:00")
    db.session.commit()

    outcomes = race([app] * 2, [lambda: purge_access_log(date(2026, 6, 15))] * 2)

    assert failures(outcomes) == []
    assert sum(outcomes) == 40
    assert remaining(db) == {(kept, "2026-06-01 10:00")}
