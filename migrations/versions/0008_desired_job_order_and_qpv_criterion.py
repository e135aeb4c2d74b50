"""candidate_desired_jobs.position: desired jobs keep the order the prescriber wrote them in

Existing rows are numbered by id within each candidate (the order they were written).

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-12 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('candidate_desired_jobs') as batch:
        batch.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    op.execute("""
        UPDATE candidate_desired_jobs SET position = 1 + (
            SELECT COUNT(*) FROM candidate_desired_jobs AS earlier
            WHERE earlier.candidate_id = candidate_desired_jobs.candidate_id
              AND earlier.id < candidate_desired_jobs.id)
    """)


def downgrade():
    with op.batch_alter_table('candidate_desired_jobs') as batch:
        batch.drop_column('position')
