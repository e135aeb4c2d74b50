"""Certificates as referential items (clausematch/referential/certificates.py): the codes a
candidate holds, and the codes an offer requires and wishes, beside the typed text kept for
display. Existing rows start with no codes (their free text is kept as it was; it is read into
codes when the record is next saved).

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 09:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None

EMPTY = sa.text("'[]'")


def upgrade():
    with op.batch_alter_table('candidates') as batch:
        batch.add_column(sa.Column('certificate_codes', sa.JSON(), server_default=EMPTY, nullable=False))
    with op.batch_alter_table('offers') as batch:
        batch.add_column(sa.Column('required_certificates', sa.JSON(), server_default=EMPTY, nullable=False))
        batch.add_column(sa.Column('wished_certificates', sa.JSON(), server_default=EMPTY, nullable=False))


def downgrade():
    with op.batch_alter_table('offers') as batch:
        batch.drop_column('wished_certificates')
        batch.drop_column('required_certificates')
    with op.batch_alter_table('candidates') as batch:
        batch.drop_column('certificate_codes')
