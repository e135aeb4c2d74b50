"""matching_changes: the change log every process reads to keep its matching index current

Each change of a candidate or an offer that may affect rankings writes one row (side, entity id)
in the transaction that makes it; every process applies the rows it has not seen yet before a
ranking, and the nightly rebuild deletes the rows older than a day (clausematch/matching/changelog.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'matching_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('side', sa.String(length=10), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("side IN ('candidate', 'offer')", name=op.f('ck_matching_changes_side')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_changes')),
    )
    op.create_index('ix_matching_changes_created_at', 'matching_changes', ['created_at'], unique=False)


def downgrade():
    op.drop_index('ix_matching_changes_created_at', table_name='matching_changes')
    op.drop_table('matching_changes')
