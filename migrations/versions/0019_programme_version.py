"""Programmes get an edit version (clausematch/versioning.py): their edit form, which also
chooses the funnel's stages, refuses to save over someone else's save.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 02:30:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic. 0019 to 0021 are taken by work in progress on other
# branches: the lead renumbers down_revision at merge.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('version')
