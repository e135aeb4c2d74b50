"""Keeps the matching indexes current from session events: no feature calls matching.

- At each flush of the app's session (db.session), the ids of the candidates and offers added,
  changed or deleted are noted in session.info, with the candidate of each desired job and
  eligibility criterion added, changed or deleted: what a profile is built from (see feed.py).
  The same ids are written to the change log (changelog.record) in the flush's transaction, for
  the other processes: committed with the change, rolled back with it.
- ORM bulk UPDATE and DELETE statements on those tables do not flush: the ids they are about to
  touch are read just before they run, noted and written to the change log the same way. An ORM
  bulk INSERT (the imports, the demo seed) is noted from its parameters (the candidate of a
  criterion or desired job, the ids of candidates or offers when the caller sets them) or else
  from the ids it returns: it must then say `.returning(Model.id)` (refused otherwise, so that no
  bulk-loaded profile goes unnoticed).
- After the commit of the outermost transaction, the noted ids go to services.apply_changes
  (re-read, then upserted or removed); a released savepoint waits for the outer commit.
- When the outermost transaction ends without a commit (rollback, close), the notes are dropped.
The reference tables (communes, appellations) are not watched: the nightly rebuild reads them.

Only applications that called init_app are concerned (the listeners are shared by every app of
the process, since they all use the same db.session): see `_watching`.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from clausematch.candidates.models import Candidate, CandidateDesiredJob, EligibilityCriterion
from clausematch.extensions import db
from clausematch.matching import changelog, services
from clausematch.offers.models import Offer

ENABLED_KEY = "matching.events"
CHANGES_KEY = "matching.changes"
# Watched tables: for each, the column holding the id of the profile a row belongs to.
CANDIDATE_SIDE = {Candidate.__tablename__: Candidate.id,
                  CandidateDesiredJob.__tablename__: CandidateDesiredJob.candidate_id,
                  EligibilityCriterion.__tablename__: EligibilityCriterion.candidate_id}
OFFER_SIDE = {Offer.__tablename__: Offer.id}


@dataclass
class Changes:
    """The ids of the profiles changed by the session's current transaction."""

    candidates: set[int] = field(default_factory=set)
    offers: set[int] = field(default_factory=set)


def init_app(app: Flask) -> None:
    app.extensions[ENABLED_KEY] = True
    for name, listener in (("after_flush", _after_flush), ("do_orm_execute", _before_bulk_statement),
                           ("after_commit", _after_commit), ("after_transaction_end", _after_transaction_end)):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def _watching() -> bool:
    return has_app_context() and current_app.extensions.get(ENABLED_KEY, False)


def _changes(session: Session) -> Changes:
    return session.info.setdefault(CHANGES_KEY, Changes())


def _after_flush(session: Session, flush_context) -> None:
    if not _watching():
        return
    flushed = Changes()
    for row in (*session.new, *session.dirty, *session.deleted):
        if isinstance(row, Candidate):
            flushed.candidates.add(_row_id(row))
        elif isinstance(row, Offer):
            flushed.offers.add(_row_id(row))
        elif isinstance(row, (CandidateDesiredJob, EligibilityCriterion)):
            flushed.candidates.update(_owners(row))
    _note(session, flushed)


def _note(session: Session, found: Changes) -> None:
    """Log the profiles in the session's transaction, and note them for this process's index.
    Each flush logs what it touched: a savepoint rolled back takes its entries with it."""
    changelog.record(session.connection(), found.candidates, found.offers)
    changes = _changes(session)
    changes.candidates |= found.candidates
    changes.offers |= found.offers


def _row_id(row: Candidate | Offer) -> int:
    """Without loading anything: a new row has its id but no identity yet, an expired one the reverse."""
    state = sa.inspect(row)
    return state.identity[0] if state.identity else state.dict["id"]


def _owners(row: CandidateDesiredJob | EligibilityCriterion) -> set[int]:
    """The row's candidate, and the previous one when it moved (a merge); read without loading
    anything, since a deleted row can no longer be loaded."""
    state = sa.inspect(row)
    owners = {state.dict.get("candidate_id"), *state.attrs.candidate_id.history.deleted}
    owners.update(owner.id for owner in state.attrs.candidate.history.deleted if owner is not None)
    return {owner for owner in owners if owner is not None}


def _before_bulk_statement(state: ORMExecuteState):
    """Note the profiles an UPDATE or DELETE statement is about to change, or an INSERT adds (they
    skip the flush)."""
    if not _watching():
        return None
    if state.is_insert:
        return _bulk_insert(state)
    if not (state.is_update or state.is_delete):
        return None
    table = getattr(state.statement.table, "name", None)
    for side, columns in (("candidates", CANDIDATE_SIDE), ("offers", OFFER_SIDE)):
        if table in columns:
            found = Changes()
            getattr(found, side).update(state.session.execute(_touched(state, columns[table])).scalars())
            _note(state.session, found)


def _bulk_insert(state: ORMExecuteState):
    """Criteria and desired jobs: their candidates are in the parameters. Candidates and offers:
    the statement runs here and its returned ids are noted; the caller gets the same result."""
    table = getattr(state.statement.table, "name", None)
    rows = state.parameters if isinstance(state.parameters, list) else [state.parameters or {}]
    if table in CANDIDATE_SIDE and table != Candidate.__tablename__:
        _note(state.session, Changes(candidates={row["candidate_id"] for row in rows if row.get("candidate_id")}))
        return None
    if table not in (Candidate.__tablename__, *OFFER_SIDE):
        return None
    side = "candidates" if table == Candidate.__tablename__ else "offers"
    given = [row.get("id") for row in rows]
    if rows and all(id is not None for id in given):  # ids set by the caller (the demo seed)
        _note(state.session, Changes(**{side: set(given)}))
        return None
    if "id" not in {column["name"] for column in state.statement.returning_column_descriptions}:
        raise RuntimeError(f"Insertion en masse dans {table} sans identifiants ni .returning(id) : l'index de "
                           "rapprochement ne la verrait pas.")
    frozen = state.invoke_statement().freeze()
    _note(state.session, Changes(**{side: {row.id for row in frozen()}}))
    return frozen()


def _touched(state: ORMExecuteState, owner: sa.ColumnElement) -> sa.Select:
    query = sa.select(owner)
    if state.statement.whereclause is not None:
        query = query.where(state.statement.whereclause)
    if isinstance(state.parameters, list):  # bulk UPDATE by primary key: one dict per row
        query = query.where(owner.table.c.id.in_([row["id"] for row in state.parameters]))
    return query


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint: the outer transaction may still roll back
        return
    changes = session.info.pop(CHANGES_KEY, None)
    if changes is not None and _watching():
        services.apply_changes(changes.candidates, changes.offers)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # after a commit the notes were applied already
        session.info.pop(CHANGES_KEY, None)
