"""Edit forms' version columns; the organisation that declared each eligibility criterion

`version` (server default 1) on the records whose edit forms may be saved by two people at once:
a save names the version it was loaded at and is refused when another save came first
(clausematch/versioning.py). `eligibility_criteria.declared_by_organisation_id`: a prescriber
sees only the criteria their organisation declared, even after a merge brought others to the
record; filled from the declaring user's organisation where known (NULL reads as the record's
owner).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

VERSIONED = ("candidates", "offers", "contracts", "lots", "clauses", "organisations", "employment_contracts")


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    with op.batch_alter_table('eligibility_criteria', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declared_by_organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_eligibility_criteria_declaring_org',
                                    'organisations', ['declared_by_organisation_id'], ['id'])
    op.execute("UPDATE eligibility_criteria SET declared_by_organisation_id = ("
               "SELECT MIN(memberships.organisation_id) FROM memberships "
               "WHERE memberships.user_id = eligibility_criteria.declared_by_id)")


def downgrade():
    with op.batch_alter_table('eligibility_criteria', schema=None) as batch_op:
        batch_op.drop_constraint('fk_eligibility_criteria_declaring_org',
                                 type_='foreignkey')
        batch_op.drop_column('declared_by_organisation_id')
    for table in reversed(VERSIONED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
