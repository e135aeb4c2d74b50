"""Retention enforced: when a person's prescriber was told that the record will be anonymised for
inactivity (the notice holds until the next activity: the job compares it with the last one);
the anonymous aggregates left by the people whose accountability period is over
(accountability_archive), and the amounts of their deleted hours entries, which the lots' totals
keep (archived_lot_month_hours, read by the totals' rebuild and check). Downgrade refuses while
either holds a row (they are all that remains of those people).

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
    op.create_table('accountability_archive',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=20), nullable=False),
    sa.Column('key', sa.String(length=40), server_default='', nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_accountability_archive_lot_id_lots')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'],
                            name=op.f('fk_accountability_archive_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accountability_archive')),
    sa.UniqueConstraint('territory_id', 'lot_id', 'year', 'measure', 'key',
                        name=op.f('uq_accountability_archive_territory_id_lot_id_year_measure_key'))
    )
    op.create_index(op.f('ix_accountability_archive_lot_id'), 'accountability_archive', ['lot_id'])
    op.create_table('archived_lot_month_hours',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('work', 'training', name='archived_hours_kind', native_enum=False,
                              create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('declared', 'validated', 'rejected', name='archived_hours_status', native_enum=False,
                                create_constraint=True, length=32), nullable=False),
    sa.Column('mode', sa.Enum('direct', 'etti', 'ai', 'geiq', 'subcontracting_siae', name='archived_mode',
                              native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_archived_lot_month_hours_lot_id_lots'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lot_id', 'month', 'kind', 'status', 'mode', name=op.f('pk_archived_lot_month_hours'))
    )


def downgrade():
    bind = op.get_bind()
    held = bind.execute(sa.text("SELECT count(*) FROM accountability_archive")).scalar() + bind.execute(
        sa.text("SELECT count(*) FROM archived_lot_month_hours")).scalar()
    if held:
        raise RuntimeError(f'accountability_archive / archived_lot_month_hours: {held} row(s) hold what remains of '
                           'people reduced to aggregates; this downgrade would lose them.')
    op.drop_table('archived_lot_month_hours')
    op.drop_index(op.f('ix_accountability_archive_lot_id'), table_name='accountability_archive')
    op.drop_table('accountability_archive')
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('retention_notice_on')
