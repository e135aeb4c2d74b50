"""The access log: each audit event names the person it concerns (candidate_id, indexed with the
date: the person's log and its retention read it) and the actor's organisation at the time
(organisation_id: the administrators' viewer filters on it without joins through memberships).
Events recorded on a candidate (entity_type 'candidate') get candidate_id = entity_id; the
organisation of past events is left empty (memberships may have changed since).

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 06:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events') as batch:
        batch.add_column(sa.Column('candidate_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_audit_events_candidate_id_candidates'), 'candidates',
                                 ['candidate_id'], ['id'])
        batch.create_foreign_key(op.f('fk_audit_events_organisation_id_organisations'), 'organisations',
                                 ['organisation_id'], ['id'], ondelete='SET NULL')
        batch.create_index('ix_audit_events_candidate_occurred', ['candidate_id', 'occurred_at'])
        batch.create_index(op.f('ix_audit_events_organisation_id'), ['organisation_id'])
    # Only the events whose candidate still exists (a record is never deleted, but the FK must hold).
    op.execute("UPDATE audit_events SET candidate_id = entity_id WHERE entity_type = 'candidate' "
               "AND entity_id IN (SELECT id FROM candidates)")


def downgrade():
    with op.batch_alter_table('audit_events') as batch:
        batch.drop_index(op.f('ix_audit_events_organisation_id'))
        batch.drop_index('ix_audit_events_candidate_occurred')
        batch.drop_constraint(op.f('fk_audit_events_organisation_id_organisations'), type_='foreignkey')
        batch.drop_constraint(op.f('fk_audit_events_candidate_id_candidates'), type_='foreignkey')
        batch.drop_column('organisation_id')
        batch.drop_column('candidate_id')
