"""Portable SQL pieces (SQLite and PostgreSQL) and the arithmetic shared by the reports."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from clausematch.reporting.masking import is_small

CENT = Decimal("0.01")


class day_number(FunctionElement):
    """Days since a fixed origin for a DATE expression: differences give durations in days."""

    type = sa.Float()
    inherit_cache = True
    name = "day_number"


@compiles(day_number)
def _day_number_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} - DATE '2000-01-01') AS FLOAT)"


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return f"(julianday({compiler.process(element.clauses, **kw)}) - julianday('2000-01-01'))"


class unordered(FunctionElement):
    """The same value, written `column + 0` on SQLite only: SQLite then no longer walks that
    column's index to group or filter — over millions of hours rows, reading the table in index
    order is random I/O, several times slower than one scan with a temporary B-tree. PostgreSQL
    gets the bare column: its covering index (ix_hours_entries_lot_status_month) answers with an
    index-only scan, 3 times faster than a scan at 10 million entries (docs/explain/)."""

    inherit_cache = True
    name = "unordered"

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(unordered)
def _unordered_default(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unordered, "sqlite")
def _unordered_sqlite(element, compiler, **kw):
    return f"({compiler.process(element.clauses, **kw)} + 0)"


def date_digits(column) -> sa.ColumnElement:
    """20240315 for 15 March 2024: two of these subtract to compare ages without date
    arithmetic (under 26 on a day ⇔ digits(day) − digits(birth) < 260000)."""
    return (sa.extract("year", column) * 10000 + sa.extract("month", column) * 100
            + sa.extract("day", column))


def count_if(condition) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def sum_if(condition, value) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, value), else_=0)), 0)


def decimal(value) -> Decimal:
    """An aggregate read back from either database (Decimal, float, int, text or None), to the cent."""
    if value is None:
        return Decimal(0).quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


def ratio(part, whole) -> Decimal | None:
    """part ÷ whole, never capped (114 % is a result, not an error); None when whole is 0 or None,
    or when either is a masked count of people (a share would give the hidden value back)."""
    if not whole or is_small(part) or is_small(whole):
        return None
    return Decimal(str(part or 0)) / Decimal(str(whole))


def month_floor(day: date) -> date:
    return day.replace(day=1)
