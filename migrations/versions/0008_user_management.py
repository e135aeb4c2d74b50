"""User management by administrators: the users' edit version, invitations resent and cancelled

`users.version` (server default 1): the administrators' edit form of a user (role, organisation)
names the version it was loaded at (clausematch/versioning.py). `invitations.resent_at`: when an
administrator last sent the invitation again (with a new token); `invitations.cancelled_at` and
`cancelled_by_id`: an invitation cancelled by an administrator, whose link no longer works.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resent_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitations_cancelled_by_id_users'),
                                    'users', ['cancelled_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitations_cancelled_by_id_users'), type_='foreignkey')
        batch_op.drop_column('cancelled_by_id')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('resent_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('version')
