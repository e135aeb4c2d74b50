"""Referential-test helpers: one search index per test run, and a SQL statement counter."""
import pytest
import sqlalchemy as sa

from clausematch.referential.search import EXTENSION_KEY, ReferentialIndex

_built: dict[str, ReferentialIndex] = {}


@pytest.fixture
def referential_index(app):
    """The search index, read from the database once per run and handed to each test's app
    (building it takes a second or two; the reference tables never change between tests)."""
    if "index" not in _built:
        _built["index"] = ReferentialIndex.from_database()
    app.extensions[EXTENSION_KEY] = _built["index"]
    return _built["index"]


class StatementCounter:
    """Records the SQL statements run on an engine while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self._record)


@pytest.fixture
def count_statements(db):
    """`with count_statements() as counter:` … `counter.statements`."""
    return lambda: StatementCounter(db.engine)
