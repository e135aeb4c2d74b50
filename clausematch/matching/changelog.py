"""The change log of the matching index: one matching truth across processes.

Writing (events.py, never a feature service): every flush of db.session that adds, changes or
deletes a candidate, one of its desired jobs or criteria, or an offer inserts one row per profile
in `matching_changes` (side, entity id, created_at), in the same transaction; an ORM bulk UPDATE
or DELETE on those tables writes the rows it is about to touch just before it runs. A rollback
takes the rows with it; a commit makes them visible to every process.

Reading (`catch_up`, called by services.engine() before any ranking reads the index): each
process keeps a cursor, the highest change id it has read (`last_seen`). One query on the
primary key reads the next entries, `id > last_seen`, in id order, at most BATCH of them; the
ids are deduplicated and handed to the ordinary apply path (re-read, upsert or remove). When a
batch comes back full the next one is read at once, up to MAX_BATCHES; beyond that many
changes, rebuilding the index is cheaper and the process does so (and logs it).

Ids become visible at commit, not in order: on PostgreSQL a transaction takes id 41 when it
inserts, another takes 42 and commits first; a reader sees 42, not yet 41. Moving past 41 for
good would lose that change. So the ids skipped below `last_seen` are kept as gaps (ranges) and
read again by the same query (`id > last_seen OR id BETWEEN …`) until they appear or LOOKBACK
(5 minutes, this process's clock) has passed since they were noticed: most gaps are ids that
will never appear (a rolled-back transaction, a sequence cache), and a transaction taking longer
than LOOKBACK between its flush and its commit is left to the nightly rebuild. On SQLite writes
are serialised, so ids appear in order and there are no gaps. At most MAX_GAP_RANGES ranges are
kept: beyond, the closest are merged (an entry inside a merged range may then be applied again,
which is harmless: applying re-reads the current row).

A new index starts after the last entry visible before it reads the database, with the ids
missing among the entries of the last LOOKBACK as its first gaps: transactions still running
while it was read. The committing process applies its own
changes right after its commit (events.py) without touching the cursor: it reads its own entries
again at its next catch-up, like any other.

Eligibility expires with the calendar, without any write: the nightly job "matching.rebuild"
logs the candidates whose validated criteria expired within the last EXPIRY_LOOKBACK days
(`record_expired_eligibility`, one query on the criteria's status/date index, then one INSERT), so every
process drops them from its profiles at its next catch-up, not at its next restart.

Pruning: the nightly job "matching.rebuild" deletes the entries older than RETENTION (a day);
the full rebuild covers them. A process that has not caught up for STALE_AFTER (12 hours) may
have missed pruned entries, so it rebuilds its index instead of reading the log.
"""
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clausematch.database import utcnow
from clausematch.matching.models import MatchingChange

log = logging.getLogger(__name__)

CANDIDATE, OFFER = "candidate", "offer"
BATCH = 5000
MAX_BATCHES = 10
LOOKBACK = timedelta(minutes=5)
RETENTION = timedelta(days=1)
EXPIRY_LOOKBACK = timedelta(days=7)
STALE_AFTER = timedelta(hours=12)
MAX_GAP_RANGES = 50


# --- Writing ------------------------------------------------------------------------------------

def record(connection: sa.Connection, candidate_ids: Iterable[int], offer_ids: Iterable[int]) -> None:
    """Insert one entry per id, on the connection (so in the transaction) of the change."""
    now = utcnow()
    rows = [{"side": side, "entity_id": entity_id, "created_at": now}
            for side, ids in ((CANDIDATE, candidate_ids), (OFFER, offer_ids)) for entity_id in sorted(set(ids))]
    if rows:
        connection.execute(sa.insert(MatchingChange.__table__), rows)


def record_expired_eligibility(session: Session, on: date) -> int:
    """Log every candidate with a validated criterion that expired in the EXPIRY_LOOKBACK days
    before `on` (a night the job missed is covered; logging one twice is harmless). One query on
    the criteria's status/date index, then `record`; the caller commits. Returns how many."""
    from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus

    expired = session.scalars(
        sa.select(EligibilityCriterion.candidate_id).distinct()
        .where(EligibilityCriterion.status == EligibilityStatus.VALIDATED,
               EligibilityCriterion.valid_until < on,
               EligibilityCriterion.valid_until >= on - EXPIRY_LOOKBACK)).all()
    record(session.connection(), expired, ())
    return len(expired)


def prune(session: Session, now: datetime | None = None) -> int:
    """Delete the entries older than RETENTION (the caller commits); returns how many."""
    before = (now or utcnow()) - RETENTION
    return session.execute(sa.delete(MatchingChange).where(MatchingChange.created_at < before)).rowcount


