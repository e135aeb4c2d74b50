"""Bulk loading of empty tables for the scale seed: constraints and indexes set aside while rows
are copied (the copying itself is clausematch/bulk.py)."""
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from clausematch.extensions import db


@contextmanager
def constraints_deferred(models) -> Iterator[None]:
    """PostgreSQL bulk load of empty tables: their foreign keys and secondary indexes are dropped
    while rows are copied, then created again at once — one validating join per foreign key and
    one sort per index instead of a check and an index insertion per row (10 million hours
    entries: six foreign keys each). Primary keys and unique constraints stay. Inside the
    caller's transaction: a failure leaves the schema as it was. No-op on SQLite."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield
        return
    tables = [model.__table__ for model in models]
    foreign_keys = [fk for table in tables for fk in table.foreign_key_constraints]
    indexes = [index for table in tables for index in table.indexes]
    for fk in foreign_keys:
        connection.execute(DropConstraint(fk))
    for index in indexes:
        connection.execute(DropIndex(index))
    yield
    for index in indexes:
        connection.execute(CreateIndex(index))
    for fk in foreign_keys:
        connection.execute(AddConstraint(fk))
