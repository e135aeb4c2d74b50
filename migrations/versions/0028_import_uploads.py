"""Spreadsheet imports: the uploaded file kept between its preview and its commit
(import_uploads: bytes, checksum, kind, territory, user; committed at most once; purged after a
day).

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 09:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('import_uploads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('committed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'],
                            name=op.f('fk_import_uploads_territory_id_territories'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_import_uploads_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_uploads'))
    )
    op.create_index(op.f('ix_import_uploads_territory_id'), 'import_uploads', ['territory_id'])
    op.create_index(op.f('ix_import_uploads_user_id'), 'import_uploads', ['user_id'])
    op.create_index(op.f('ix_import_uploads_created_at'), 'import_uploads', ['created_at'])


def downgrade():
    op.drop_index(op.f('ix_import_uploads_created_at'), table_name='import_uploads')
    op.drop_index(op.f('ix_import_uploads_user_id'), table_name='import_uploads')
    op.drop_index(op.f('ix_import_uploads_territory_id'), table_name='import_uploads')
    op.drop_table('import_uploads')
