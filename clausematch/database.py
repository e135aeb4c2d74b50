"""Declarative base, naming convention and column helpers shared by every model; the clock and
calendar of the territories (today, local time, months added)."""
import calendar
import enum
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from sqlalchemy.orm.util import identity_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    return utcnow().date()


# The territories' wall clock: scheduled jobs run by it, events are typed and stored in it.
TIMEZONE = "Europe/Paris"


def local_now() -> datetime:
    """Now, aware, on the territories' wall clock."""
    return datetime.now(ZoneInfo(TIMEZONE))


def to_local(moment: datetime) -> datetime:
    """A stored moment (naive UTC) on the territories' wall clock (aware)."""
    return moment.replace(tzinfo=UTC).astimezone(ZoneInfo(TIMEZONE))


def utc_start_of(day: date) -> datetime:
    """Local midnight of `day`, as the naive UTC moment timestamps are stored in."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(TIMEZONE))
    return local.astimezone(UTC).replace(tzinfo=None)


def as_date(value) -> date | None:
    """A date read back from a computed SQL expression (a UNION, a MAX…): SQLite may return its
    text ("2026-12-06" or a timestamp); None stays None."""
    return value if value is None or isinstance(value, date) else date.fromisoformat(str(value)[:10])


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months (negative: back); the 31st becomes the last day of a
    shorter month. Never overflows: past the calendar's ends (a date typed before the forms bounded
    them, year 9999) it stops at date.max or date.min."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def enum_type(enum_cls: type[enum.Enum], length: int = 32, name: str | None = None) -> sa.Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, storing the values.
    Pass `name` when a table has two columns of the same enum (constraint names must differ)."""
    return sa.Enum(
        enum_cls,
        name=name or _snake(enum_cls.__name__),
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def insert_with_ids(session: Session, model: type, rows: list[dict]) -> list[int]:
    """Insert `rows` into `model`'s table in bulk; returns their new ids, in order. On PostgreSQL
    the ids are drawn from the table's sequence first and written with the rows: psycopg then
    prepares one INSERT for them all, where INSERT … RETURNING over many rows builds statements
    of megabytes that it parses again for each batch (100 000 people: 40 s of CPU). Elsewhere,
    INSERT … RETURNING. Either way through the session, whose events see it."""
    if not rows:
        return []
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(sa.text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) "
                                      "FROM generate_series(1, :n)"), {"n": len(rows)}).all()
        session.execute(sa.insert(table), [{**row, "id": id} for row, id in zip(rows, ids, strict=True)])
        return list(ids)
    return list(session.scalars(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def locked(session: Session, stmt: sa.Select, skip_locked: bool = False) -> sa.ScalarResult:
    """The rows of `stmt` (a select of one model), locked for a state change until the commit.

    The one locking mechanism of every transition: the caller re-checks the transition on the
    rows returned, which are read fresh from the database (`populate_existing`, relationships
    reloaded), so a change committed by someone else meanwhile is seen, never an older copy.
    PostgreSQL: `SELECT … FOR UPDATE` (a second transaction waits here until the first commits,
    then reads its result). SQLite has no row locks: the unit of work first takes the database's
    write lock (`BEGIN IMMEDIATE`, waited for up to the busy timeout), so that the read and the
    writes that follow are one serialised transaction. Call it before anything the transition
    depends on is read; the caller commits (or rolls back), which releases the lock.

    `skip_locked` (a queue's workers claiming a batch): on PostgreSQL, rows another transaction
    holds are left out instead of waited for (`FOR UPDATE SKIP LOCKED`); SQLite has one writer
    at a time, so the write lock alone keeps two claims apart.
    """
    if session.get_bind().dialect.name == "sqlite":
        _begin_write(session)
    else:
        stmt = stmt.with_for_update(of=stmt.column_descriptions[0]["entity"], skip_locked=skip_locked)
    return session.scalars(stmt.execution_options(populate_existing=True))


def lock(session: Session, model: type, ident: int | None):
    """Row `ident` of `model`, locked for a state change (see `locked`), or None when absent."""
    if ident is None:
        return None
    stale = session.identity_map.get(identity_key(model, ident))
    if stale is not None:
        session.expire(stale)  # its collections are reloaded too
    return locked(session, sa.select(model).where(model.id == ident)).one_or_none()


def _begin_write(session: Session) -> None:
    """SQLite: begin the unit of work with the write lock, unless it already holds it.

    pysqlite opens a transaction only before a write (reads run outside one), so a connection
    not yet in a transaction has written nothing: BEGIN IMMEDIATE takes the write lock before
    the rows are read. One that is in a transaction has written, so it holds the lock already.
    """
    connection = session.connection().connection.dbapi_connection
    if not connection.in_transaction:
        session.execute(sa.text("BEGIN IMMEDIATE"))


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class LabelledEnum(str, enum.Enum):
    """A str enum whose members carry a French label for people (`member.label`)."""

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label or value
        return obj

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]
