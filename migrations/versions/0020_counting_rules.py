"""Counting rules: a clause may override the territory's CDI lump (NULL inherits, 0 means no
lump); SIAE subcontracting and co-contracting invoices, converted into hours at the hourly cost
frozen on each invoice.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('clauses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cdi_lump_hours', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_clauses_cdi_lump_non_negative'), 'cdi_lump_hours IS NULL OR cdi_lump_hours >= 0')

    op.create_table('subcontracting_invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('siae_id', sa.Integer(), nullable=False),
    sa.Column('nature', sa.Enum('subcontracting', 'co_contracting', name='invoice_nature', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount_ht', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('hourly_cost', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('converted_hours', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('status', sa.Enum('declared', 'validated', 'rejected', name='invoice_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('rejection_reason', sa.String(length=400), nullable=False),
    sa.Column('declared_by_id', sa.Integer(), nullable=True),
    sa.Column('validated_by_id', sa.Integer(), nullable=True),
    sa.Column('validated_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('amount_ht > 0', name=op.f('ck_subcontracting_invoices_amount_positive')),
    sa.CheckConstraint('converted_hours >= 0', name=op.f('ck_subcontracting_invoices_converted_non_negative')),
    sa.CheckConstraint('hourly_cost > 0', name=op.f('ck_subcontracting_invoices_hourly_cost_positive')),
    sa.ForeignKeyConstraint(['declared_by_id'], ['users.id'], name=op.f('fk_subcontracting_invoices_declared_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_subcontracting_invoices_lot_id_lots')),
    sa.ForeignKeyConstraint(['siae_id'], ['organisations.id'], name=op.f('fk_subcontracting_invoices_siae_id_organisations')),
    sa.ForeignKeyConstraint(['validated_by_id'], ['users.id'], name=op.f('fk_subcontracting_invoices_validated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subcontracting_invoices'))
    )
    with op.batch_alter_table('subcontracting_invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subcontracting_invoices_siae_id'), ['siae_id'], unique=False)
        batch_op.create_index('ix_subcontracting_invoices_lot_status_month', ['lot_id', 'status', 'month', 'converted_hours'], unique=False)
        batch_op.create_index('ix_subcontracting_invoices_status_month', ['status', 'month'], unique=False)


def downgrade():
    with op.batch_alter_table('subcontracting_invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_subcontracting_invoices_status_month')
        batch_op.drop_index('ix_subcontracting_invoices_lot_status_month')
        batch_op.drop_index(batch_op.f('ix_subcontracting_invoices_siae_id'))
    op.drop_table('subcontracting_invoices')
    with op.batch_alter_table('clauses', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_clauses_cdi_lump_non_negative'), type_='check')
        batch_op.drop_column('cdi_lump_hours')
