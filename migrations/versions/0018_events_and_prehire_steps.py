"""Events and pre-hire steps: collective events (information sessions, job-datings, job fairs,
site visits) with the offers they serve and one row per invited person (invitation, answer,
attendance, outcome); individual steps (PMSMP immersion, POEC / POEI / AFPR training,
validation for a training); the stages a programme's funnel shows.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 01:58:33.658889

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('territory_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('info_session', 'job_dating', 'job_fair', 'site_visit', name='event_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=True),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.Column('commune_insee', sa.String(length=5), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 1', name=op.f('ck_events_capacity_positive')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at >= starts_at', name=op.f('ck_events_ends_after_start')),
    sa.ForeignKeyConstraint(['commune_insee'], ['communes.insee_code'], name=op.f('fk_events_commune_insee_communes')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_events_programme_id_programmes')),
    sa.ForeignKeyConstraint(['territory_id'], ['territories.id'], name=op.f('fk_events_territory_id_territories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_programme_id'), ['programme_id'], unique=False)
        batch_op.create_index('ix_events_territory_starts', ['territory_id', 'starts_at'], unique=False)

    op.create_table('event_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('invited', 'registered', 'declined', 'attended', 'absent', name='participant_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('outcome', sa.Enum('interested', 'oriented', 'not_interested', 'not_ready', name='participant_outcome', native_enum=False, create_constraint=True, length=32), nullable=True),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('invited_by_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', sa.DateTime(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_recorded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_event_participants_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['attendance_recorded_by_id'], ['users.id'], name=op.f('fk_event_participants_attendance_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_event_participants_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_participants_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'], name=op.f('fk_event_participants_invited_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_participants')),
    sa.UniqueConstraint('event_id', 'candidate_id', name=op.f('uq_event_participants_event_id_candidate_id'))
    )
    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_participants_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_event_participants_event_status', ['event_id', 'status'], unique=False)

    op.create_table('event_offers',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_offers_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_event_offers_offer_id_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'offer_id', name=op.f('pk_event_offers'))
    )
    with op.batch_alter_table('event_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_offers_offer_id'), ['offer_id'], unique=False)

    op.create_table('prehire_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('pmsmp', 'poec', 'poei', 'afpr', 'training_validation', name='step_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('planned', 'completed', 'interrupted', 'not_retained', name='step_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('programme_id', sa.Integer(), nullable=True),
    sa.Column('offer_id', sa.Integer(), nullable=True),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('comment', sa.String(length=1000), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('end_date IS NULL OR end_date >= start_date', name=op.f('ck_prehire_steps_end_ordered')),
    sa.CheckConstraint('hours IS NULL OR (hours > 0 AND hours <= 2000)', name=op.f('ck_prehire_steps_hours_range')),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_prehire_steps_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_prehire_steps_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_prehire_steps_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_prehire_steps_offer_id_offers')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_prehire_steps_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes.id'], name=op.f('fk_prehire_steps_programme_id_programmes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prehire_steps'))
    )
    with op.batch_alter_table('prehire_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prehire_steps_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_prehire_steps_offer_id'), ['offer_id'], unique=False)
        batch_op.create_index('ix_prehire_steps_programme_kind', ['programme_id', 'kind', 'status'], unique=False)

    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('funnel_stages', sa.JSON(), nullable=True))



def downgrade():
    with op.batch_alter_table('programmes', schema=None) as batch_op:
        batch_op.drop_column('funnel_stages')

    with op.batch_alter_table('prehire_steps', schema=None) as batch_op:
        batch_op.drop_index('ix_prehire_steps_programme_kind')
        batch_op.drop_index(batch_op.f('ix_prehire_steps_offer_id'))
        batch_op.drop_index(batch_op.f('ix_prehire_steps_candidate_id'))

    op.drop_table('prehire_steps')
    with op.batch_alter_table('event_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_offers_offer_id'))

    op.drop_table('event_offers')
    with op.batch_alter_table('event_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_event_participants_event_status')
        batch_op.drop_index(batch_op.f('ix_event_participants_candidate_id'))

    op.drop_table('event_participants')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_territory_starts')
        batch_op.drop_index(batch_op.f('ix_events_programme_id'))

    op.drop_table('events')
