"""Public contracts (marchés), their lots and each lot's insertion clause."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Buyer, Company, Territory
from clausematch.database import LabelledEnum, TimestampMixin, enum_type
from clausematch.extensions import db
from clausematch.vocabulary import Sector


class ClauseKind(LabelledEnum):
    """Legal basis of the social clause (Code de la commande publique)."""

    EXECUTION_CONDITION = "execution_condition", "Condition d'exécution (L2112-2)"
    AWARD_CRITERION = "award_criterion", "Critère d'attribution (L2152-7)"
    RESERVED_SIAE = "reserved_siae", "Marché réservé aux SIAE (L2113-13)"
    RESERVED_EA = "reserved_ea", "Marché réservé aux EA/ESAT (L2113-12)"
    INSERTION_CONTRACT = "insertion_contract", "Marché d'insertion (R2123-1 3°)"


class ObjectiveMethod(LabelledEnum):
    FIXED = "fixed", "Nombre d'heures inscrit au marché"
    COMPUTED = "computed", "Calculé : montant × part main-d'œuvre × taux ÷ coût horaire"


class Contract(TimestampMixin, db.Model):
    """A public contract. `clause_kind` is None when it carries no social clause (SPASER share)."""

    __tablename__ = "contracts"
    __table_args__ = (
        sa.UniqueConstraint("buyer_id", "reference"),
        sa.CheckConstraint("amount_ht >= 0", name="amount_non_negative"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        sa.Index("ix_contracts_buyer_notified", "buyer_id", "notified_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    reference: Mapped[str] = mapped_column(sa.String(60))
    object: Mapped[str] = mapped_column(sa.String(500))
    sector: Mapped[Sector] = mapped_column(enum_type(Sector))
    amount_ht: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    notified_on: Mapped[date]
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    clause_kind: Mapped[ClauseKind | None] = mapped_column(enum_type(ClauseKind))

    territory: Mapped[Territory] = relationship()
    buyer: Mapped[Buyer] = relationship()
    lots: Mapped[list["Lot"]] = relationship(back_populates="contract", order_by="Lot.number")


class Lot(TimestampMixin, db.Model):
    __tablename__ = "lots"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "number"),
        sa.CheckConstraint("amount_ht >= 0", name="amount_non_negative"),
        sa.CheckConstraint("number > 0", name="number_positive"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(300))
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    amount_ht: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    contract: Mapped[Contract] = relationship(back_populates="lots")
    company: Mapped[Company | None] = relationship()
    clause: Mapped["Clause | None"] = relationship(back_populates="lot", uselist=False)


class Clause(TimestampMixin, db.Model):
    """The insertion obligation of one lot: hour objective, eligible publics, allowed modes."""

    __tablename__ = "clauses"
    __table_args__ = (
        sa.CheckConstraint("hours_objective >= 0", name="objective_non_negative"),
        sa.CheckConstraint("labour_share IS NULL OR (labour_share > 0 AND labour_share <= 1)",
                           name="labour_share_range"),
        sa.CheckConstraint("insertion_rate IS NULL OR (insertion_rate > 0 AND insertion_rate <= 1)",
                           name="insertion_rate_range"),
        sa.CheckConstraint("hourly_cost IS NULL OR hourly_cost > 0", name="hourly_cost_positive"),
        sa.CheckConstraint("cdi_lump_hours IS NULL OR cdi_lump_hours >= 0", name="cdi_lump_non_negative"),
        sa.CheckConstraint(
            "objective_method = 'fixed' OR (labour_share IS NOT NULL AND insertion_rate IS NOT NULL"
            " AND hourly_cost IS NOT NULL)", name="computed_has_factors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id", ondelete="CASCADE"), unique=True)
    hours_objective: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    objective_method: Mapped[ObjectiveMethod] = mapped_column(enum_type(ObjectiveMethod))
    labour_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    insertion_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    hourly_cost: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))
    # Lists of codes from clausematch.vocabulary (Criterion, Mode); empty list = all allowed.
    eligible_criteria: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    allowed_modes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # Hours credited once per CDI hire on the lot (docs/domain.md, "Heures qui comptent"): None
    # inherits the territory's lump, 0 means no lump on this clause, N overrides it.
    cdi_lump_hours: Mapped[int | None]

    lot: Mapped[Lot] = relationship(back_populates="clause")


def computed_objective(amount_ht: Decimal, labour_share: Decimal, insertion_rate: Decimal,
                       hourly_cost: Decimal) -> Decimal:
    """amount × labour share × insertion rate ÷ hourly cost, rounded to the hour
    (1 000 000 € × 50 % × 5 % ÷ 30 € → 833 h)."""
    hours = Decimal(amount_ht) * Decimal(labour_share) * Decimal(insertion_rate) / Decimal(hourly_cost)
    return hours.quantize(Decimal("1"), rounding="ROUND_HALF_UP")


class HoursPool(TimestampMixin, db.Model):
    """A pooling agreement (globalisation): the titulaire company's hours on the lots it covers
    are judged together — realised and objective summed over the pool's lots (docs/domain.md,
    "Heures qui comptent"). Applied only while the territory's `globalise_across_lots` is on;
    switched off, the agreement stays recorded but every lot is judged on its own hours."""

    __tablename__ = "hours_pools"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    agreed_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.String(1000))

    territory: Mapped[Territory] = relationship()
    company: Mapped[Company] = relationship()
    members: Mapped[list["HoursPoolLot"]] = relationship(back_populates="pool", cascade="all, delete-orphan")


class HoursPoolLot(db.Model):
    """One lot covered by a pool; a lot belongs to at most one pool (primary key on the lot)."""

    __tablename__ = "hours_pool_lots"

    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    pool_id: Mapped[int] = mapped_column(sa.ForeignKey("hours_pools.id", ondelete="CASCADE"), index=True)

    pool: Mapped[HoursPool] = relationship(back_populates="members")
    lot: Mapped[Lot] = relationship()
