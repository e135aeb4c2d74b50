"""The audit trail: who did what, when, on which record. Never personal data in `details`.

Each event may name the person it concerns (`candidate_id`: the access log of a person and the
access export read it) and carries the actor's organisation at the time (`organisation_id`,
filled from the actor's membership in the same INSERT), so that the administrators' viewer
(/admin/journal) filters by person and by organisation without joins through memberships.
"""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_entity", "entity_type", "entity_id"),
                      sa.Index("ix_audit_events_candidate_occurred", "candidate_id", "occurred_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60))
    entity_type: Mapped[str] = mapped_column(sa.String(40))
    entity_id: Mapped[int | None]
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # The person the event concerns (a view of their data, a change of their record, their
    # applications, contracts, hours…); None for events about no one (settings, accounts, offers).
    candidate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("candidates.id"))
    # The actor's organisation when the event happened (None: the system, an administrator
    # without organisation, or the organisation deleted since).
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"),
                                                        index=True)


# The memberships table as this module sees it (accounts sits above the audit trail: no import).
_memberships = sa.table("memberships", sa.column("id"), sa.column("user_id"), sa.column("organisation_id"))


def actor_organisation(actor_id: int):
    """The actor's organisation as a scalar subquery, evaluated inside the INSERT (no query of its
    own): the first membership, as `User.organisation`."""
    return (sa.select(_memberships.c.organisation_id).where(_memberships.c.user_id == actor_id)
            .order_by(_memberships.c.id).limit(1).scalar_subquery())


def record(action: str, entity_type: str, entity_id: int | None, actor_id: int | None = None,
           candidate_id: int | None = None, **details: Any) -> AuditEvent:
    """Add an audit event to the current unit of work (the caller's service commits).
    `candidate_id`: the person the event concerns, if any."""
    event = AuditEvent(action=action, entity_type=entity_type, entity_id=entity_id,
                       actor_id=actor_id, candidate_id=candidate_id, details=details)
    if actor_id is not None:
        event.organisation_id = actor_organisation(actor_id)
    db.session.add(event)
    return event


def record_for_people(action: str, entity_type: str, entity_id: int | None, actor_id: int | None,
                      candidate_ids, **details: Any) -> list[AuditEvent]:
    """One event per person for a change that concerns several at once (hours of a lot, an
    invitation to an event…): each person's access log shows it."""
    return [record(action, entity_type, entity_id, actor_id=actor_id, candidate_id=candidate_id, **details)
            for candidate_id in sorted(candidate_ids)]
