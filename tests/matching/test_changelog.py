"""The change log (matching/changelog.py): written in the transaction of the change and rolled
back with it; each entry applied once; another application on the same database sees a change
on its next ranking; ids that become visible out of order are not lost (PostgreSQL, real
parallel connections); batches, staleness and pruning."""
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from concurrency import TIMEOUT, race
from matching_app_support import add_criterion, candidate, offer_of, ranked_ids
from sqlalchemy.orm import Session, close_all_sessions

from clausematch import create_app
from clausematch.candidates.models import Candidate, EligibilityCriterion
from clausematch.database import today, utcnow
from clausematch.extensions import db as _db
from clausematch.matching import changelog, services
from clausematch.matching.models import MatchingChange
from clausematch.offers.models import Offer, OfferStatus


@pytest.fixture
def scene(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory)
    db.session.commit()
    return offer, personas["prescriber"].organisation


@pytest.fixture
def other_app(database_url, referential_index):
    """Another process: its own app, engine, index and cursor, on the same database."""
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    yield other
    close_all_sessions()  # every session that read through this app gives its connection back
    with other.app_context():
        _db.session.remove()
        _db.engine.dispose()


def entries(db) -> list[tuple[str, int]]:
    """The log as another connection sees it (committed entries only), in order; an entity
    flushed several times in a transaction has an entry per flush: listed once here."""
    with Session(db.engine) as reader:
        rows = reader.execute(sa.select(MatchingChange.side, MatchingChange.entity_id).order_by(MatchingChange.id))
        return list(dict.fromkeys(tuple(row) for row in rows))


def test_a_change_is_logged_in_its_transaction_and_rolled_back_with_it(db, scene):
    offer, prescriber = scene
    assert entries(db) == [("offer", offer.id)]
    person = candidate(prescriber)
    db.session.flush()
    in_transaction = db.session.scalars(sa.select(MatchingChange.entity_id)
                                        .where(MatchingChange.side == "candidate")).all()
    assert set(in_transaction) == {person.id}
    db.session.rollback()
    assert entries(db) == [("offer", offer.id)]
    person = candidate(prescriber)
    db.session.commit()
    assert entries(db) == [("offer", offer.id), ("candidate", person.id)]


