"""In-app notifications: read by their owner only, marked as read one by one or all at once."""
import sqlalchemy as sa

from clausematch.accounts.models import User
from clausematch.database import utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import Notification
from clausematch.pagination import Page, paginate


def notifications_page(user: User, page: int) -> Page:
    """The user's notifications, unread first, then newest first."""
    stmt = (sa.select(Notification).where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.created_at.desc(), Notification.id.desc()))
    return paginate(stmt, page)


def unread_count(user: User) -> int:
    """One COUNT on the (user_id, read_at) index."""
    return db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(notification_id: int, user: User) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        raise DomainError("Cette notification n'existe pas.")
    if notification.user_id != user.id:
        raise NotAllowed("Cette notification ne vous est pas adressée.")
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.commit()
    return notification


def mark_all_read(user: User) -> int:
    """Mark every unread notification of the user as read; returns how many were."""
    result = db.session.execute(sa.update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount or 0
