"""Previewing and committing an import: the file read (tabular, or the kind's own reader when it
has one: `read_table(data, file_name, territory) -> Table`, as DECP), the kind run, every line's
outcome reported; a commit writes all the lines or none.

`commit` locks the territory row first (database.lock): two imports into one territory run one
after the other, and the second plans against what the first wrote (its lines are then
unchanged). The kind is re-run under the lock with `write=True`, whatever a preview said: the
plan is never taken from a client. A commit with one refused line writes nothing. The audit
event names the file and its checksum and counts the lines, never their content (no personal
data in logs or audit details)."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clausematch import audit
from clausematch.accounts.models import Territory, User
from clausematch.contracts.permissions import can_manage_in_territory
from clausematch.database import lock, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.imports.base import ImportKind, LineResult, Outcome
from clausematch.imports.kinds import KINDS
from clausematch.imports.tabular import Table, read_table
from clausematch.imports.uploads import ImportUpload, purge_old_uploads


@dataclass
class Report:
    kind: ImportKind
    file_name: str
    sha256: str
    results: list[LineResult]
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    committed: bool = False

    @property
    def counts(self) -> dict[Outcome, int]:
        counted = Counter(result.outcome for result in self.results)
        return {outcome: counted.get(outcome, 0) for outcome in Outcome}

    @property
    def refused(self) -> list[LineResult]:
        return [result for result in self.results if result.outcome == Outcome.REFUSED]

    @property
    def others(self) -> list[LineResult]:
        return [result for result in self.results if result.outcome != Outcome.REFUSED]


def kind_named(name: str) -> ImportKind:
    kind = KINDS.get(name)
    if kind is None:
        raise DomainError("Type d'import inconnu : choisissez " + ", ".join(k.label for k in KINDS.values()) + ".")
    return kind


def checksum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_allowed(actor: User | None, territory: Territory) -> None:
    """Imports are the territory's facilitators' (`actor` None: the command line, run by an operator)."""
    if actor is not None and not can_manage_in_territory(actor, territory.id):
        raise NotAllowed("Seule l'équipe de facilitation du territoire importe des données.")


def _read(kind: ImportKind, territory: Territory, data: bytes, file_name: str) -> Table:
    own_reader = getattr(kind, "read_table", None)
    return own_reader(data, file_name, territory) if own_reader else read_table(kind, data, file_name)


def preview(kind: ImportKind, territory: Territory, actor: User | None, data: bytes, file_name: str) -> Report:
    """What a commit of `data` would do, line by line; writes nothing."""
    check_allowed(actor, territory)
    table = _read(kind, territory, data, file_name)
    try:
        results = kind.run(territory, actor, table.rows, write=False)
    finally:
        db.session.rollback()  # nothing was added; ends the read transaction
    return Report(kind, file_name, checksum(data), results, table.ignored, table.notes)


def commit(kind: ImportKind, territory: Territory, actor: User | None, data: bytes, file_name: str,
           upload: ImportUpload | None = None) -> Report:
    """Import `data` into `territory`: every line, or none when one is refused (the report lists
    the refusals, `committed` False). `upload`: the stored file, marked committed in the same
    transaction."""
    check_allowed(actor, territory)
    table = _read(kind, territory, data, file_name)  # read before the lock: the lock is held for the writes only
    territory_id = territory.id
    locked = lock(db.session, Territory, territory_id)
    if locked is None:
        raise DomainError("Ce territoire n'existe plus.")
    db.session.expire_all()  # records read earlier in this session are read again, under the lock
    report = Report(kind, file_name, checksum(data), [], table.ignored, table.notes)
    try:
        report.results = kind.run(locked, actor, table.rows, write=True)
        if report.refused:
            db.session.rollback()
            return report
        counts = report.counts
        audit.record(f"import.{kind.name}", "territory", territory_id, actor_id=actor.id if actor else None,
                     file_name=file_name[:200], sha256=report.sha256, created=counts[Outcome.CREATED],
                     updated=counts[Outcome.UPDATED], unchanged=counts[Outcome.UNCHANGED])
        if upload is not None:
            upload.committed_at = utcnow()
        db.session.commit()
    except IntegrityError:  # a record of the file created meanwhile outside the import (a typed contract…)
        db.session.rollback()
        raise DomainError("Un enregistrement de ce fichier a été créé entre-temps : relancez l'import.") from None
    except BaseException:
        db.session.rollback()
        raise
    report.committed = True
    _refresh_statistics(kind, counts[Outcome.CREATED] + counts[Outcome.UPDATED])
    return report


# Lines written from which PostgreSQL's statistics of the kind's tables are refreshed.
ANALYSE_FROM = 1_000


def _refresh_statistics(kind: ImportKind, written: int) -> None:
    """ANALYZE the kind's tables after a large import on PostgreSQL. Plans made while they were
    small — among them the generic plans of the statements each pooled connection keeps prepared —
    would otherwise scan them whole until autovacuum passes: re-importing 100 000 companies right
    after their first import took minutes instead of seconds. ANALYZE invalidates those plans."""
    if written < ANALYSE_FROM or db.engine.dialect.name != "postgresql":
        return
    db.session.execute(sa.text("ANALYZE " + ", ".join(kind.tables)))  # names from the code, never from input
    db.session.commit()


# --- The page's uploads: previewed, kept server-side, committed once ---------------------------

def store_upload(kind: ImportKind, territory: Territory, actor: User, data: bytes, file_name: str) -> ImportUpload:
    """Keep a previewed file until its commit (uploads older than a day purged on the way)."""
    purge_old_uploads()
    upload = ImportUpload(territory_id=territory.id, user_id=actor.id, kind=kind.name, file_name=file_name[:200],
                          sha256=checksum(data), data=data)
    db.session.add(upload)
    db.session.commit()
    return upload


def upload_of(actor: User, upload_id: int, territory_id: int | None) -> ImportUpload | None:
    """The actor's own upload in their territory, else None (another person's file is never shown)."""
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.user_id != actor.id or upload.territory_id != territory_id:
        return None
    return upload


ALREADY_IMPORTED = "Ce fichier a déjà été importé (un seul import par envoi) : rien n'a été enregistré de nouveau."


def commit_upload(actor: User, upload_id: int, territory_id: int | None) -> Report:
    """Commit a stored upload: its row is locked first, so a double click imports once (the second
    finds `committed_at` set and is refused); then the territory (see `commit`)."""
    if upload_of(actor, upload_id, territory_id) is None:
        raise DomainError("Ce fichier n'est plus disponible : envoyez-le de nouveau.")
    upload = lock(db.session, ImportUpload, upload_id)
    if upload is None:
        raise DomainError("Ce fichier n'est plus disponible : envoyez-le de nouveau.")
    if upload.committed_at is not None:
        db.session.rollback()
        raise DomainError(ALREADY_IMPORTED)
    territory = db.session.get(Territory, upload.territory_id)
    return commit(kind_named(upload.kind), territory, actor, upload.data, upload.file_name, upload=upload)
