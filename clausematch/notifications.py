"""Messages to people: the e-mail outbox and in-app notifications.

E-mails are never sent from a request: they are written to the outbox table in the same unit of
work as the change they announce (`queue_email`), then delivered:
- MAIL_TRANSPORT=log (development): written to the log right after the commit that queued them
  (and marked sent in that same commit: the log is the mailbox);
- MAIL_TRANSPORT=smtp: by the job `mail.deliver`, every minute (`deliver_outbox`). A run claims
  a batch of due messages under row locks (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock
  on SQLite) and pushes their next attempt a lease ahead before committing, so a second worker
  neither waits for nor sees them: each message goes out once. Each outcome is committed as soon
  as it is known: sent, or failed with the error and the next attempt after an exponential
  backoff; after MAX_ATTEMPTS the message is given up (it stays, shown on /admin/courriels).
  A worker dying mid-batch leaves its claimed messages to be retried when the lease ends.
- MAIL_TRANSPORT=none (tests): nothing leaves.
The log never holds an address: messages are named by their id.
"""
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from clausematch.database import locked, utcnow
from clausematch.extensions import db
from clausematch.mail import LogTransport, ServerUnavailable, describe_error, transport_for

log = logging.getLogger(__name__)

BATCH_SIZE = 50
# Longer than a batch takes: a claimed message not settled by then is retried.
CLAIM_LEASE = timedelta(minutes=15)
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
LOGGED_KEY = "outbox.to_log"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_sent_at", "sent_at"),
                      sa.Index("ix_outbox_messages_link", "link"))

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    # Delivery attempts made; the next one is not before next_attempt_at (NULL: due now).
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    # The page the message is about (its path, e.g. /orientations/12), when it names a person:
    # an erasure finds the messages to neutralise by it (privacy/erasure.py).
    link: Mapped[str | None] = mapped_column(sa.String(300))

    @property
    def given_up(self) -> bool:
        return self.sent_at is None and self.attempts >= MAX_ATTEMPTS


