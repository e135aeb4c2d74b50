"""board_full_text_search: the job board's keyword search served by a full-text index

A column of search keys on offers (search_words: title, appellation, skills), filled here for
the existing rows by the same Python code that keeps it current (clausematch/offers/search_index.py),
then indexed: on PostgreSQL a stored generated tsvector column with a GIN index, on SQLite an FTS5
table kept by triggers.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12 12:00:00

"""
import sqlalchemy as sa
from alembic import op

from clausematch.offers.search_index import DocumentBuilder, create_statements, drop_statements

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade():
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_words', sa.Text(), server_default='', nullable=False))
    connection = op.get_bind()
    _fill_documents(connection)
    for statement in create_statements(connection.dialect.name):
        op.execute(statement)
    if connection.dialect.name == 'sqlite':  # the FTS5 table reads the rows already there
        op.execute("INSERT INTO offers_fts(offers_fts) VALUES ('rebuild')")


def _fill_documents(connection) -> None:
    """The documents of every existing offer, written in batches (offers are few on a live
    territory: thousands; the scale database, 50 000, takes seconds)."""
    offers = sa.table('offers', sa.column('id', sa.Integer), sa.column('title', sa.String),
                      sa.column('appellation_code', sa.Integer), sa.column('skills', sa.Text), sa.column('search_words', sa.Text))
    rows = connection.execute(sa.select(offers.c.id, offers.c.title, offers.c.appellation_code, offers.c.skills)).all()
    if not rows:
        return
    builder = DocumentBuilder(connection)
    update = (offers.update().where(offers.c.id == sa.bindparam('offer_id'))
              .values(search_words=sa.bindparam('words')))
    for start in range(0, len(rows), BATCH):
        batch = [{'offer_id': offer_id, 'words': builder.columns(title, appellation_code, skills)['search_words']}
                 for offer_id, title, appellation_code, skills in rows[start:start + BATCH]]
        connection.execute(update, batch)


def downgrade():
    for statement in drop_statements(op.get_bind().dialect.name):
        op.execute(statement)
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_column('search_words')
