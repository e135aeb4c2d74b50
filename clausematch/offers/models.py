"""Clause-bearing job offers, their status history, and programmes (recruitment tracks)."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Company, Territory
from clausematch.contracts.models import Lot
from clausematch.database import LabelledEnum, TimestampMixin, enum_type, utcnow
from clausematch.extensions import db
from clausematch.referential.models import Commune, RomeAppellation
from clausematch.vocabulary import ContractType, Sector


class OfferStatus(LabelledEnum):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "En attente de validation"
    PUBLISHED = "published", "Publiée"
    FILLED = "filled", "Pourvue"
    CLOSED = "closed", "Clôturée"


class Programme(TimestampMixin, db.Model):
    """A recruitment track run as one (e.g. a training track for asbestos removal);
    offers may belong to one, and funnels can be read per programme."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    # The stages its funnel shows, in order (keys of reporting/queries/programme_funnel.py);
    # None: the default stages.
    funnel_stages: Mapped[list[str] | None] = mapped_column(sa.JSON)


class Offer(TimestampMixin, db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        sa.CheckConstraint("positions >= 1", name="positions_positive"),
        sa.CheckConstraint("weekly_hours > 0 AND weekly_hours <= 48", name="weekly_hours_range"),
        sa.Index("ix_offers_status_publication_end", "status", "publication_end"),
        sa.Index("ix_offers_status_lat_lon", "status", "latitude", "longitude"),
        sa.Index("ix_offers_territory_status", "territory_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    # The company that publishes and hires (the lot's titulaire or an insertion structure).
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    appellation_code: Mapped[int | None] = mapped_column(sa.ForeignKey("rome_appellations.code"))
    rome_code: Mapped[str | None] = mapped_column(sa.ForeignKey("rome_codes.code"), index=True)
    sector: Mapped[Sector] = mapped_column(enum_type(Sector))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    skills: Mapped[str] = mapped_column(sa.Text, default="")
    # Title, job label and skills normalised (lower case, no accents) for keyword search in SQL.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Title, appellation and skills as search keys for the board's full-text search
    # (offers/search_index.py keeps it current and indexes it: FTS5 on SQLite, a generated
    # tsvector with a GIN index on PostgreSQL).
    search_words: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    commune_insee: Mapped[str] = mapped_column(sa.ForeignKey("communes.insee_code"))
    # Copied from the commune so distance searches filter on an indexed bounding box.
    latitude: Mapped[float]
    longitude: Mapped[float]
    contract_type: Mapped[ContractType] = mapped_column(enum_type(ContractType))
    weekly_hours: Mapped[float]
    positions: Mapped[int] = mapped_column(default=1)
    start_date: Mapped[date | None]
    publication_end: Mapped[date | None]
    eligible_criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    qpv_required: Mapped[bool] = mapped_column(default=False)
    driving_licence_required: Mapped[bool] = mapped_column(default=False)
    certificates_required: Mapped[str] = mapped_column(sa.String(300), default="")
    # Certificates as referential codes (referential/certificates.py): required ones (their labels
    # are certificates_required) and wished ones.
    required_certificates: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    wished_certificates: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus), default=OfferStatus.DRAFT)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    territory: Mapped[Territory] = relationship()
    lot: Mapped[Lot] = relationship()
    company: Mapped[Company] = relationship()
    programme: Mapped[Programme | None] = relationship()
    appellation: Mapped[RomeAppellation | None] = relationship()
    commune: Mapped[Commune] = relationship()


class OfferStatusChange(db.Model):
    __tablename__ = "offer_status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[OfferStatus | None] = mapped_column(enum_type(OfferStatus, name="from_status"))
    to_status: Mapped[OfferStatus] = mapped_column(enum_type(OfferStatus))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")
