"""candidate_name_words and indexes: the facilitators' search of people

One row per normalised word of each candidate's names (accents, case and punctuation removed),
served by a btree index on (word, candidate_id) for exact words and prefixes; words compare byte
by byte (collation "C" on PostgreSQL). Existing candidates get their words here; afterwards
clausematch/candidates/name_words.py keeps them. Also indexes candidates by commune and by
(territory, name) for the search's other filters and its alphabetical pages.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 12:00:00

"""
import sqlalchemy as sa
from alembic import op

from clausematch.text import normalise

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade():
    words = op.create_table(
        'candidate_name_words',
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('word', sa.String(length=100).with_variant(sa.String(length=100, collation='C'), 'postgresql'),
                  nullable=False),
        sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ondelete='CASCADE',
                                name=op.f('fk_candidate_name_words_candidate_id_candidates')),
        sa.PrimaryKeyConstraint('candidate_id', 'word', name=op.f('pk_candidate_name_words')),
    )
    op.create_index('ix_candidate_name_words_word', 'candidate_name_words', ['word', 'candidate_id'], unique=False)
    op.create_index('ix_candidates_commune_insee', 'candidates', ['commune_insee'], unique=False)
    op.create_index('ix_candidates_territory_last_name', 'candidates',
                    ['territory_id', 'last_name', 'first_name', 'id'], unique=False)
    _backfill(op.get_bind(), words)


def _backfill(connection, words):
    candidates = sa.table('candidates', sa.column('id'), sa.column('first_name'), sa.column('last_name'))
    last_id = 0
    while True:
        batch = connection.execute(sa.select(candidates.c.id, candidates.c.first_name, candidates.c.last_name)
                                   .where(candidates.c.id > last_id).order_by(candidates.c.id).limit(BATCH)).all()
        if not batch:
            return
        rows = [{'candidate_id': candidate_id, 'word': word[:100]}
                for candidate_id, first, last in batch
                for word in dict.fromkeys(normalise(f"{first or ''} {last or ''}").split())]
        if rows:
            connection.execute(words.insert(), rows)
        last_id = batch[-1].id


def downgrade():
    op.drop_index('ix_candidates_territory_last_name', table_name='candidates')
    op.drop_index('ix_candidates_commune_insee', table_name='candidates')
    op.drop_index('ix_candidate_name_words_word', table_name='candidate_name_words')
    op.drop_table('candidate_name_words')
