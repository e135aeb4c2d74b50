"""The JSON API: tokens per organisation (hashed secret, scopes, revocation) and the idempotency
keys of their POSTs.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 09:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('service_user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('scopes', sa.String(length=300), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('secret_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_api_tokens_created_by_id_users')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_api_tokens_organisation_id_organisations')),
        sa.ForeignKeyConstraint(['service_user_id'], ['users.id'], name=op.f('fk_api_tokens_service_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
        sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix')),
    )
    with op.batch_alter_table('api_tokens') as batch:
        batch.create_index(op.f('ix_api_tokens_organisation_id'), ['organisation_id'], unique=False)
    op.create_table(
        'api_idempotency_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'],
                                name=op.f('fk_api_idempotency_keys_token_id_api_tokens'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_idempotency_keys')),
        sa.UniqueConstraint('token_id', 'key', name=op.f('uq_api_idempotency_keys_token_id_key')),
    )


def downgrade():
    op.drop_table('api_idempotency_keys')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_index(op.f('ix_api_tokens_organisation_id'))
    op.drop_table('api_tokens')
