"""The bridge between the database and the matching engine (the only one).

One engine per application, kept in app.extensions["matching"]:
- built from the database at first use, or at start-up when MATCHING_WARM_START=1 (in a
  background thread, so the process serves pages meanwhile; a ranking asked for before the
  end waits for it);
- kept current after every commit that changed a candidate, its desired jobs or criteria, or an
  offer: session events (events.py) note the ids at each flush and call `apply_changes` once the
  transaction is committed (upsert, or removal when the record left the index: unavailable,
  merged, offer no longer published); no feature calls matching for that;
- kept current with the other processes' changes: the same events write each change to the
  change log in its transaction, and `engine()` applies the entries this process has not seen
  before any ranking reads the index (changelog.py: one indexed query, bounded batches);
- rebuilt from scratch every night (`rebuild_job`, job "matching.rebuild", `flask matching
  rebuild`); the job first logs the candidates whose eligibility expired with the date, so the
  other processes drop it too at their next catch-up, and then prunes the change log.
Ranking pages only read the engine: once built it is rebuilt by a page only when this process
has not read the change log for a long time, or too many changes wait (changelog.py).
"""
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.orm import Session

from clausematch.accounts.models import User
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import visible_criteria
from clausematch.database import today, utcnow
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.matching import changelog, feed, permissions, queries, training
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.models import MatchingModel
from clausematch.offers.models import Offer
from clausematch.referential import certificates

log = logging.getLogger(__name__)

EXTENSION_KEY = "matching"
DEFAULT_K = 20
# The engine is asked for more than shown: the territory, availability, distance and "already
# proposed" filters are applied afterwards, in one SQL query on these few ids.
OVERFETCH, MAX_FETCH = 10, 1000


@dataclass
class IndexHolder:
    """The application's engine, how many times it was built, and the changes seen while a
    rebuild was reading the database (replayed on the new engine)."""

    engine: MatchingEngine | None = None
    builds: int = 0
    built_at: datetime | None = None
    # When a committed change of this process was last applied to the engine (/healthz).
    changed_at: datetime | None = None
    rebuilding: bool = False
    pending_candidates: set[int] = field(default_factory=set)
    pending_offers: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Where this process is in the change log; one catch-up at a time (changelog.py).
    cursor: changelog.Cursor = field(default_factory=changelog.Cursor)
    sync_lock: threading.Lock = field(default_factory=threading.Lock)


def holder(app: Flask | None = None) -> IndexHolder:
    app = app or current_app
    return app.extensions.setdefault(EXTENSION_KEY, IndexHolder())


def engine() -> MatchingEngine:
    """The application's engine, built from the database if this is its first use, with the
    changes of the change log this process has not seen yet applied (changelog.py)."""
    index = holder()
    if index.engine is None:
        with index.lock:
            if index.engine is None:
                _build(index)
    with Session(db.engine) as reader:
        changelog.catch_up(index.sync_lock, lambda: index.cursor, reader, apply_changes, rebuild_index)
    return index.engine


@dataclass(frozen=True)
class IndexStatus:
    built: bool
    built_at: datetime | None
    last_change_id: int  # the highest change log entry this process has read and applied


def index_status() -> IndexStatus:
    """For /healthz: whether the index is built, when, and how far it has read the change log."""
    index = holder()
    return IndexStatus(index.engine is not None, index.built_at, index.cursor.last_seen)


def is_built() -> bool:
    return holder().engine is not None


def rebuild_index() -> str:
    """Build a fresh engine from the database and put it in place of the current one; rankings
    keep using the current one meanwhile. Returns a French summary (the job's result)."""
    index = holder()
    with index.lock:
        fresh = _build(index)
    return (f"Index de rapprochement reconstruit : {fresh.candidate_count} candidat(s) et "
            f"{fresh.offer_count} offre(s) ouverte(s).")


def rebuild_job() -> str:
    """The nightly job: log the candidates whose eligibility expired with the date (the other
    processes drop it at their next catch-up), rebuild, then delete the change log entries older
    than a day (the rebuild covers them; changelog.py). Returns the French result."""
    with Session(db.engine) as session, session.begin():
        expired = changelog.record_expired_eligibility(session, today())
    summary = rebuild_index()
    with Session(db.engine) as session, session.begin():
        pruned = changelog.prune(session)
    return (f"{summary} {expired} candidat(s) dont l'éligibilité a expiré signalé(s) aux autres processus. "
            f"{pruned} entrée(s) du journal des changements supprimée(s).")


