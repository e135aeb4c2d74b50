"""Running totals of the hours entries per lot, month, kind, status and mode.

A territory's home page, its lagging lots and its hours queue add up millions of entries; these
totals (a few rows per lot and month) give the same sums from a table a thousand times smaller.
They are kept by database triggers on `hours_entries` (PostgreSQL and SQLite alike), so that
every write — the services, a bulk UPDATE, an import, a merge, raw SQL — moves them in the same
transaction: there is no code path that could forget. Rows whose `entries` fell to 0 stay (a
later entry reuses them); readers keep to `entries > 0` where a row's existence matters.

Entries deleted at the end of their accountability period (privacy/retention.py) leave their
amounts in `archived_lot_month_hours` (same key) and in the totals: a lot's totals never fall
when a person's details are reduced to aggregates. The totals are the entries plus the archive.

`rebuild()` recomputes them from the entries and the archive (after a bulk load with the triggers disabled, or as
a repair: `flask hours totals-rebuild`); `mismatches()` compares both (`flask hours totals-check`).
"""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import enum_type
from clausematch.extensions import db
from clausematch.pathways.models import HoursEntry, HoursKind, HoursStatus
from clausematch.vocabulary import Mode

CENT = Decimal("0.01")
KEY = ("lot_id", "month", "kind", "status", "mode")


class LotMonthHours(db.Model):
    """Sum and number of the hours entries sharing a lot, month, kind, status and mode."""

    __tablename__ = "lot_month_hours"
    # A lot's counted hours (status, kind) summed from the index alone, whatever its months and modes.
    __table_args__ = (sa.Index("ix_lot_month_hours_lot_status_kind", "lot_id", "status", "kind", "hours"),)

    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[HoursKind] = mapped_column(enum_type(HoursKind, name="totals_hours_kind"), primary_key=True)
    status: Mapped[HoursStatus] = mapped_column(enum_type(HoursStatus, name="totals_hours_status"),
                                                primary_key=True)
    mode: Mapped[Mode] = mapped_column(enum_type(Mode, name="totals_mode"), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0)


class ArchivedLotMonthHours(db.Model):
    """Sum and number of the hours entries deleted at the end of the accountability period, by the
    totals' key: kept in the totals, and added back by `rebuild` and `mismatches`."""

    __tablename__ = "archived_lot_month_hours"

    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[HoursKind] = mapped_column(enum_type(HoursKind, name="archived_hours_kind"), primary_key=True)
    status: Mapped[HoursStatus] = mapped_column(enum_type(HoursStatus, name="archived_hours_status"),
                                                primary_key=True)
    mode: Mapped[Mode] = mapped_column(enum_type(Mode, name="archived_mode"), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0)


# --- The triggers (the migration 0007 holds its own copy of this SQL, as history) -----------

_COLUMNS = ", ".join(KEY)


def _upsert(row: str, sign: str, sqlite: bool) -> str:
    """Add (sign '') or remove (sign '-') the entry `row` (NEW or OLD) to/from its total."""
    values = ", ".join(f"{row}.{column}" for column in KEY)
    target = "" if sqlite else "lot_month_hours."
    return (f"INSERT INTO lot_month_hours ({_COLUMNS}, entries, hours) VALUES ({values}, {sign}1, {sign}{row}.hours) "
            f"ON CONFLICT ({_COLUMNS}) DO UPDATE SET entries = {target}entries + excluded.entries, "
            f"hours = {target}hours + excluded.hours;")


_CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (*KEY, "hours"))
_CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (*KEY, "hours"))

