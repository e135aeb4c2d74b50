"""Database helpers shared by every test folder: the SQL statement counter behind the
`count_queries` fixture (tests/conftest.py), and the emptying of the domain tables between tests
or after a seeded module. Importable as `database_support` (tests/ is on sys.path)."""
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

# Loaded once per run and never changed by a test: left in place when the domain tables are emptied.
REFERENCE_TABLES = frozenset({"rome_codes", "rome_appellations", "communes"})


@contextmanager
def counting_statements(engine: sa.Engine) -> Iterator[list[str]]:
    """The SQL statements run on `engine` inside the block, in order."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def empty_domain_tables(db) -> None:
    """Delete every row of the domain tables (reference tables kept): TRUNCATE … RESTART
    IDENTITY on PostgreSQL, DELETE in dependency order on SQLite."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
