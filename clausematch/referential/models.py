"""Reference data: ROME codes and appellations (France Travail), French communes."""
import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.extensions import db


class RomeCode(db.Model):
    __tablename__ = "rome_codes"

    code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(200))

    @property
    def family(self) -> str:
        """The family letter (A–N)."""
        return self.code[0]

    @property
    def domain(self) -> str:
        """The professional domain: letter + two digits (e.g. F17)."""
        return self.code[:3]


class RomeAppellation(db.Model):
    __tablename__ = "rome_appellations"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    label: Mapped[str] = mapped_column(sa.String(250))
    rome_code: Mapped[str] = mapped_column(sa.ForeignKey("rome_codes.code"), index=True)

    rome: Mapped[RomeCode] = relationship()


class Commune(db.Model):
    __tablename__ = "communes"
    __table_args__ = (
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        # Bounding-box prefilter for distance searches.
        sa.Index("ix_communes_lat_lon", "latitude", "longitude"),
    )

    insee_code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    kind: Mapped[str] = mapped_column(sa.String(3))  # COM, or ARM for Paris/Lyon/Marseille districts
    department: Mapped[str] = mapped_column(sa.String(3), index=True)
    postcodes: Mapped[str] = mapped_column(sa.String(200))  # space-separated
    latitude: Mapped[float]
    longitude: Mapped[float]
    population: Mapped[int | None]

    @property
    def label(self) -> str:
        first = self.postcodes.split()[0] if self.postcodes else self.department
        return f"{self.name} ({first})"
