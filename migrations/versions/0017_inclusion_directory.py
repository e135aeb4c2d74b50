"""The directory of inclusive structures: a profile per inclusive company (activities, ROME codes,
communes served, radius, capacity, offers, contact, published flag), and "régie de quartier" as a
kind of company (the CHECK constraint of organisations.company_kind takes the new value, as 0013
does: PostgreSQL drops and creates the constraint, SQLite rebuilds the table in batch mode).
Downgrade refuses while an organisation is a régie de quartier: change its kind first.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 10:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

OLD_KINDS = ['titulaire', 'ei', 'etti', 'ai', 'aci', 'geiq', 'ea']
NEW_KINDS = OLD_KINDS + ['regie']


def _enum(values: list[str]) -> sa.Enum:
    return sa.Enum(*values, name='company_kind', native_enum=False, create_constraint=True, length=32)


def _company_kinds(before: list[str], after: list[str]) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        constraint = op.f('ck_organisations_company_kind')
        op.drop_constraint(constraint, 'organisations', type_='check')
        quoted = ', '.join(f"'{value}'" for value in after)
        op.create_check_constraint(constraint, 'organisations', f'company_kind IN ({quoted})')
    else:
        with op.batch_alter_table('organisations') as batch:
            batch.alter_column('company_kind', existing_type=_enum(before), type_=_enum(after), existing_nullable=True)


def upgrade():
    _company_kinds(OLD_KINDS, NEW_KINDS)
    op.create_table(
        'directory_profiles',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), server_default='1', nullable=False),
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('activities', sa.Text(), nullable=False),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.Column('radius_km', sa.Integer(), nullable=False),
        sa.Column('capacity_positions', sa.Integer(), nullable=True),
        sa.Column('capacity_hours', sa.Integer(), nullable=True),
        sa.Column('offers_subcontracting', sa.Boolean(), nullable=False),
        sa.Column('offers_co_contracting', sa.Boolean(), nullable=False),
        sa.Column('offers_staff_provision', sa.Boolean(), nullable=False),
        sa.Column('contact_name', sa.String(length=200), nullable=True),
        sa.Column('contact_email', sa.String(length=254), nullable=True),
        sa.Column('contact_phone', sa.String(length=30), nullable=True),
        sa.Column('is_published', sa.Boolean(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('radius_km >= 0 AND radius_km <= 200', name=op.f('ck_directory_profiles_radius_range')),
        sa.CheckConstraint('capacity_positions IS NULL OR capacity_positions >= 0',
                           name=op.f('ck_directory_profiles_positions_non_negative')),
        sa.CheckConstraint('capacity_hours IS NULL OR capacity_hours >= 0',
                           name=op.f('ck_directory_profiles_hours_non_negative')),
        sa.ForeignKeyConstraint(['company_id'], ['organisations.id'],
                                name=op.f('fk_directory_profiles_company_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_profiles')),
        sa.UniqueConstraint('company_id', name=op.f('uq_directory_profiles_company_id')),
    )
    op.create_index(op.f('ix_directory_profiles_is_published'), 'directory_profiles', ['is_published'])
    op.create_table(
        'directory_rome_codes',
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('rome_code', sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(['profile_id'], ['directory_profiles.id'],
                                name=op.f('fk_directory_rome_codes_profile_id_directory_profiles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['rome_code'], ['rome_codes.code'],
                                name=op.f('fk_directory_rome_codes_rome_code_rome_codes')),
        sa.PrimaryKeyConstraint('profile_id', 'rome_code', name=op.f('pk_directory_rome_codes')),
    )
    op.create_index(op.f('ix_directory_rome_codes_rome_code'), 'directory_rome_codes', ['rome_code'])
    op.create_table(
        'directory_communes',
        sa.Column('profile_id', sa.Integer(), nullable=False),
        sa.Column('commune_insee', sa.String(length=5), nullable=False),
        sa.ForeignKeyConstraint(['profile_id'], ['directory_profiles.id'],
                                name=op.f('fk_directory_communes_profile_id_directory_profiles'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['commune_insee'], ['communes.insee_code'],
                                name=op.f('fk_directory_communes_commune_insee_communes')),
        sa.PrimaryKeyConstraint('profile_id', 'commune_insee', name=op.f('pk_directory_communes')),
    )
    op.create_index(op.f('ix_directory_communes_commune_insee'), 'directory_communes', ['commune_insee'])


def downgrade():
    held = op.get_bind().execute(sa.text("SELECT COUNT(*) FROM organisations WHERE company_kind = 'regie'")).scalar()
    if held:
        raise RuntimeError(f'organisations.company_kind: {held} row(s) hold a value this downgrade removes (regie).')
    op.drop_index(op.f('ix_directory_communes_commune_insee'), table_name='directory_communes')
    op.drop_table('directory_communes')
    op.drop_index(op.f('ix_directory_rome_codes_rome_code'), table_name='directory_rome_codes')
    op.drop_table('directory_rome_codes')
    op.drop_index(op.f('ix_directory_profiles_is_published'), table_name='directory_profiles')
    op.drop_table('directory_profiles')
    _company_kinds(NEW_KINDS, OLD_KINDS)
