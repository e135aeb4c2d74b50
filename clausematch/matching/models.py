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