def _build(index: IndexHolder) -> MatchingEngine:
    """Read everything into a new engine and swap it in (the caller holds index.lock). Changes
    committed while the database was being read are noted, then replayed on the new engine."""
    index.pending_candidates, index.pending_offers = set(), set()
    index.rebuilding = True
    try:
        with Session(db.engine) as reader:
            cursor = changelog.start(reader)  # read before the profiles: nothing falls between
        fresh = _new_engine()
        index.cursor = cursor
        _swap_in(index, fresh)  # from here on, changes go to the new engine directly
    finally:
        index.rebuilding = False
    _apply(fresh, set(index.pending_candidates), set(index.pending_offers))
    return fresh


def _new_engine() -> MatchingEngine:
    fresh = MatchingEngine(certificates=certificates.catalogue())
    fresh.index_candidates(feed.candidate_profiles())
    fresh.index_offers(feed.offer_profiles())
    model = _trained(active_model())
    if model is not None:
        fresh.use_model(model)
    return fresh


def _swap_in(index: IndexHolder, fresh: MatchingEngine) -> None:
    index.engine = fresh
    index.builds += 1
    index.built_at = utcnow()
    log.info("Index de rapprochement construit (%s candidats, %s offres)", fresh.candidate_count, fresh.offer_count)


def warm_start(app: Flask) -> threading.Thread:
    """Build the engine in the background at start-up, when MATCHING_WARM_START is on."""
    def build() -> None:
        with app.app_context():
            try:
                engine()
            except Exception:  # noqa: BLE001 — the first ranking will try again
                log.exception("Index de rapprochement : construction au démarrage impossible")
            finally:
                db.session.remove()

    thread = threading.Thread(target=build, name="matching-warm-start", daemon=True)
    thread.start()
    return thread


# --- Keeping the index current ---------------------------------------------------------------

def apply_changes(candidate_ids: Iterable[int], offer_ids: Iterable[int]) -> None:
    """Re-read these candidates and offers after a committed change: upsert, or remove from the
    index. Does nothing while the engine has not been built (it will read them when it is).
    Reads through a session of its own: called from the committing session's after_commit."""
    candidate_ids, offer_ids = set(candidate_ids), set(offer_ids)
    index = holder()
    if index.rebuilding:
        index.pending_candidates.update(candidate_ids)
        index.pending_offers.update(offer_ids)
    if index.engine is None or not (candidate_ids or offer_ids):
        return
    try:
        with Session(db.engine) as reader:
            _apply(index.engine, candidate_ids, offer_ids, reader)
        index.changed_at = utcnow()
    except Exception:  # noqa: BLE001 — the change is committed; the nightly rebuild catches up
        log.exception("Index de rapprochement : mise à jour impossible (candidats %s, offres %s)",
                      sorted(candidate_ids), sorted(offer_ids))


def _apply(target: MatchingEngine, candidate_ids, offer_ids, session: Session | None = None) -> None:
    if candidate_ids:
        ids = set(candidate_ids)
        found = {p.id: p for p in feed.candidate_profiles(
            sa.and_(Candidate.id.in_(ids), feed.indexable_candidates()), session=session)}
        for candidate_id in ids:
            if candidate_id in found:
                target.upsert_candidate(found[candidate_id])
            else:
                target.remove_candidate(candidate_id)
    if offer_ids:
        ids = set(offer_ids)
        found = {p.id: p for p in feed.offer_profiles(sa.and_(Offer.id.in_(ids), feed.open_offers(today())),
                                                     session=session)}
        for offer_id in ids:
            if offer_id in found:
                target.upsert_offer(found[offer_id])
            else:
                target.remove_offer(offer_id)


# --- Rankings --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankingFilters:
    """The facilitator's filters on suggested candidates (plain values)."""

    max_distance_km: int | None = None
    criteria: frozenset[str] = frozenset()
    available_within_days: int | None = None
    exclude_proposed: bool = True
    # Certificates required for this search (codes; None: the offer's own), and whether a
    # candidate lacking one is left out ("Exiger") or ranked after the holders ("Préférer").
    certificates: frozenset[str] | None = None
    require_certificates: bool = False


