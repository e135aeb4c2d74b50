"""Erasure that keeps the statistics: the age at contract start frozen on the contract when the
person's record is anonymised (the exact birth date goes), and the link of the messages that name
a person, so that an erasure finds them by index (outbox_messages.link, filled for the e-mails
already queued from the link their body carries; an index on notifications.link).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 06:40:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

# The pages whose e-mails name a person: an application, an event.
LINKED_PAGE = re.compile(r"/(?:orientations|evenements)/[0-9]+")
BATCH = 1000


def upgrade():
    with op.batch_alter_table('employment_contracts') as batch:
        batch.add_column(sa.Column('age_at_start', sa.SmallInteger(), nullable=True))
    with op.batch_alter_table('outbox_messages') as batch:
        batch.add_column(sa.Column('link', sa.String(length=300), nullable=True))
    op.create_index('ix_outbox_messages_link', 'outbox_messages', ['link'])
    op.create_index('ix_notifications_link', 'notifications', ['link'])
    _fill_outbox_links()


def _fill_outbox_links():
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text(
            # "\:" keeps the colon of the non-capturing group from reading as a bind parameter.
            r"UPDATE outbox_messages SET link = substring(body from '/(?\:orientations|evenements)/[0-9]+') "
            r"WHERE body ~ '/(orientations|evenements)/[0-9]+'"))
        return
    outbox = sa.table('outbox_messages', sa.column('id', sa.Integer), sa.column('body', sa.Text),
                      sa.column('link', sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(outbox.c.id, outbox.c.body).where(
            outbox.c.id > last, sa.or_(outbox.c.body.like('%/orientations/%'), outbox.c.body.like('%/evenements/%')))
            .order_by(outbox.c.id).limit(BATCH)).all()
        if not rows:
            return
        for message_id, body in rows:
            found = LINKED_PAGE.search(body or "")
            if found:
                bind.execute(sa.update(outbox).where(outbox.c.id == message_id).values(link=found.group(0)))
        last = rows[-1][0]


def downgrade():
    op.drop_index('ix_notifications_link', table_name='notifications')
    op.drop_index('ix_outbox_messages_link', table_name='outbox_messages')
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_column('link')
    with op.batch_alter_table('employment_contracts') as batch:
        batch.drop_column('age_at_start')
