"""One unread notification per group; stored phones and e-mails in their checked form

- notifications: at most one unread row per (user_id, group_key), a partial unique index (the
  target of notify's INSERT … ON CONFLICT DO UPDATE: two units of work sending the same first
  notification at once make one row counted twice, never two rows). Existing duplicates are merged
  first: the newest unread row of a group gets the sum of the counts, the others are deleted.
- organisations and candidates: phones and e-mails typed before the forms checked them are stored
  the way the forms store them now ("06.12.34.56.78" → "0612345678", " Nom@Exemple.FR " →
  "nom@exemple.fr"). A value that does not parse is kept as it is (the edit forms show it with
  the error asking to correct it); a blank one becomes NULL. The rules are copied below as they
  are at this revision (clausematch/formats.py parse_phone, parse_email): history must not follow
  later changes of the module.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-13 12:00:00

"""
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

UNREAD = sa.text("read_at IS NULL")
BATCH_SIZE = 1000

# A newer unread row of the same group as `notifications` (newest: latest date, then highest id).
_NEWER_OF_GROUP = """EXISTS (SELECT 1 FROM notifications AS newer
    WHERE newer.user_id = notifications.user_id AND newer.group_key = notifications.group_key
      AND newer.read_at IS NULL
      AND (newer.created_at > notifications.created_at
           OR (newer.created_at = notifications.created_at AND newer.id > notifications.id)))"""
_OLDER_OF_GROUP = """EXISTS (SELECT 1 FROM notifications AS older
    WHERE older.user_id = notifications.user_id AND older.group_key = notifications.group_key
      AND older.read_at IS NULL AND older.id <> notifications.id)"""


def upgrade():
    op.execute(f"""UPDATE notifications SET repeat_count = (
            SELECT SUM(same.repeat_count) FROM notifications AS same
            WHERE same.user_id = notifications.user_id AND same.group_key = notifications.group_key
              AND same.read_at IS NULL)
        WHERE read_at IS NULL AND group_key IS NOT NULL AND NOT {_NEWER_OF_GROUP} AND {_OLDER_OF_GROUP}""")
    op.execute(f"DELETE FROM notifications WHERE read_at IS NULL AND group_key IS NOT NULL AND {_NEWER_OF_GROUP}")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('uq_notifications_unread_group', ['user_id', 'group_key'], unique=True,
                              sqlite_where=UNREAD, postgresql_where=UNREAD)

    for table in ('organisations', 'candidates'):
        _normalise_contacts(table)


def downgrade():
    # The data steps are not undone: merged notifications and normalised contacts are valid rows
    # for the previous revision too, and the typed forms they replaced are not kept anywhere.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('uq_notifications_unread_group', sqlite_where=UNREAD, postgresql_where=UNREAD)


def _normalise_contacts(name: str) -> None:
    """Rewrite the phones and e-mails of `name` that parse and are not stored as parsed, by
    batches of ids (the table may hold millions of candidates)."""
    table = sa.table(name, sa.column('id', sa.Integer), sa.column('phone', sa.String),
                     sa.column('email', sa.String))
    connection = op.get_bind()
    after = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c.phone, table.c.email)
            .where(table.c.id > after, sa.or_(table.c.phone.is_not(None), table.c.email.is_not(None)))
            .order_by(table.c.id).limit(BATCH_SIZE)).all()
        if not rows:
            return
        changed = []
        for ident, phone, email in rows:
            new_phone, new_email = _stored(phone, _parse_phone), _stored(email, _parse_email)
            if (new_phone, new_email) != (phone, email):
                changed.append({"row_id": ident, "new_phone": new_phone, "new_email": new_email})
        if changed:
            connection.execute(table.update().where(table.c.id == sa.bindparam("row_id"))
                               .values(phone=sa.bindparam("new_phone"), email=sa.bindparam("new_email")), changed)
        after = rows[-1].id


def _stored(value: str | None, parse) -> str | None:
    """The parsed form of `value`, or `value` itself when it does not parse (never lost)."""
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError:
        return value


# --- clausematch/formats.py at this revision (frozen copy) ------------------------------------

_PHONE_TYPING = re.compile(r"\+?[\d\s.\-/()\u00a0\u202f]+")
_NOT_DIGITS = re.compile(r"\D")
_FRENCH_PHONE = re.compile(r"0[1-9]\d{8}")
_FOREIGN_PHONE = re.compile(r"\+\d{8,15}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL_LENGTH = 254


def _normalise_phone(raw: str | None) -> str | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if raw.startswith("+") or raw.startswith("00"):
        digits = digits[2:] if raw.startswith("00") else digits
        if digits.startswith("33"):
            return "0" + digits[2:].removeprefix("0")
        return "+" + digits if digits else None
    return digits or None


def _parse_phone(text: str | None) -> str | None:
    raw = (text or "").strip()
    if not raw:
        return None
    phone = _normalise_phone(raw) if _PHONE_TYPING.fullmatch(raw) else None
    if phone is None or not (_FRENCH_PHONE.fullmatch(phone) or _FOREIGN_PHONE.fullmatch(phone)):
        raise ValueError(text)
    return phone


def _parse_email(text: str | None) -> str | None:
    email = (text or "").strip().lower()
    if not email:
        return None
    if len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email):
        raise ValueError(text)
    return email