def _fetch_size(k: int) -> int:
    return min(max(k * OVERFETCH, 100), MAX_FETCH)


def candidates_for_offer(offer: Offer, user: User, filters: RankingFilters | None = None,
                         k: int = DEFAULT_K) -> list[queries.SuggestedCandidate]:
    """The best candidates of the offer's territory for `offer`, best first, with the reasons."""
    if not permissions.can_rank_candidates(user, offer):
        raise NotAllowed("Seule l'équipe de facilitation du territoire consulte les candidats suggérés.")
    filters = filters or RankingFilters()
    profile = feed.offer_profile(offer)
    if filters.criteria:
        # Only the ticked publics that the offer accepts (all of them when it lists none).
        wanted = filters.criteria & profile.eligible_criteria if profile.eligible_criteria else filters.criteria
        if not wanted:
            return []
        profile = replace(profile, eligible_criteria=frozenset(wanted))
    if filters.certificates is not None:
        profile = replace(profile, required_certificates=filters.certificates,
                          wished_certificates=profile.wished_certificates - filters.certificates)
    if filters.require_certificates:
        profile = replace(profile, certificate_mode="require")
    on = today()
    matches = engine().candidates_for(profile, k=_fetch_size(k))
    available_by = on + timedelta(days=filters.available_within_days) \
        if filters.available_within_days is not None else None
    rows = queries.candidate_rows(offer, [m.id for m in matches], on, available_by, filters.exclude_proposed)
    found = []
    for match in matches:
        row = rows.get(match.id)
        if row is None or not _within(row, offer, filters.max_distance_km):
            continue
        found.append(queries.SuggestedCandidate.of(row, match))
        if len(found) == k:
            break
    return found


def _within(row, offer: Offer, max_km: int | None) -> bool:
    if max_km is None:
        return True
    distance = queries.distance_km(row, offer)
    return distance is not None and distance <= max_km


def offers_for_candidate(candidate: Candidate, user: User, k: int = DEFAULT_K) -> list[queries.SuggestedOffer]:
    """The best open offers of the candidate's territory that they were not proposed to yet."""
    if not permissions.can_see_suggested_offers(user, candidate):
        raise NotAllowed("Seule la structure qui suit cette personne consulte ses offres suggérées.")
    if not candidate.is_active or not candidate.available:
        return []
    # Declared criteria count here: a prescriber may propose on them, the guichet then checks.
    profile = next(feed.candidate_profiles(Candidate.id == candidate.id, with_declared=True), None)
    if profile is None:
        return []
    # Only the criteria the user's organisation declared (a merge may have brought others).
    shown = {row.criterion.value for row in visible_criteria(user, candidate)}
    profile = replace(profile, criteria=profile.criteria & shown)
    matches = engine().offers_for(profile, k=_fetch_size(k))
    rows = queries.offer_rows(candidate, [m.id for m in matches], today())
    return [queries.SuggestedOffer.of(rows[m.id], m) for m in matches if m.id in rows][:k]


# --- Learnt models ---------------------------------------------------------------------------

def active_model() -> MatchingModel | None:
    """The learnt model the engine uses, or None: the fixed weights."""
    return db.session.scalar(sa.select(MatchingModel).where(MatchingModel.is_active.is_(True))
                             .order_by(MatchingModel.trained_at.desc(), MatchingModel.id.desc()).limit(1))


def _trained(row: MatchingModel | None):
    return training.as_trained(row) if row is not None else None


def train_model(actor: User | None = None) -> "training.TrainingOutcome":
    """Fit a model on the recorded outcomes (training.py) and store it; this process's engine
    follows at once (the learnt model when it became active, else the fixed weights), the
    other processes at the nightly rebuild."""
    outcome = training.train_and_store(actor)
    index = holder()
    if index.engine is not None and outcome.model is not None:
        if outcome.model.is_active:
            index.engine.use_model(_trained(outcome.model))
        else:
            index.engine.use_fixed_weights()
    return outcome


def train_model_job() -> str:
    """The weekly job: train, store, apply; the French result."""
    return train_model().message
