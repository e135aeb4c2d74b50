"""Fast bulk insert of rows: PostgreSQL COPY (psycopg's copy API), SQLite executemany in
batches. Rows are tuples in the order of the given columns; columns left out get their
Python-side default (evaluated once per call) or the database's. COPY goes around the ORM and its
session events: the callers are the scale seed, the benchmarks and the imports, for tables no
session event follows (the imports insert the people themselves through the session)."""
import itertools
import json
from collections.abc import Iterable

import sqlalchemy as sa

from clausematch.extensions import db

BATCH = 20_000


def write(model, columns: tuple[str, ...], rows: Iterable[tuple]) -> int:
    """Insert `rows` into the table of `model`; returns how many were written (not committed)."""
    table = model.__table__
    defaults = {c.name: _default(c) for c in table.c
                if c.name not in columns and c.default is not None and not c.primary_key}
    names = (*columns, *defaults)
    extra = tuple(defaults.values())
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        return _copy(connection, table, names, extra, rows)
    statement = sa.insert(table)
    batch, total = [], 0
    for row in rows:
        batch.append(dict(zip(names, (*row, *extra), strict=True)))
        if len(batch) == BATCH:
            connection.execute(statement, batch)
            total, batch = total + len(batch), []
    if batch:
        connection.execute(statement, batch)
        total += len(batch)
    return total


def _default(column: sa.Column):
    arg = column.default.arg
    return arg(None) if callable(arg) else arg


def _copy(connection, table: sa.Table, names: tuple[str, ...], extra: tuple, rows: Iterable[tuple]) -> int:
    """COPY … FROM STDIN: enums written as their stored value, JSON serialised, the rest adapted
    by psycopg."""
    converters = [_converter(table.c[name].type) for name in names]
    plain = all(convert is None for convert in converters)
    cursor = connection.connection.driver_connection.cursor()
    total = 0
    quoted = ", ".join(f'"{name}"' for name in names)
    with cursor.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            values = (*row, *extra)
            if not plain:
                values = [v if f is None or v is None else f(v) for f, v in zip(converters, values, strict=True)]
            copy.write_row(values)
            total += 1
    return total


def _converter(type_):
    if isinstance(type_, sa.Enum):
        return lambda member: member.value if hasattr(member, "value") else member
    if isinstance(type_, sa.JSON):
        return json.dumps
    return None


def write_dicts(model, rows: Iterable[dict]) -> int:
    """write() for rows given as dicts, each with the keys of the first (benchmarks/ use it)."""
    iterator = iter(rows)
    first = next(iterator, None)
    if first is None:
        return 0
    columns = tuple(first)
    return write(model, columns, (tuple(row[name] for name in columns) for row in itertools.chain([first], iterator)))