# --- Reading ------------------------------------------------------------------------------------

@dataclass
class Gap:
    """Ids below last_seen not seen yet (low..high inclusive), and when they were noticed."""

    low: int
    high: int
    noticed: float


@dataclass
class Cursor:
    """Where a process is in the log. `synced` is a time.monotonic() reading."""

    last_seen: int = 0
    gaps: list[Gap] = field(default_factory=list)
    synced: float = field(default_factory=time.monotonic)


@dataclass
class Batch:
    candidates: set[int] = field(default_factory=set)
    offers: set[int] = field(default_factory=set)
    full: bool = False


def start(session: Session) -> Cursor:
    """The cursor of an index about to read the database: after the last visible entry (the
    profiles read next include its change), with the ids missing among the entries of the last
    LOOKBACK as its first gaps (transactions still running)."""
    now = time.monotonic()
    settled = session.scalar(sa.select(sa.func.max(MatchingChange.id))
                             .where(MatchingChange.created_at < utcnow() - LOOKBACK)) or 0
    recent = session.scalars(sa.select(MatchingChange.id).where(MatchingChange.id > settled)
                             .order_by(MatchingChange.id)).all()
    last_seen = recent[-1] if recent else settled
    return Cursor(last_seen=last_seen,
                  gaps=_merged([Gap(low, high, now) for low, high in _missing(settled + 1, last_seen, recent)]))


def read(cursor: Cursor, session: Session, limit: int | None = None) -> Batch:
    """The next entries after the cursor and in its gaps (at most `limit`, default BATCH), in
    one query; moves the cursor."""
    limit, now = limit or BATCH, time.monotonic()
    cursor.gaps = [gap for gap in cursor.gaps if now - gap.noticed < LOOKBACK.total_seconds()]
    wanted = sa.or_(MatchingChange.id > cursor.last_seen,
                    *(MatchingChange.id.between(gap.low, gap.high) for gap in cursor.gaps))
    rows = session.execute(sa.select(MatchingChange.id, MatchingChange.side, MatchingChange.entity_id)
                           .where(wanted).order_by(MatchingChange.id).limit(limit)).all()
    ids = [row.id for row in rows]
    highest = max([cursor.last_seen, *ids])
    gaps = [Gap(low, high, gap.noticed) for gap in cursor.gaps for low, high in _missing(gap.low, gap.high, ids)]
    gaps += [Gap(low, high, now) for low, high in _missing(cursor.last_seen + 1, highest, ids)]
    cursor.last_seen, cursor.gaps, cursor.synced = highest, _merged(gaps), now
    batch = Batch(full=len(rows) == limit)
    for row in rows:
        (batch.candidates if row.side == CANDIDATE else batch.offers).add(row.entity_id)
    return batch


def _missing(low: int, high: int, present: Sequence[int]) -> list[tuple[int, int]]:
    """The ranges of low..high holding none of `present` (sorted)."""
    ranges, at = [], low
    for found in present:
        if found > high:
            break
        if found >= at:
            if found > at:
                ranges.append((at, found - 1))
            at = found + 1
    if at <= high:
        ranges.append((at, high))
    return ranges


def _merged(gaps: list[Gap]) -> list[Gap]:
    """At most MAX_GAP_RANGES ranges: the two closest are merged (the later noticed time kept)."""
    gaps = sorted(gaps, key=lambda gap: gap.low)
    while len(gaps) > MAX_GAP_RANGES:
        i = min(range(len(gaps) - 1), key=lambda k: gaps[k + 1].low - gaps[k].high)
        gaps[i:i + 2] = [Gap(gaps[i].low, gaps[i + 1].high, max(gaps[i].noticed, gaps[i + 1].noticed))]
    return gaps


def stale(cursor: Cursor) -> bool:
    return time.monotonic() - cursor.synced > STALE_AFTER.total_seconds()


def catch_up(lock: threading.Lock, get_cursor: Callable[[], Cursor], session: Session,
             apply: Callable[[set[int], set[int]], None], rebuild: Callable[[], object]) -> None:
    """Apply the entries this process has not seen, batch after batch; rebuild instead when the
    cursor is stale or more than MAX_BATCHES batches are waiting. One caller at a time."""
    with lock:
        cursor = get_cursor()
        if stale(cursor):
            log.info("Index de rapprochement : journal non lu depuis plus de %s, reconstruction", STALE_AFTER)
            rebuild()
            cursor = get_cursor()
        for _ in range(MAX_BATCHES):
            batch = read(cursor, session)
            apply(batch.candidates, batch.offers)
            if not batch.full:
                return
        log.warning("Index de rapprochement : plus de %s changements en attente, reconstruction", BATCH * MAX_BATCHES)
        rebuild()
