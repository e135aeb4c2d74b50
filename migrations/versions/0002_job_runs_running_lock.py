"""job_runs: one unfinished run per job (the lock of manual runs)

A partial unique index on job_name where finished_at is null: a run inserts its row unfinished
and finishes it at the end, so a second run of the same job started meanwhile cannot insert its
own (clausematch/jobs.py). Runs left unfinished by a dead process are closed as failed first,
or the index could not be built.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 21:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

UNFINISHED = sa.text("finished_at IS NULL")


def upgrade():
    op.execute("UPDATE job_runs SET finished_at = started_at, succeeded = false, "
               "result = 'Interrompue : le processus s''est arrêté avant la fin de la tâche.' "
               "WHERE finished_at IS NULL")
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('uq_job_runs_running', ['job_name'], unique=True,
                              sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_job_runs_running', sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)
