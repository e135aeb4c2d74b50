"""Grouped notifications: a group key, a repeat count and a plural wording

A notification identical to an unread one of the same recipient (same group key: given by the
sender, or the message and link themselves) is not added again: the unread one counts one more
and moves to the top ("3 critères d'éligibilité d'Awa D. ont été validés", or a "3 fois" badge).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_key', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('repeat_count', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('plural', sa.String(length=500), nullable=True))
        batch_op.create_index('ix_notifications_user_group', ['user_id', 'group_key'], unique=False)


def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_group')
        batch_op.drop_column('plural')
        batch_op.drop_column('repeat_count')
        batch_op.drop_column('group_key')
