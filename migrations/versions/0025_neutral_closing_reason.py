"""A neutral refusal reason, "closed" ("Candidature close"): the applications of a person who
withdrew their consent are closed by the system without telling the company why. The CHECK
constraints of applications.refusal_reason and application_events.refusal_reason take the value.

As in 0013: on PostgreSQL the constraint is dropped and created again; on SQLite the table is
rebuilt by batch mode. The downgrade refuses while a row holds the value.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 06:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

OLD = ['did_not_come', 'lacks_skills', 'not_mobile', 'not_eligible', 'position_filled', 'candidate_declined',
       'no_answer', 'other']
NEW = [*OLD, 'closed']
TABLES = ['applications', 'application_events']


def _enum(values: list[str]) -> sa.Enum:
    return sa.Enum(*values, name='refusal_reason', native_enum=False, create_constraint=True, length=32)


def _change(before: list[str], after: list[str]) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table in TABLES:
        if postgresql:
            constraint = op.f(f'ck_{table}_refusal_reason')
            op.drop_constraint(constraint, table, type_='check')
            quoted = ', '.join(f"'{value}'" for value in after)
            op.create_check_constraint(constraint, table, f'refusal_reason IN ({quoted})')
        else:
            with op.batch_alter_table(table) as batch:
                batch.alter_column('refusal_reason', existing_type=_enum(before), type_=_enum(after),
                                   existing_nullable=True)


def upgrade():
    _change(OLD, NEW)


def downgrade():
    for table in TABLES:
        held = op.get_bind().execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE refusal_reason = 'closed'")).scalar()
        if held:
            raise RuntimeError(f"{table}.refusal_reason: {held} row(s) hold 'closed', which this downgrade removes.")
    _change(NEW, OLD)