POSTGRESQL_DDL = [
    f"""CREATE OR REPLACE FUNCTION lot_month_hours_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {_upsert("OLD", "-", False)} END IF;
  IF TG_OP <> 'DELETE' THEN {_upsert("NEW", "", False)} END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER hours_entries_totals AFTER INSERT OR DELETE ON hours_entries "
    "FOR EACH ROW EXECUTE FUNCTION lot_month_hours_apply()",
    f"CREATE TRIGGER hours_entries_totals_update AFTER UPDATE ON hours_entries "
    f"FOR EACH ROW WHEN ({_CHANGED_PG}) EXECUTE FUNCTION lot_month_hours_apply()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS hours_entries_totals_update ON hours_entries",
    "DROP TRIGGER IF EXISTS hours_entries_totals ON hours_entries",
    "DROP FUNCTION IF EXISTS lot_month_hours_apply()",
]
SQLITE_DDL = [
    f"CREATE TRIGGER hours_entries_totals_insert AFTER INSERT ON hours_entries BEGIN {_upsert('NEW', '', True)} END",
    f"CREATE TRIGGER hours_entries_totals_delete AFTER DELETE ON hours_entries BEGIN {_upsert('OLD', '-', True)} END",
    f"CREATE TRIGGER hours_entries_totals_update AFTER UPDATE ON hours_entries WHEN {_CHANGED_SQLITE} "
    f"BEGIN {_upsert('OLD', '-', True)} {_upsert('NEW', '', True)} END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in
               ("hours_entries_totals_insert", "hours_entries_totals_delete", "hours_entries_totals_update")]


def _create_triggers(target, connection, **kw) -> None:
    for statement in POSTGRESQL_DDL if connection.dialect.name == "postgresql" else SQLITE_DDL:
        connection.exec_driver_sql(statement)


# create_all (tests) creates the triggers with the entries' table; their bodies name the totals'
# table, resolved when they fire.
sa.event.listen(HoursEntry.__table__, "after_create", _create_triggers)


@contextmanager
def suspended() -> Iterator[None]:
    """Bulk loads (`flask seed scale`): the triggers are off while the entries are written, then
    the totals are computed at once — one GROUP BY instead of an upsert per row. Inside the
    caller's transaction; on PostgreSQL the entries' table stays locked until it ends."""
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    for statement in (["ALTER TABLE hours_entries DISABLE TRIGGER USER"] if postgresql else SQLITE_DROP):
        connection.exec_driver_sql(statement)
    yield
    for statement in (["ALTER TABLE hours_entries ENABLE TRIGGER USER"] if postgresql else SQLITE_DDL):
        connection.exec_driver_sql(statement)
    rebuild()


# --- Repair and checks ------------------------------------------------------------------------

def _grouped_entries() -> sa.Select:
    """Per key, the entries' number and sum plus what the archive keeps of deleted ones."""
    live = sa.select(*(getattr(HoursEntry, column) for column in KEY), sa.literal(1).label("entries"),
                     HoursEntry.hours.label("hours"))
    archived = sa.select(*(getattr(ArchivedLotMonthHours, column) for column in KEY),
                         ArchivedLotMonthHours.entries, ArchivedLotMonthHours.hours)
    both = sa.union_all(live, archived).subquery()
    key = [both.c[column] for column in KEY]
    return sa.select(*key, sa.func.sum(both.c.entries), sa.func.sum(both.c.hours)).group_by(*key)


def rebuild() -> int:
    """Recompute every total from the entries, in the caller's transaction; the table is locked
    against the triggers meanwhile on PostgreSQL (writers wait, then apply their change to the
    fresh totals). Returns the number of total rows."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE lot_month_hours IN EXCLUSIVE MODE"))
    db.session.execute(sa.delete(LotMonthHours))
    db.session.execute(sa.insert(LotMonthHours).from_select([*KEY, "entries", "hours"], _grouped_entries()))
    return db.session.scalar(sa.select(sa.func.count()).select_from(LotMonthHours))


def mismatches(limit: int = 20) -> list[tuple]:
    """Keys whose total differs from its entries, as (key, (entries, hours) from the entries,
    (entries, hours) from the totals), at most `limit`; empty when the totals are right. Both
    sides are read grouped (one row per lot-month-kind-status-mode), compared in Python."""
    def read(stmt) -> dict:
        return {tuple(row[:5]): (row[5], Decimal(row[6] or 0).quantize(CENT)) for row in db.session.execute(stmt)}

    expected = read(_grouped_entries())
    kept = read(sa.select(*(getattr(LotMonthHours, c) for c in KEY), LotMonthHours.entries, LotMonthHours.hours)
                .where(LotMonthHours.entries != 0))
    wrong = [(key, expected.get(key), kept.get(key)) for key in expected.keys() | kept.keys()
             if expected.get(key) != kept.get(key)]
    return sorted(wrong, key=str)[:limit]
