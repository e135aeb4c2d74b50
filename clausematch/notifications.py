"""Messages to people: the e-mail outbox and in-app notifications.

E-mails are never sent from a request: they are written to the outbox table in the same
unit of work as the change they announce, then delivered by `deliver_outbox` (the log in
development, nothing in tests).
"""
import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db

log = logging.getLogger(__name__)


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (sa.Index("ix_outbox_messages_sent_at", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Notification(db.Model):
    """An in-app message for one user (e.g. "your candidate's application moved")."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(sa.String(500))
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


def queue_email(recipient: str, subject: str, body: str) -> OutboxMessage:
    """Add an e-mail to the outbox in the caller's unit of work."""
    message = OutboxMessage(recipient=recipient, subject=subject, body=body)
    db.session.add(message)
    return message


def notify(user_id: int, message: str, link: str | None = None) -> Notification:
    notification = Notification(user_id=user_id, message=message, link=link)
    db.session.add(notification)
    return notification


def deliver_outbox() -> int:
    """Deliver pending e-mails with the configured transport; returns how many were handled."""
    transport = current_app.config["MAIL_TRANSPORT"]
    if transport == "none":
        return 0
    pending = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).order_by(OutboxMessage.id).limit(500)
    ).all()
    for message in pending:
        # Development transport: the log is the mailbox. The recipient address is left out
        # (personal data); bodies carry links and staff names, never candidate data.
        log.info("E-mail #%s — %s\n%s", message.id, message.subject, message.body)
        message.sent_at = utcnow()
    db.session.commit()
    return len(pending)
