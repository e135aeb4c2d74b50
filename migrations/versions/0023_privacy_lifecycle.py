"""The person's data over its life (RGPD): when a record was anonymised (erasure, consent
withdrawn, retention) and how a consent withdrawal was expressed, by whom and when it was recorded.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 06:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('anonymised_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('consents') as batch:
        batch.add_column(sa.Column('withdrawal_channel', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('withdrawal_recorded_by_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('withdrawal_recorded_at', sa.DateTime(), nullable=True))
        batch.create_foreign_key(op.f('fk_consents_withdrawal_recorded_by_id_users'), 'users',
                                 ['withdrawal_recorded_by_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('consents') as batch:
        batch.drop_constraint(op.f('fk_consents_withdrawal_recorded_by_id_users'), type_='foreignkey')
        for column in ('withdrawal_recorded_at', 'withdrawal_recorded_by_id', 'withdrawal_channel'):
            batch.drop_column(column)
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('anonymised_at')
