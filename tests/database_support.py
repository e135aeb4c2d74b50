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
    """Delete every row of the domain tables (reference tables kept), in dependency order. On
    PostgreSQL only the tables holding rows are emptied (a TRUNCATE of every table took about a
    third of a second per test, most tests touch a few), and the sequences then start again at 1,
    as RESTART IDENTITY did."""
    tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            _empty_postgresql(conn, tables)
        else:
            for table in tables:
                conn.execute(table.delete())


def _empty_postgresql(conn: sa.Connection, tables: list[sa.Table]) -> None:
    holding = sa.text(" UNION ALL ".join(f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM {t.name})" for t in tables))
    for _ in range(3):  # again when a trigger refilled a table emptied before (the hours totals)
        filled = set(conn.execute(holding).scalars())
        if not filled:
            break
        for table in tables:
            if table.name in filled:
                conn.execute(table.delete())
    else:
        if filled := set(conn.execute(holding).scalars()):
            raise RuntimeError(f"Tables encore remplies après trois passages : {sorted(filled)}")
    sequences = [name for name in conn.execute(sa.text(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL"
    )).scalars() if not name.startswith(tuple(f"{table}_" for table in REFERENCE_TABLES))]
    if sequences:
        conn.execute(sa.text("SELECT " + ", ".join(f"setval('{name}', 1, false)" for name in sequences)))
