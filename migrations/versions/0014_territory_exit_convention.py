"""The territory chooses how the outcomes report counts positive exits: the DGEFP definitions
(default, as before) or the PLIE convention.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 23:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('territories') as batch:
        batch.add_column(sa.Column('exit_convention', sa.Enum('dgefp', 'plie', name='exit_convention',
                                                              native_enum=False, create_constraint=True, length=32),
                                   server_default='dgefp', nullable=False))


def downgrade():
    with op.batch_alter_table('territories') as batch:
        batch.drop_constraint(op.f('ck_territories_exit_convention'), type_='check')
        batch.drop_column('exit_convention')
