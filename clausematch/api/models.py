"""The API's tables: the tokens an organisation's programs act with, and the idempotency keys
of their POSTs.

A token is shown once at creation and never stored: only its SHA-256 is (a database leak does
not leak live tokens), with a short public prefix to find the row. Each token acts through its
organisation's service account (`service_user`): an inactive User of the organisation's role,
without password, that the pages' permission predicates accept as they are (see tokens.py).
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Organisation, User
from clausematch.database import utcnow
from clausematch.extensions import db


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    # The organisation's service account the token acts as (one per organisation, shared by its tokens).
    service_user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(sa.String(100))
    scopes: Mapped[str] = mapped_column(sa.String(300))  # space-separated, e.g. "candidates:read hours:write"
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()
    service_user: Mapped[User] = relationship(foreign_keys=[service_user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyKey(db.Model):
    """An `Idempotency-Key` a token sent with a POST: the request's hash and, once answered, the
    response (replayed to the same request, a 409 to another one). Reserved before the operation
    runs (the unique constraint makes a concurrent twin see it)."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (sa.UniqueConstraint("token_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(sa.ForeignKey("api_tokens.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None]  # None while the first request runs
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
