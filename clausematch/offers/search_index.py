"""The board's full-text index of offers: its documents, its database objects, and what keeps
them current.

Each offer carries two columns of search keys (clausematch/offers/search_words.py):
``search_words`` (its title, appellation and skills) and ``search_related`` (its ROME code's label
and all that code's appellations). They are computed in Python:
- by a ``before_flush`` session event for every offer added or changed through the ORM (the offers
  service, the demo seed, the tests' factories), one query per flush for the ROME labels needed;
- by ``DocumentBuilder`` for bulk inserts that bypass the ORM (the scale seed, the benchmark)
  and for the migration that fills existing rows.

The database indexes them:
- PostgreSQL: a stored generated column ``search_vector`` =
  ``setweight(to_tsvector('simple', search_words), 'A') || setweight(to_tsvector('simple',
  search_related), 'C')`` and a GIN index on it. The 'simple' configuration only splits on
  spaces and lower-cases: the keys are already unaccented and stemmed, so neither the unaccent
  extension nor a French dictionary is needed (and both databases hold the same words).
- SQLite: an FTS5 table ``offers_fts`` (external content: the two columns of ``offers``), kept in
  step by three triggers (insert, update of the two columns, delete).

These objects are not in the models (SQLite has no tsvector, FTS5 tables are virtual): they are
created after the ``offers`` table by a DDL event (create_all: tests, benchmarks) and by migration
0012, and hidden from Alembic's autogenerate by ``include_object``.
"""
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.orm import Session

from clausematch.offers.models import Offer
from clausematch.offers.search_words import document, label_text
from clausematch.referential.models import RomeAppellation, RomeCode

FTS_TABLE = "offers_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_offers_search_vector"
# Words of the offer itself, then words of its ROME code: what the two columns are built from.
WATCHED = ("title", "appellation_code", "rome_code", "skills")

POSTGRES_CREATE = (
    f"ALTER TABLE offers ADD COLUMN {VECTOR_COLUMN} tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(search_words, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(search_related, '')), 'C')) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON offers USING gin ({VECTOR_COLUMN})",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {VECTOR_INDEX}", f"ALTER TABLE offers DROP COLUMN IF EXISTS {VECTOR_COLUMN}")
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_words, search_related, content='offers', "
    "content_rowid='id', tokenize='unicode61')",
    f"CREATE TRIGGER offers_fts_insert AFTER INSERT ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_words, search_related) "
    "VALUES (new.id, new.search_words, new.search_related); END",
    f"CREATE TRIGGER offers_fts_delete AFTER DELETE ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_words, search_related) "
    "VALUES ('delete', old.id, old.search_words, old.search_related); END",
    f"CREATE TRIGGER offers_fts_update AFTER UPDATE OF search_words, search_related ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_words, search_related) "
    "VALUES ('delete', old.id, old.search_words, old.search_related); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_words, search_related) "
    "VALUES (new.id, new.search_words, new.search_related); END",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS offers_fts_update", "DROP TRIGGER IF EXISTS offers_fts_delete",
               "DROP TRIGGER IF EXISTS offers_fts_insert", f"DROP TABLE IF EXISTS {FTS_TABLE}")


def create_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRES_CREATE if dialect == "postgresql" else SQLITE_CREATE


def drop_statements(dialect: str) -> tuple[str, ...]:
    return POSTGRES_DROP if dialect == "postgresql" else SQLITE_DROP


def rebuild_statement(dialect: str) -> str | None:
    """What re-reads every row into the index after a bulk UPDATE of the columns (SQLite only:
    PostgreSQL's generated column follows by itself)."""
    return None if dialect == "postgresql" else f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')"


@sa.event.listens_for(Offer.__table__, "after_create")
def _create_index(table, connection, **kw) -> None:
    for statement in create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


@sa.event.listens_for(Offer.__table__, "before_drop")
def _drop_index(table, connection, **kw) -> None:
    for statement in drop_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic autogenerate: the index's objects live outside the models; leave them alone."""
    if type_ == "table" and name and name.startswith(FTS_TABLE):
        return False
    if type_ == "column" and name == VECTOR_COLUMN:
        return False
    return not (type_ == "index" and name == VECTOR_INDEX)


# --- Documents -----------------------------------------------------------------------------

class DocumentBuilder:
    """The two documents of offers, with the ROME labels read once (two queries) for any number
    of offers: bulk inserts and the migration."""

    def __init__(self, connection: sa.Connection | Session):
        self.appellations: dict[int, str] = {}
        self.related: dict[str, str] = {}
        labels: dict[str, list[str]] = defaultdict(list)
        for code, label, rome_code in connection.execute(
                sa.select(RomeAppellation.code, RomeAppellation.label, RomeAppellation.rome_code)):
            self.appellations[code] = label_text(label)
            labels[rome_code].append(label_text(label))
        for code, label in connection.execute(sa.select(RomeCode.code, RomeCode.label)):
            self.related[code] = document(label, *labels.get(code, ()))

    def columns(self, title: str, appellation_code: int | None, rome_code: str | None,
                skills: str | None = "") -> dict[str, str]:
        """{"search_words": …, "search_related": …} for one offer."""
        return {"search_words": document(title, self.appellations.get(appellation_code, ""), skills),
                "search_related": self.related.get(rome_code, "") if rome_code else ""}


def _needs_document(session: Session, offer: Offer) -> bool:
    if offer in session.new:
        return True
    state = sa.inspect(offer)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@sa.event.listens_for(Session, "before_flush")
def _refresh_documents(session: Session, flush_context, instances) -> None:
    """Offers added, or whose title, job or skills changed: their documents, before the INSERT or
    UPDATE is written (one query for the labels of the codes concerned)."""
    offers = [row for row in (*session.new, *session.dirty)
              if isinstance(row, Offer) and _needs_document(session, row)]
    if not offers:
        return
    appellation_codes = {o.appellation_code for o in offers if o.appellation_code is not None}
    rome_codes = {o.rome_code for o in offers if o.rome_code}
    with session.no_autoflush:
        rows = session.execute(
            sa.select(RomeAppellation.code, RomeAppellation.label, RomeAppellation.rome_code, RomeCode.label)
            .join(RomeCode, RomeCode.code == RomeAppellation.rome_code)
            .where(sa.or_(RomeAppellation.rome_code.in_(rome_codes), RomeAppellation.code.in_(appellation_codes)))
        ).all()
    appellations = {code: label_text(label) for code, label, _, _ in rows}
    labels: dict[str, list[str]] = defaultdict(list)
    rome_labels: dict[str, str] = {}
    for code, _, rome_code, rome_label in rows:
        labels[rome_code].append(appellations[code])
        rome_labels[rome_code] = rome_label
    for offer in offers:
        offer.search_words = document(offer.title, appellations.get(offer.appellation_code, ""), offer.skills)
        code = offer.rome_code
        offer.search_related = document(rome_labels.get(code, ""), *labels.get(code, ())) if code else ""
