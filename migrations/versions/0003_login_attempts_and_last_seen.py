"""users: atomic login-failure counter and server-side last-seen time

failed_logins and last_failed_login_at count login attempts under a row lock (one UPDATE per
attempt, before the password is checked), so that parallel attempts cannot pass the lockout;
last_seen_at is the server-side clock of idle sessions (a replayed cookie cannot revive one).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('last_failed_login_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_failed_login_at')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('last_seen_at')
