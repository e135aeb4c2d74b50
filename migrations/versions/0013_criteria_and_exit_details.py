"""Two more eligibility criteria (invalidity pension, other minimum incomes) and a positive exit
for pre-qualifying training: the CHECK constraints of the enum columns take the new values.

The enum columns are VARCHAR with a named CHECK constraint (database.enum_type). PostgreSQL:
the constraint is dropped and created again (no copy of the table). SQLite: the table is
rebuilt by batch mode with the new type. Downgrade refuses while rows hold a new value (they
would break the old constraint): remove or change those rows first.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 23:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

OLD_CRITERIA = ['deld', 'detld', 'rsa', 'ass', 'aah', 'rqth', 'under_26', 'over_50', 'qpv', 'iae', 'structure',
                'derogation']
NEW_CRITERIA = ['deld', 'detld', 'rsa', 'ass', 'aah', 'invalidity_pension', 'other_minimum_income', 'rqth',
                'under_26', 'over_50', 'qpv', 'iae', 'structure', 'derogation']
OLD_DETAILS = ['cdi', 'long_cdd', 'long_interim', 'civil_service', 'business_creation', 'short_cdd', 'short_interim',
               'subsidised', 'training', 'siae_hire', 'unemployment', 'inactivity', 'unknown']
NEW_DETAILS = ['cdi', 'long_cdd', 'long_interim', 'civil_service', 'business_creation', 'short_cdd', 'short_interim',
               'subsidised', 'training', 'pre_qualifying_training', 'siae_hire', 'unemployment', 'inactivity',
               'unknown']

# (table, column, enum name, nullable, old values, new values)
COLUMNS = [
    ('eligibility_criteria', 'criterion', 'criterion', False, OLD_CRITERIA, NEW_CRITERIA),
    ('exits', 'detail', 'exit_detail', False, OLD_DETAILS, NEW_DETAILS),
    ('follow_ups', 'situation', 'exit_detail', True, OLD_DETAILS, NEW_DETAILS),
]


def _enum(values: list[str], name: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _change(to_new: bool) -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for table, column, name, nullable, old, new in COLUMNS:
        before, after = (old, new) if to_new else (new, old)
        if postgresql:
            constraint = op.f(f'ck_{table}_{name}')
            op.drop_constraint(constraint, table, type_='check')
            quoted = ', '.join(f"'{value}'" for value in after)
            op.create_check_constraint(constraint, table, f'{column} IN ({quoted})')
        else:
            with op.batch_alter_table(table) as batch:
                batch.alter_column(column, existing_type=_enum(before, name), type_=_enum(after, name),
                                   existing_nullable=nullable)


def upgrade():
    _change(to_new=True)


def downgrade():
    added = {'criterion': set(NEW_CRITERIA) - set(OLD_CRITERIA), 'detail': set(NEW_DETAILS) - set(OLD_DETAILS),
             'situation': set(NEW_DETAILS) - set(OLD_DETAILS)}
    for table, column, *_ in COLUMNS:
        values = ', '.join(f"'{value}'" for value in sorted(added[column]))
        held = op.get_bind().execute(sa.text(f'SELECT COUNT(*) FROM {table} WHERE {column} IN ({values})')).scalar()
        if held:
            raise RuntimeError(f'{table}.{column}: {held} row(s) hold a value this downgrade removes ({values}).')
    _change(to_new=False)