def test_bulk_updates_and_deletes_are_logged(db, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    before = db.session.scalar(sa.func.max(MatchingChange.id))
    db.session.execute(sa.update(Offer).where(Offer.id == offer.id).values(status=OfferStatus.CLOSED))
    db.session.execute(sa.delete(EligibilityCriterion).where(EligibilityCriterion.candidate_id == person.id))
    db.session.commit()
    logged = db.session.execute(sa.select(MatchingChange.side, MatchingChange.entity_id)
                                .where(MatchingChange.id > before).order_by(MatchingChange.id)).all()
    assert [tuple(row) for row in logged] == [("offer", offer.id), ("candidate", person.id)]


def test_each_entry_is_applied_once(db, scene, monkeypatch):
    offer, prescriber = scene
    services.engine()
    person = candidate(prescriber)
    db.session.commit()
    applied, apply = [], services.apply_changes
    monkeypatch.setattr(services, "apply_changes", lambda *ids: applied.append(ids) or apply(*ids))
    services.engine()
    services.engine()
    assert applied == [({person.id}, set()), (set(), set())]
    assert services.index_status().last_change_id == db.session.scalar(sa.func.max(MatchingChange.id))


def test_another_app_on_the_same_database_sees_the_change_on_its_next_ranking(db, personas, scene, other_app):
    offer, prescriber = scene
    first = candidate(prescriber)
    db.session.commit()
    facilitator_id = personas["facilitator"].id

    def ranked_by_other() -> list[int]:
        with other_app.app_context():
            try:
                return ranked_ids(_db.session.get(Offer, offer.id), _db.session.get(type(personas["facilitator"]),
                                                                                     facilitator_id))
            finally:
                _db.session.remove()

    assert ranked_by_other() == [first.id]
    second = candidate(prescriber)
    db.session.commit()
    assert sorted(ranked_by_other()) == sorted([first.id, second.id])
    db.session.get(Candidate, first.id).available = False
    db.session.commit()
    assert ranked_by_other() == [second.id]
    with other_app.app_context():
        assert services.holder().builds == 1  # applied from the log, not rebuilt


def test_ids_seen_out_of_order_are_read_again_until_they_appear_or_age_out(db, scene, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(changelog.time, "monotonic", lambda: clock[0])
    cursor = changelog.Cursor(last_seen=db.session.scalar(sa.func.max(MatchingChange.id)))
    base = cursor.last_seen

    def insert(entry_id: int, entity_id: int) -> None:
        db.session.execute(sa.insert(MatchingChange).values(id=entry_id, side="candidate", entity_id=entity_id,
                                                            created_at=utcnow()))
        db.session.commit()

    insert(base + 3, 3)  # committed before base + 1 and base + 2
    assert changelog.read(cursor, db.session).candidates == {3}
    assert cursor.last_seen == base + 3 and [(g.low, g.high) for g in cursor.gaps] == [(base + 1, base + 2)]
    insert(base + 1, 1)
    assert changelog.read(cursor, db.session).candidates == {1}
    assert changelog.read(cursor, db.session).candidates == set()
    clock[0] += changelog.LOOKBACK.total_seconds() + 1
    insert(base + 2, 2)  # too late: left to the nightly rebuild
    assert changelog.read(cursor, db.session).candidates == set() and cursor.gaps == []


def test_gap_ranges_stay_bounded(monkeypatch):
    monkeypatch.setattr(changelog, "MAX_GAP_RANGES", 2)
    gaps = [changelog.Gap(1, 1, 5.0), changelog.Gap(3, 3, 6.0), changelog.Gap(10, 12, 7.0)]
    assert [(g.low, g.high, g.noticed) for g in changelog._merged(gaps)] == [(1, 3, 6.0), (10, 12, 7.0)]
    assert changelog._missing(1, 10, [2, 3, 7, 11]) == [(1, 1), (4, 6), (8, 10)]


def test_many_waiting_changes_are_read_in_batches_then_rebuilt(db, scene, monkeypatch):
    offer, prescriber = scene
    services.engine()
    people = [candidate(prescriber) for _ in range(5)]
    db.session.commit()
    monkeypatch.setattr(changelog, "BATCH", 2)
    applied, apply = [], services.apply_changes
    monkeypatch.setattr(services, "apply_changes", lambda *ids: applied.append(ids) or apply(*ids))
    services.engine()
    assert len(applied) >= 3 and all(len(candidates) <= 2 for candidates, _ in applied)
    assert set().union(*(candidates for candidates, _ in applied)) == {p.id for p in people}
    assert services.holder().builds == 1
    more = [candidate(prescriber) for _ in range(3)]
    db.session.commit()
    monkeypatch.setattr(changelog, "MAX_BATCHES", 1)
    services.engine()
    assert services.holder().builds == 2  # more than a batch waiting: rebuilt instead
    assert set(ranked_ids(offer, services_user(db))) == {p.id for p in people + more}


def services_user(db):
    from clausematch.accounts.models import Role, User

    return db.session.scalar(sa.select(User).where(User.role == Role.FACILITATOR))


def test_a_process_that_has_not_read_the_log_for_long_rebuilds(db, scene):
    services.engine()
    services.holder().cursor.synced -= changelog.STALE_AFTER.total_seconds() + 1
    services.engine()
    assert services.holder().builds == 2


def test_the_nightly_job_prunes_entries_older_than_a_day(db, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    db.session.execute(sa.update(MatchingChange).where(MatchingChange.side == "offer")
                       .values(created_at=utcnow() - changelog.RETENTION - timedelta(minutes=1)))
    db.session.commit()
    assert services.rebuild_job().endswith("1 entrée(s) du journal des changements supprimée(s).")
    assert entries(db) == [("candidate", person.id)]


def test_eligibility_expired_overnight_leaves_the_other_processes_at_their_next_ranking(db, personas, scene,
                                                                                       other_app):
    """No write marks an expiry: the nightly job, run by one process, logs the candidates whose
    criteria expired, and another process's index drops their eligibility on its next ranking."""
    offer, prescriber = scene
    expiring, lasting = candidate(prescriber), candidate(prescriber)
    add_criterion(expiring, "deld", valid_until=today())  # last valid day
    add_criterion(lasting, "deld")
    db.session.commit()
    facilitator_id, wanted = personas["facilitator"].id, services.RankingFilters(criteria=frozenset({"deld"}))

    def ranked_by_other() -> list[int]:
        with other_app.app_context():
            try:
                return ranked_ids(_db.session.get(Offer, offer.id),
                                  _db.session.get(type(personas["facilitator"]), facilitator_id), wanted)
            finally:
                _db.session.remove()

    assert sorted(ranked_by_other()) == sorted([expiring.id, lasting.id])
    with time_machine.travel(today() + timedelta(days=1)):
        assert sorted(ranked_by_other()) == sorted([expiring.id, lasting.id])  # nothing told it yet
        assert "1 candidat(s) dont l'éligibilité a expiré signalé(s)" in services.rebuild_job()
        last = db.session.execute(sa.select(MatchingChange.side, MatchingChange.entity_id)
                                  .order_by(MatchingChange.id.desc()).limit(1)).one()
        assert tuple(last) == ("candidate", expiring.id)
        assert ranked_by_other() == [lasting.id]
    with other_app.app_context():
        assert services.holder().builds == 1  # applied from the log, not rebuilt


def test_index_status_says_built_when_and_how_far(db, scene):
    assert services.index_status() == services.IndexStatus(False, None, 0)
    services.engine()
    status = services.index_status()
    assert status.built and status.built_at is not None
    assert status.last_change_id == db.session.scalar(sa.func.max(MatchingChange.id))


@pytest.mark.postgres
def test_a_change_committed_after_a_later_one_is_not_lost(app, db, scene, other_app):
    """Transaction A takes a log id, B takes the next one and commits first; the other process
    reads B's entry (moving past A's id), then A commits: its change still arrives."""
    offer, prescriber = scene
    early, late = candidate(prescriber), candidate(prescriber)
    db.session.commit()
    with other_app.app_context():
        services.engine()
        _db.session.remove()
    flushed, read = threading.Event(), threading.Event()

    def slow() -> None:
        _db.session.get(Candidate, early.id).available = False
        _db.session.flush()  # its log entry holds the lower id, not yet visible
        flushed.set()
        assert read.wait(TIMEOUT)
        _db.session.commit()

    # The slow transaction runs on its own connection in a thread (race() of tests/concurrency.py,
    # alone); this thread commits the later change meanwhile, then reads as the other process.
    outcome = []
    writer = threading.Thread(target=lambda: outcome.extend(race([app], [slow])))
    writer.start()
    try:
        assert flushed.wait(TIMEOUT)
        db.session.get(Candidate, late.id).available = False
        db.session.commit()
        with other_app.app_context():
            seen_between, cursor_between = indexed(offer), services.holder().cursor.last_seen
    finally:
        read.set()
        writer.join(TIMEOUT)
    assert outcome == [None]
    ids = dict(db.session.execute(sa.select(MatchingChange.entity_id, sa.func.max(MatchingChange.id))
                                  .where(MatchingChange.side == "candidate").group_by(MatchingChange.entity_id)).all())
    assert seen_between == {early.id}
    assert ids[early.id] < ids[late.id] <= cursor_between  # the cursor had moved past the early id
    with other_app.app_context():
        assert indexed(offer) == set()


def indexed(offer) -> set[int]:
    from clausematch.matching import feed

    try:
        return {m.id for m in services.engine().candidates_for(feed.offer_profile(_db.session.get(Offer, offer.id)),
                                                                 k=100)}
    finally:
        _db.session.remove()
