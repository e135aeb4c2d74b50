"""lot_month_hours: running totals of the hours entries per lot, month, kind, status and mode

Kept by triggers on hours_entries (clausematch/pathways/hours_totals.py): the facilitator's home,
the lagging lots and the hours queue read these few rows instead of summing millions of entries.
Also three indexes the facilitator's home reads alone (index-only scans at national scale): the
totals by lot, status and kind; candidates by territory and merge; applications by status and offer.
The SQL of the triggers is copied here as it was at this revision (history must not follow later
changes of the module). The totals are filled from the existing entries.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 04:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KEY = ("lot_id", "month", "kind", "status", "mode")
COLUMNS = ", ".join(KEY)


def _upsert(row, sign, sqlite):
    values = ", ".join(f"{row}.{column}" for column in KEY)
    target = "" if sqlite else "lot_month_hours."
    return (f"INSERT INTO lot_month_hours ({COLUMNS}, entries, hours) VALUES ({values}, {sign}1, {sign}{row}.hours) "
            f"ON CONFLICT ({COLUMNS}) DO UPDATE SET entries = {target}entries + excluded.entries, "
            f"hours = {target}hours + excluded.hours;")


CHANGED_PG = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in (*KEY, "hours"))
CHANGED_SQLITE = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in (*KEY, "hours"))

POSTGRESQL_DDL = [
    f"""CREATE OR REPLACE FUNCTION lot_month_hours_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN {_upsert("OLD", "-", False)} END IF;
  IF TG_OP <> 'DELETE' THEN {_upsert("NEW", "", False)} END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER hours_entries_totals AFTER INSERT OR DELETE ON hours_entries "
    "FOR EACH ROW EXECUTE FUNCTION lot_month_hours_apply()",
    f"CREATE TRIGGER hours_entries_totals_update AFTER UPDATE ON hours_entries "
    f"FOR EACH ROW WHEN ({CHANGED_PG}) EXECUTE FUNCTION lot_month_hours_apply()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS hours_entries_totals_update ON hours_entries",
    "DROP TRIGGER IF EXISTS hours_entries_totals ON hours_entries",
    "DROP FUNCTION IF EXISTS lot_month_hours_apply()",
]
SQLITE_DDL = [
    f"CREATE TRIGGER hours_entries_totals_insert AFTER INSERT ON hours_entries BEGIN {_upsert('NEW', '', True)} END",
    f"CREATE TRIGGER hours_entries_totals_delete AFTER DELETE ON hours_entries BEGIN {_upsert('OLD', '-', True)} END",
    f"CREATE TRIGGER hours_entries_totals_update AFTER UPDATE ON hours_entries WHEN {CHANGED_SQLITE} "
    f"BEGIN {_upsert('OLD', '-', True)} {_upsert('NEW', '', True)} END",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in
               ("hours_entries_totals_insert", "hours_entries_totals_delete", "hours_entries_totals_update")]


def upgrade():
    op.create_table('lot_month_hours',
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.Enum('work', 'training', name='totals_hours_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('declared', 'validated', 'rejected', name='totals_hours_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('mode', sa.Enum('direct', 'etti', 'ai', 'geiq', 'subcontracting_siae', name='totals_mode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('entries', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], name=op.f('fk_lot_month_hours_lot_id_lots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('lot_id', 'month', 'kind', 'status', 'mode', name=op.f('pk_lot_month_hours'))
    )
    op.create_index('ix_lot_month_hours_lot_status_kind', 'lot_month_hours', ['lot_id', 'status', 'kind', 'hours'])
    op.create_index('ix_candidates_territory_merged', 'candidates', ['territory_id', 'merged_into_id'])
    op.create_index('ix_applications_status_offer', 'applications', ['status', 'offer_id'])
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no entry may be written between the fill and the triggers
        op.execute("LOCK TABLE hours_entries IN SHARE MODE")
    op.execute(f"INSERT INTO lot_month_hours ({COLUMNS}, entries, hours) "
               f"SELECT {COLUMNS}, count(*), sum(hours) FROM hours_entries GROUP BY {COLUMNS}")
    for statement in POSTGRESQL_DDL if postgresql else SQLITE_DDL:
        op.execute(statement)


def downgrade():
    for statement in POSTGRESQL_DROP if op.get_bind().dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(statement)
    op.drop_index('ix_applications_status_offer', table_name='applications')
    op.drop_index('ix_candidates_territory_merged', table_name='candidates')
    op.drop_table('lot_month_hours')
