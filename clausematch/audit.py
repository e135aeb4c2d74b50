"""The audit trail: who did what, when, on which record. Never personal data in `details`."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


def record(action: str, entity_type: str, entity_id: int | None, actor_id: int | None = None,
           **details: Any) -> AuditEvent:
    """Add an audit event to the current unit of work (the caller's service commits)."""
    event = AuditEvent(action=action, entity_type=entity_type, entity_id=entity_id,
                       actor_id=actor_id, details=details)
    db.session.add(event)
    return event
