"""The words of each candidate's names, normalised, one row each (table candidate_name_words):
what the name search (search.py) looks up through btree indexes, by exact word, by prefix, or by
the word's consonant skeleton (text.skeleton, written beside the word).

The rows follow the candidates by mapper events, in the flush that creates or renames a record,
so no service has to think of them; records inserted in bulk without the ORM's per-row events
get theirs from `insert_name_words` (the imports) or `rebuild_name_words` (seeds, migration).
"""
import sqlalchemy as sa

from clausematch import bulk
from clausematch.candidates.models import Candidate, CandidateNameWord
from clausematch.text import normalise, skeleton

WORD_MAX_LENGTH = 100
BATCH = 5_000


def name_words(first_name: str | None, last_name: str | None) -> list[str]:
    """The distinct normalised words of the names: "Benoît Martin-Dupont" → benoit, martin, dupont."""
    words = normalise(f"{first_name or ''} {last_name or ''}").split()
    return list(dict.fromkeys(word[:WORD_MAX_LENGTH] for word in words))


def _rows(candidate_id: int, first_name: str | None, last_name: str | None) -> list[dict]:
    return [{"candidate_id": candidate_id, "word": word, "skeleton": skeleton(word)}
            for word in name_words(first_name, last_name)]


def _after_insert(mapper, connection, target: Candidate) -> None:
    rows = _rows(target.id, target.first_name, target.last_name)
    if rows:
        connection.execute(sa.insert(CandidateNameWord.__table__), rows)


def _after_update(mapper, connection, target: Candidate) -> None:
    state = sa.inspect(target)
    if not (state.attrs.first_name.history.has_changes() or state.attrs.last_name.history.has_changes()):
        return
    table = CandidateNameWord.__table__
    connection.execute(sa.delete(table).where(table.c.candidate_id == target.id))
    _after_insert(mapper, connection, target)


def insert_name_words(people) -> None:
    """The rows of candidates inserted in bulk, in the session's transaction: `people` holds
    (id, first name, last name) each."""
    bulk.write_dicts(CandidateNameWord, (row for person in people for row in _rows(*person)))


def connect() -> None:
    """Follow candidates' names (connecting again is a no-op)."""
    for name, listener in (("after_insert", _after_insert), ("after_update", _after_update)):
        if not sa.event.contains(Candidate, name, listener):
            sa.event.listen(Candidate, name, listener)


def rebuild_name_words(connection: sa.Connection) -> int:
    """Write the rows of every candidate again (after a bulk load); returns the number of words."""
    table = CandidateNameWord.__table__
    candidates = sa.table("candidates", sa.column("id"), sa.column("first_name"), sa.column("last_name"))
    connection.execute(sa.delete(table))
    written, last_id = 0, 0
    while True:
        batch = connection.execute(
            sa.select(candidates.c.id, candidates.c.first_name, candidates.c.last_name)
            .where(candidates.c.id > last_id).order_by(candidates.c.id).limit(BATCH)).all()
        if not batch:
            return written
        rows = [row for candidate in batch for row in _rows(*candidate)]
        if rows:
            connection.execute(sa.insert(table), rows)
        written += len(rows)
        last_id = batch[-1].id
