"""The directory of inclusive structures: one profile per inclusive company (EI, ETTI, AI, ACI,
GEIQ, EA, régie de quartier) — what it does, where, how much it can take, what it offers and whom
to call."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Company, CompanyKind
from clausematch.database import TimestampMixin
from clausematch.extensions import db

# Company kinds that may hold a directory profile (every kind but the plain titulaire).
INCLUSIVE_KINDS = frozenset(kind for kind in CompanyKind if kind is not CompanyKind.TITULAIRE)
# Who may answer a lot reserved to SIAE (L2113-13) or to EA/ESAT (L2113-12). Régies de quartier
# are listed with the SIAE: most hold an EI or ACI agreement.
SIAE_KINDS = frozenset({CompanyKind.EI, CompanyKind.ETTI, CompanyKind.AI, CompanyKind.ACI, CompanyKind.REGIE})
EA_KINDS = frozenset({CompanyKind.EA})

# What a structure offers to a company holding a clause: (column, French label, query value).
OFFER_TYPES = (
    ("offers_subcontracting", "Sous-traitance", "sous-traitance"),
    ("offers_co_contracting", "Cotraitance", "cotraitance"),
    ("offers_staff_provision", "Mise à disposition de personnel", "mise-a-disposition"),
)


class DirectoryProfile(TimestampMixin, db.Model):
    __tablename__ = "directory_profiles"
    __table_args__ = (
        sa.CheckConstraint("radius_km >= 0 AND radius_km <= 200", name="radius_range"),
        sa.CheckConstraint("capacity_positions IS NULL OR capacity_positions >= 0", name="positions_non_negative"),
        sa.CheckConstraint("capacity_hours IS NULL OR capacity_hours >= 0", name="hours_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    activities: Mapped[str] = mapped_column(sa.Text, default="")
    # Normalised activities, ROME labels and appellations (text.normalise): the trade search
    # matches words in it, accents and case aside. Rebuilt by each save.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    radius_km: Mapped[int] = mapped_column(default=10)
    capacity_positions: Mapped[int | None]
    capacity_hours: Mapped[int | None]  # hours per month
    offers_subcontracting: Mapped[bool] = mapped_column(default=False)
    offers_co_contracting: Mapped[bool] = mapped_column(default=False)
    offers_staff_provision: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str | None] = mapped_column(sa.String(200))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    is_published: Mapped[bool] = mapped_column(default=False, index=True)
    published_at: Mapped[datetime | None]

    company: Mapped[Company] = relationship()
    rome_codes: Mapped[list["DirectoryRomeCode"]] = relationship(cascade="all, delete-orphan",
                                                                 order_by="DirectoryRomeCode.rome_code")
    communes: Mapped[list["DirectoryCommune"]] = relationship(cascade="all, delete-orphan",
                                                              order_by="DirectoryCommune.commune_insee")

    @property
    def offer_labels(self) -> list[str]:
        return [label for column, label, _ in OFFER_TYPES if getattr(self, column)]


class DirectoryRomeCode(db.Model):
    """A ROME code (trade) the structure works in."""

    __tablename__ = "directory_rome_codes"

    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("directory_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    rome_code: Mapped[str] = mapped_column(sa.ForeignKey("rome_codes.code"), primary_key=True, index=True)


class DirectoryCommune(db.Model):
    """A commune the structure serves (besides its radius around its own commune)."""

    __tablename__ = "directory_communes"

    profile_id: Mapped[int] = mapped_column(sa.ForeignKey("directory_profiles.id", ondelete="CASCADE"),
                                            primary_key=True)
    commune_insee: Mapped[str] = mapped_column(sa.ForeignKey("communes.insee_code"), primary_key=True, index=True)
