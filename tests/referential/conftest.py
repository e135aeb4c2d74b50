"""Referential-test helpers: a SQL statement counter (the shared search index is a root fixture)."""
import pytest
import sqlalchemy as sa


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
