"""The board's full-text index of offers: its documents, its database objects, and what keeps
them current.

Each offer carries its own words as search keys (clausematch/offers/search_words.py) in
``search_words``: its title, its appellation (both gendered forms) and its skills. Its ROME code's
other appellations are not copied into every row (that would triple the table's width for every
query): they are looked up per code, in memory (offers/text_query.py), and matched on the
indexed ``rome_code`` column. The column is computed in Python:
- by a ``before_flush`` session event for every offer added or changed through the ORM (the offers
  service, the demo seed, the tests' factories), one query per flush for the ROME labels needed;
- by ``DocumentBuilder`` for bulk inserts that bypass the ORM (the scale seed, the benchmark)
  and for the migration that fills existing rows.

The database indexes them:
- PostgreSQL: a stored generated column ``search_vector`` = ``to_tsvector('simple',
  search_words)`` and a GIN index on it. The 'simple' configuration only splits on spaces and
  lower-cases: the keys are already unaccented and stemmed, so neither the unaccent extension nor
  a French dictionary is needed (and both databases hold the same words).
- SQLite: an FTS5 table ``offers_fts`` (external content: the column of ``offers``), kept in
  step by three triggers (insert, update of the column, delete).

These objects are not in the models (SQLite has no tsvector, FTS5 tables are virtual): they are
created after the ``offers`` table by a DDL event (create_all: tests, benchmarks) and by migration
0011, and hidden from Alembic's autogenerate by ``include_object``.
"""
import sqlalchemy as sa
from sqlalchemy.orm import Session

from clausematch.offers.models import Offer
from clausematch.offers.search_words import document, label_text
from clausematch.referential.models import RomeAppellation

FTS_TABLE = "offers_fts"
VECTOR_COLUMN = "search_vector"
VECTOR_INDEX = "ix_offers_search_vector"
# What the offer's words are built from.
WATCHED = ("title", "appellation_code", "skills")

POSTGRES_CREATE = (
    f"ALTER TABLE offers ADD COLUMN {VECTOR_COLUMN} tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_words, ''))) STORED",
    f"CREATE INDEX {VECTOR_INDEX} ON offers USING gin ({VECTOR_COLUMN})",
)
POSTGRES_DROP = (f"DROP INDEX IF EXISTS {VECTOR_INDEX}", f"ALTER TABLE offers DROP COLUMN IF EXISTS {VECTOR_COLUMN}")
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_words, content='offers', content_rowid='id', "
    "tokenize='unicode61')",
    f"CREATE TRIGGER offers_fts_insert AFTER INSERT ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_words) VALUES (new.id, new.search_words); END",
    f"CREATE TRIGGER offers_fts_delete AFTER DELETE ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_words) VALUES ('delete', old.id, old.search_words); END",
    f"CREATE TRIGGER offers_fts_update AFTER UPDATE OF search_words ON offers BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_words) VALUES ('delete', old.id, old.search_words); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_words) VALUES (new.id, new.search_words); END",
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
    """The words of offers, with the appellation labels read once (one query) for any number of
    offers: bulk inserts and the migration."""

    def __init__(self, connection: sa.Connection | Session):
        self.appellations: dict[int, str] = {
            code: label_text(label)
            for code, label in connection.execute(sa.select(RomeAppellation.code, RomeAppellation.label))}

    def columns(self, title: str, appellation_code: int | None, skills: str | None = "") -> dict[str, str]:
        """{"search_words": …} for one offer."""
        return {"search_words": document(title, self.appellations.get(appellation_code, ""), skills)}


def _needs_document(session: Session, offer: Offer) -> bool:
    if offer in session.new:
        return True
    state = sa.inspect(offer)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


@sa.event.listens_for(Session, "before_flush")
def _refresh_documents(session: Session, flush_context, instances) -> None:
    """Offers added, or whose title, appellation or skills changed: their words, before the
    INSERT or UPDATE is written (one query for the appellation labels concerned)."""
    offers = [row for row in (*session.new, *session.dirty)
              if isinstance(row, Offer) and _needs_document(session, row)]
    if not offers:
        return
    codes = {o.appellation_code for o in offers if o.appellation_code is not None}
    with session.no_autoflush:
        labels = dict(session.execute(sa.select(RomeAppellation.code, RomeAppellation.label)
                                      .where(RomeAppellation.code.in_(codes))).all()) if codes else {}
    for offer in offers:
        offer.search_words = document(offer.title, label_text(labels.get(offer.appellation_code)), offer.skills)
