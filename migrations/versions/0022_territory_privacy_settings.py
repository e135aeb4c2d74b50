"""The territory's privacy settings: the data controller shown on the public register
(/donnees-personnelles) and the retention periods (inactivity before anonymisation,
accountability after a contract ends, access log). Existing territories get the defaults
(24 months, 5 years, 12 months) and no controller until they fill it in. The settings form gets a
version (no lost update between two facilitators saving at once).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 03:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

CHECKS = (("inactivity_months_positive", "inactivity_months > 0"),
          ("accountability_years_positive", "accountability_years > 0"),
          ("access_log_months_positive", "access_log_months > 0"))


def upgrade():
    with op.batch_alter_table('territories') as batch:
        batch.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))
        batch.add_column(sa.Column('controller_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('controller_address', sa.String(length=300), nullable=True))
        batch.add_column(sa.Column('dpo_email', sa.String(length=254), nullable=True))
        batch.add_column(sa.Column('inactivity_months', sa.Integer(), server_default='24', nullable=False))
        batch.add_column(sa.Column('accountability_years', sa.Integer(), server_default='5', nullable=False))
        batch.add_column(sa.Column('access_log_months', sa.Integer(), server_default='12', nullable=False))
        for name, condition in CHECKS:
            batch.create_check_constraint(op.f(f'ck_territories_{name}'), condition)


def downgrade():
    with op.batch_alter_table('territories') as batch:
        for name, _condition in CHECKS:
            batch.drop_constraint(op.f(f'ck_territories_{name}'), type_='check')
        for column in ('access_log_months', 'accountability_years', 'inactivity_months', 'dpo_email',
                       'controller_address', 'controller_name', 'version'):
            batch.drop_column(column)
