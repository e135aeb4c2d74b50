"""Desired jobs keep their order; residence in a QPV is one fact, the "qpv" eligibility criterion

- candidate_desired_jobs.position: existing rows are numbered by id within each candidate (the
  order they were written in).
- candidates.qpv_resident is dropped: every candidate whose box was ticked and who has no "qpv"
  criterion gets one, declared (to be validated by a facilitator like any other), its evidence
  saying where it comes from. Downgrade ticks the box again for every candidate holding a "qpv"
  criterion that was not refused.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12 12:00:00

"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

MIGRATED_EVIDENCE = "Case « Réside dans un QPV » cochée sur la fiche (reprise automatique, justificatif à vérifier)"

candidates = sa.table('candidates', sa.column('id', sa.Integer), sa.column('qpv_resident', sa.Boolean))
criteria = sa.table('eligibility_criteria', sa.column('candidate_id', sa.Integer), sa.column('criterion', sa.String),
                    sa.column('evidence', sa.String), sa.column('declared_at', sa.DateTime),
                    sa.column('status', sa.String))


def upgrade():
    with op.batch_alter_table('candidate_desired_jobs') as batch:
        batch.add_column(sa.Column('position', sa.Integer(), server_default='0', nullable=False))
    op.execute("""
        UPDATE candidate_desired_jobs SET position = 1 + (
            SELECT COUNT(*) FROM candidate_desired_jobs AS earlier
            WHERE earlier.candidate_id = candidate_desired_jobs.candidate_id
              AND earlier.id < candidate_desired_jobs.id)
    """)

    now = datetime.now(UTC).replace(tzinfo=None)
    has_qpv = sa.exists().where(criteria.c.candidate_id == candidates.c.id, criteria.c.criterion == 'qpv')
    op.execute(criteria.insert().from_select(
        ['candidate_id', 'criterion', 'evidence', 'declared_at', 'status'],
        sa.select(candidates.c.id, sa.literal('qpv'), sa.literal(MIGRATED_EVIDENCE), sa.literal(now, sa.DateTime),
                  sa.literal('declared'))
        .where(candidates.c.qpv_resident.is_(sa.true()), ~has_qpv)))
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('qpv_resident')


def downgrade():
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('qpv_resident', sa.Boolean(), server_default=sa.false(), nullable=False))
    held = sa.exists().where(criteria.c.candidate_id == candidates.c.id, criteria.c.criterion == 'qpv',
                             criteria.c.status != 'refused')
    op.execute(candidates.update().where(held).values(qpv_resident=True))
    with op.batch_alter_table('candidates') as batch:
        batch.alter_column('qpv_resident', server_default=None, existing_type=sa.Boolean(), existing_nullable=False)

    with op.batch_alter_table('candidate_desired_jobs') as batch:
        batch.drop_column('position')