class Notification(db.Model):
    """An in-app message for one user (e.g. "your candidate's application moved").

    Repeats are grouped when they are written (`notify`): one row per unread group, whose
    repeat_count grows, so the inbox stays one indexed, paginated query per recipient. At most
    one unread row per (user, group): a partial unique index, the target of notify's upsert.
    A row marked read leaves that index, so the next notification of its group starts a new one."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at"),
                      sa.Index("ix_notifications_user_group", "user_id", "group_key"),
                      # An erasure finds the notifications about a person's pages by their link.
                      sa.Index("ix_notifications_link", "link"),
                      sa.Index("uq_notifications_unread_group", "user_id", "group_key", unique=True,
                               sqlite_where=sa.text("read_at IS NULL"), postgresql_where=sa.text("read_at IS NULL")))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    # What makes two notifications "the same" (the sender's key, or the message and link).
    group_key: Mapped[str | None] = mapped_column(sa.String(200))
    # How many times it was sent while unread; `plural` ("{count} critères … validés") words the group.
    repeat_count: Mapped[int] = mapped_column(default=1, server_default="1")
    plural: Mapped[str | None] = mapped_column(sa.String(500))

    @property
    def text(self) -> str:
        """The line the inbox shows: the plural wording of a group, else the message."""
        if (self.repeat_count or 1) > 1 and self.plural:
            return self.plural.replace("{count}", str(self.repeat_count))
        return self.message


UNDELIVERABLE_DOMAIN = ".invalid"  # RFC 2606: never a real address (the API's service accounts use it)


def queue_email(recipient: str, subject: str, body: str, link: str | None = None) -> OutboxMessage | None:
    """Add an e-mail to the outbox in the caller's unit of work. With the `log` transport it is
    marked sent in that unit of work and written to the log right after its commit. `link`: the
    path of the page it is about, given by the messages that name a person (see OutboxMessage.link).
    An address of the reserved `.invalid` domain is never queued (None): it could only fail."""
    if recipient.strip().lower().endswith(UNDELIVERABLE_DOMAIN):
        return None
    message = OutboxMessage(recipient=recipient, subject=subject, body=body, link=link)
    if current_app.config["MAIL_TRANSPORT"] == "log":
        message.sent_at = message.last_attempt_at = utcnow()
        message.attempts = 1
        db.session.info.setdefault(LOGGED_KEY, []).append(message)
    db.session.add(message)
    return message


def notify(user_id: int, message: str, link: str | None = None, group: str | None = None,
           plural: str | None = None) -> Notification:
    """An in-app notification for `user_id`, in the caller's unit of work. When the user has an
    unread notification of the same group (`group`, else the same message and link), that one
    counts one more, takes the latest message, link and date, and goes back to the top, instead
    of a new line; `plural` words the group, "{count}" standing for the number
    ("{count} critères d'éligibilité d'Awa D. ont été validés")."""
    key = group or "same:" + hashlib.sha256(f"{message}\x00{link or ''}".encode()).hexdigest()
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    insert = dialect.insert(Notification).values(user_id=user_id, message=message, link=link, group_key=key,
                                                 plural=plural, repeat_count=1, created_at=utcnow())
    # One statement, either outcome: two units of work sending the same first notification at
    # once cannot both insert (the second waits for the first's commit on the unique index, then
    # counts on its row); the count is the database's own, so concurrent repeats all count.
    upsert = insert.on_conflict_do_update(
        index_elements=[Notification.user_id, Notification.group_key], index_where=Notification.read_at.is_(None),
        set_={"repeat_count": Notification.repeat_count + 1, "message": insert.excluded.message,
              "link": insert.excluded.link, "created_at": insert.excluded.created_at,
              "plural": sa.func.coalesce(insert.excluded.plural, Notification.plural)})
    return db.session.scalars(upsert.returning(Notification),
                              execution_options={"populate_existing": True}).one()


# --- The log transport: after the commit ------------------------------------------------------

def init_app(app) -> None:
    for name, listener in (("after_flush", _note_logged), ("after_commit", _write_logged),
                           ("after_transaction_end", _forget_logged)):
        if not sa.event.contains(db.session, name, listener):
            sa.event.listen(db.session, name, listener)


def _note_logged(session: Session, flush_context) -> None:
    """Once flushed (ids known), what the log will show is copied: after the commit the
    objects are expired and may not be read."""
    queued = session.info.get(LOGGED_KEY)
    if queued:
        ready = session.info.setdefault(LOGGED_KEY + ".ready", [])
        ready += [(m.id, m.subject, m.body) for m in queued if m.id is not None]
        session.info[LOGGED_KEY] = [m for m in queued if m.id is None]


def _write_logged(session: Session) -> None:
    transport = LogTransport()
    for message_id, subject, body in session.info.pop(LOGGED_KEY + ".ready", []):
        transport.send(message_id, "", subject, body)


def _forget_logged(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(LOGGED_KEY, None)
        session.info.pop(LOGGED_KEY + ".ready", None)


# --- The delivery job ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """What a delivery run did (its French summary is the job's result)."""

    sent: int
    failed: int

    def __str__(self) -> str:
        if not (self.sent or self.failed):
            return "Aucun e-mail à envoyer."
        failed = f", {self.failed} en échec (nouvel essai plus tard)" if self.failed else ""
        return f"{self.sent} e-mail(s) envoyé(s){failed}."


@dataclass(frozen=True)
class Claimed:
    id: int
    recipient: str
    subject: str
    body: str
    attempts: int


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: 1 min, 2, 4, 8 … at most 6 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _due(now: datetime):
    return sa.and_(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS,
                   sa.or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def claim_batch(limit: int = BATCH_SIZE) -> list[Claimed]:
    """Take up to `limit` due messages for this run: locked, their next attempt pushed a lease
    ahead, committed. Another run skips them (locked) or no longer finds them due (committed)."""
    now = utcnow()
    stmt = sa.select(OutboxMessage).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    rows = locked(db.session, stmt, skip_locked=True).all()
    claimed = [Claimed(m.id, m.recipient, m.subject, m.body, m.attempts) for m in rows]
    for message in rows:
        message.next_attempt_at = now + CLAIM_LEASE
    db.session.commit()
    return claimed


def deliver_outbox(limit: int = BATCH_SIZE) -> Delivery:
    """Deliver a batch of due e-mails with the configured transport (the job mail.deliver)."""
    config = current_app.config
    if config["MAIL_TRANSPORT"] == "none":
        return Delivery(0, 0)
    claimed = claim_batch(limit)
    sent = failed = 0
    with transport_for(config) as transport:
        for position, message in enumerate(claimed):
            try:
                transport.send(message.id, message.recipient, message.subject, message.body)
            except Exception as error:  # noqa: BLE001 — recorded on the message, retried later
                # The server unreachable or the connection lost: the rest of the batch fails alike.
                settled = claimed[position:] if isinstance(error, ServerUnavailable) else [message]
                for unsent in settled:
                    _record_failure(unsent, error)
                failed += len(settled)
                if isinstance(error, ServerUnavailable):
                    break
            else:
                _record_sent(message)
                sent += 1
    return Delivery(sent, failed)


def _record_sent(message: Claimed) -> None:
    now = utcnow()
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
        sent_at=now, last_attempt_at=now, attempts=message.attempts + 1, next_attempt_at=None))
    db.session.commit()
    log.info("E-mail #%s envoyé", message.id)


def _record_failure(message: Claimed, error: Exception) -> None:
    now, attempts = utcnow(), message.attempts + 1
    retry = now + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message.id).values(
        attempts=attempts, last_attempt_at=now, next_attempt_at=retry, last_error=describe_error(error)))
    db.session.commit()
    log.warning("E-mail #%s non envoyé (tentative %s/%s, %s)%s", message.id, attempts, MAX_ATTEMPTS,
                type(error).__name__, "" if retry else " : abandonné")


# --- What administrators see ---------------------------------------------------------------------

FAILURES_SHOWN = 50


@dataclass(frozen=True)
class OutboxStatus:
    pending: int
    failing: int
    given_up: int
    oldest_pending_at: datetime | None
    failures: list[OutboxMessage]


def pending_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.sent_at.is_(None)))


def outbox_status() -> OutboxStatus:
    """The backlog (waiting, of which failing and given up) and the latest failures, in 2 queries."""
    unsent = OutboxMessage.sent_at.is_(None)
    pending, failing, given_up, oldest = db.session.execute(sa.select(
        sa.func.count(OutboxMessage.id),
        sa.func.count(OutboxMessage.id).filter(OutboxMessage.attempts > 0, OutboxMessage.attempts < MAX_ATTEMPTS),
        sa.func.count(OutboxMessage.id).filter(OutboxMessage.attempts >= MAX_ATTEMPTS),
        sa.func.min(OutboxMessage.created_at)).where(unsent)).one()
    failures = db.session.scalars(
        sa.select(OutboxMessage).where(unsent, OutboxMessage.attempts > 0)
        .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc()).limit(FAILURES_SHOWN)).all()
    return OutboxStatus(pending, failing, given_up, oldest, list(failures))
