"""What remains of people once their accountability period is over: anonymous aggregates."""
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from clausematch.extensions import db


class ArchiveMeasure:
    """What an archive row counts; `key` says which kind of it."""
    PEOPLE = "people"  # key "": people with a contract on the lot ending that year
    HIRES = "hires"  # key: the contract type (vocabulary.ContractType)
    HOURS = "hours"  # key: the hours kind (work, training), validated hours only
    EXITS = "exits"  # key: the exit category (vocabulary.ExitCategory)
    PUBLICS = "publics"  # key: a validated eligibility criterion (vocabulary.Criterion)


class AccountabilityArchive(db.Model):
    """Counts of the people reduced to aggregates (privacy/retention.py), by territory, lot and
    year of contract end: incremented when a person's rows are deleted, never naming anyone."""

    __tablename__ = "accountability_archive"
    __table_args__ = (sa.UniqueConstraint("territory_id", "lot_id", "year", "measure", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"), index=True)
    year: Mapped[int]
    measure: Mapped[str] = mapped_column(sa.String(20))
    key: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    value: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=0)
