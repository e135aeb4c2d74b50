"""Names found despite a typo in their first letters; accounts found without accents

- candidate_name_words.skeleton: each word's consonant skeleton (clausematch.text.skeleton,
  "diallo" → "dl"), filled for the words already there (one UPDATE per distinct word, through the
  index of words), with a btree index (skeleton, candidate_id): the third retrieval of the
  people search (clausematch/candidates/search.py).
- users.search_name and invitations.search_name: the full name normalised (clausematch.text.normalise,
  "Hélène" → "helene"), filled for the rows already there: the administrators' account search
  compares it, accents and case aside, on SQLite as on PostgreSQL.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-14 12:00:00

"""
import sqlalchemy as sa
from alembic import op

from clausematch.text import normalise, skeleton

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BATCH = 5_000
SKELETON_TYPE = sa.String(length=200).with_variant(sa.String(length=200, collation='C'), 'postgresql')


def upgrade():
    with op.batch_alter_table('candidate_name_words') as batch:
        batch.add_column(sa.Column('skeleton', SKELETON_TYPE, server_default='', nullable=False))
    _fill_skeletons(op.get_bind())
    op.create_index('ix_candidate_name_words_skeleton', 'candidate_name_words', ['skeleton', 'candidate_id'],
                    unique=False)
    for table in ('users', 'invitations'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('search_name', sa.String(length=200), server_default='', nullable=False))
        _fill_search_names(op.get_bind(), table)


def _fill_skeletons(connection):
    words = sa.table('candidate_name_words', sa.column('word', sa.String), sa.column('skeleton', sa.String))
    distinct = [word for (word,) in connection.execute(sa.select(words.c.word).distinct())]
    update = words.update().where(words.c.word == sa.bindparam('w')).values(skeleton=sa.bindparam('s'))
    for start in range(0, len(distinct), BATCH):
        rows = [{'w': word, 's': skeleton(word)} for word in distinct[start:start + BATCH]]
        rows = [row for row in rows if row['s']]
        if rows:
            connection.execute(update, rows)


def _fill_search_names(connection, name):
    table = sa.table(name, sa.column('id', sa.Integer), sa.column('full_name', sa.String),
                     sa.column('search_name', sa.String))
    update = table.update().where(table.c.id == sa.bindparam('i')).values(search_name=sa.bindparam('n'))
    last_id = 0
    while True:
        batch = connection.execute(sa.select(table.c.id, table.c.full_name).where(table.c.id > last_id)
                                   .order_by(table.c.id).limit(BATCH)).all()
        if not batch:
            return
        connection.execute(update, [{'i': ident, 'n': normalise(full_name)[:200]} for ident, full_name in batch])
        last_id = batch[-1].id


def downgrade():
    for table in ('invitations', 'users'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('search_name')
    op.drop_index('ix_candidate_name_words_skeleton', table_name='candidate_name_words')
    with op.batch_alter_table('candidate_name_words') as batch:
        batch.drop_column('skeleton')
