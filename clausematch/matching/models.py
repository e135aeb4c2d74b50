"""The learnt re-weighting models of the matching engine and their evaluation (database side)."""
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.database import utcnow
from clausematch.extensions import db


class MatchingModel(db.Model):
    """A model fitted on recorded hires and refusals. `is_active` marks the one the engine uses
    (at most one; only a model that beat the fixed weights on held-out data may be active)."""

    __tablename__ = "matching_models"
    __table_args__ = (sa.Index("ix_matching_models_active", "is_active"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(default=utcnow)
    algorithm: Mapped[str] = mapped_column(sa.String(60))
    samples: Mapped[int]
    parameters: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    metrics: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    beats_fixed_weights: Mapped[bool]
    is_active: Mapped[bool] = mapped_column(default=False)


class MatchingChange(db.Model):
    """One entry of the change log: a candidate or an offer whose ranking profile may have
    changed, written in the transaction that changed it (matching/events.py). Every process
    reads the entries it has not seen yet before a ranking (matching/changelog.py)."""

    __tablename__ = "matching_changes"
    __table_args__ = (sa.CheckConstraint("side IN ('candidate', 'offer')", name="side"),
                      sa.Index("ix_matching_changes_created_at", "created_at"))

    # BIGINT on PostgreSQL; INTEGER on SQLite, whose rowid alone autoincrements.
    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    side: Mapped[str] = mapped_column(sa.String(10))
    entity_id: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
