"""Retention enforced: when a person's prescriber was told that the record will be anonymised for
inactivity (the notice holds until the next activity: the job compares it with the last one).

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-06 06:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('retention_notice_on', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('retention_notice_on')
