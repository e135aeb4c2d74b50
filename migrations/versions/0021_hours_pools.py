"""Pooling agreements (globalisation): a titulaire company's hours judged together over the lots
an agreement covers; a lot belongs to at most one pool.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('hours_pools',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['organisations.id'], name=op.f('fk_hours_pools_company_id_organisations')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_hours_pools_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hours_pools'))
    )
    with op.batch_alter_table('hours_pools', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_pools_company_id'), ['company_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hours_pools_territory_id'), ['territory_id'], unique=False)

    op.create_table('hours_pool_lots',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('pool_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_hours_pool_lots_lot_id_lots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pool_id'], ['hours_pools.id'], name=op.f('fk_hours_pool_lots_pool_id_hours_pools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lot_id', name=op.f('pk_hours_pool_lots'))
    )
    with op.batch_alter_table('hours_pool_lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hours_pool_lots_pool_id'), ['pool_id'], unique=False)


def downgrade():
    with op.batch_alter_table('hours_pool_lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_pool_lots_pool_id'))
    op.drop_table('hours_pool_lots')
    with op.batch_alter_table('hours_pools', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hours_pools_territory_id'))
        batch_op.drop_index(batch_op.f('ix_hours_pools_company_id'))
    op.drop_table('hours_pools')
