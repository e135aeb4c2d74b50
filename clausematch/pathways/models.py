"""Hires (employment contracts), exits, 6-month follow-ups and monthly insertion hours."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Company
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Lot
from clausematch.database import LabelledEnum, TimestampMixin, enum_type, utcnow
from clausematch.extensions import db
from clausematch.vocabulary import ContractType, ExitCategory, ExitDetail, Mode

# A month of work cannot hold more hours than this, whatever the declaration rules say.
PHYSICAL_MONTHLY_HOURS_CAP = 744


class EmploymentContract(TimestampMixin, db.Model):
    """A hire on a clause-bearing lot. `company_id` owes the hours (the lot's titulaire);
    `employer_id` is who signs the contract (the SIAE, ETTI or GEIQ when the mode is not direct).
    An extension or a conversion (CDD → CDI) is a new contract pointing to the previous one."""

    __tablename__ = "employment_contracts"
    __table_args__ = (
        sa.CheckConstraint("weekly_hours > 0 AND weekly_hours <= 48", name="weekly_hours_range"),
        sa.CheckConstraint("planned_end_date IS NULL OR planned_end_date >= start_date", name="planned_end_ordered"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_ordered"),
        sa.CheckConstraint("contract_type = 'cdi' OR planned_end_date IS NOT NULL OR mode <> 'direct'",
                           name="fixed_term_has_end"),
        sa.Index("ix_employment_contracts_lot_start", "lot_id", "start_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id"), unique=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    employer_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    previous_contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employment_contracts.id"),
                                                             unique=True)
    contract_type: Mapped[ContractType] = mapped_column(enum_type(ContractType))
    mode: Mapped[Mode] = mapped_column(enum_type(Mode))
    start_date: Mapped[date]
    planned_end_date: Mapped[date | None]
    trial_period_end: Mapped[date | None]
    end_date: Mapped[date | None]
    weekly_hours: Mapped[float]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The person's age (whole years) on start_date, frozen when their record is anonymised (the
    # exact birth date goes): the publics report reads it instead of the birth date (privacy/erasure.py).
    age_at_start: Mapped[int | None] = mapped_column(sa.SmallInteger)

    candidate: Mapped[Candidate] = relationship()
    lot: Mapped[Lot] = relationship()
    company: Mapped[Company] = relationship(foreign_keys=[company_id])
    employer: Mapped[Company] = relationship(foreign_keys=[employer_id])
    previous_contract: Mapped["EmploymentContract | None"] = relationship(remote_side=[id])
    exit: Mapped["Exit | None"] = relationship(back_populates="contract", uselist=False)


class Exit(db.Model):
    """How a contract ended. `category` is derived from `detail` (vocabulary.EXIT_CATEGORY)
    and stored for reporting in SQL."""

    __tablename__ = "exits"
    __table_args__ = (sa.Index("ix_exits_category_date", "category", "exit_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("employment_contracts.id", ondelete="CASCADE"),
                                             unique=True)
    exit_date: Mapped[date]
    detail: Mapped[ExitDetail] = mapped_column(enum_type(ExitDetail))
    category: Mapped[ExitCategory] = mapped_column(enum_type(ExitCategory))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    contract: Mapped[EmploymentContract] = relationship(back_populates="exit")
    follow_up: Mapped["FollowUp | None"] = relationship(back_populates="exit", uselist=False)


class FollowUp(db.Model):
    """The check six months after an exit: is the person still in work?"""

    __tablename__ = "follow_ups"
    __table_args__ = (
        sa.CheckConstraint("done_on IS NULL OR in_work IS NOT NULL", name="done_has_answer"),
        sa.Index("ix_follow_ups_due_done", "due_on", "done_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exit_id: Mapped[int] = mapped_column(sa.ForeignKey("exits.id", ondelete="CASCADE"), unique=True)
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    in_work: Mapped[bool | None]
    situation: Mapped[ExitDetail | None] = mapped_column(enum_type(ExitDetail))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    exit: Mapped[Exit] = relationship(back_populates="follow_up")


class HoursKind(LabelledEnum):
    WORK = "work", "Heures travaillées"
    TRAINING = "training", "Heures de formation"


class HoursStatus(LabelledEnum):
    DECLARED = "declared", "Déclarées"
    VALIDATED = "validated", "Validées"
    REJECTED = "rejected", "Refusées"


class HoursEntry(TimestampMixin, db.Model):
    """Hours one person worked on one lot in one month (`month` is the 1st of the month).

    lot, company, candidate and mode are copied from the contract so that reports over
    millions of rows group by indexed columns without joins.
    """

    __tablename__ = "hours_entries"
    __table_args__ = (
        sa.UniqueConstraint("contract_id", "month", "kind"),
        sa.CheckConstraint(f"hours >= 0 AND hours <= {PHYSICAL_MONTHLY_HOURS_CAP}", name="hours_range"),
        # Covering index: per-lot sums of validated hours by month read the index alone.
        sa.Index("ix_hours_entries_lot_status_month", "lot_id", "status", "kind", "month", "hours"),
        sa.Index("ix_hours_entries_company_month", "company_id", "month"),
        sa.Index("ix_hours_entries_candidate", "candidate_id"),
        sa.Index("ix_hours_entries_status_month", "status", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(sa.ForeignKey("employment_contracts.id"))
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"))
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    mode: Mapped[Mode] = mapped_column(enum_type(Mode))
    month: Mapped[date]
    kind: Mapped[HoursKind] = mapped_column(enum_type(HoursKind), default=HoursKind.WORK)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    status: Mapped[HoursStatus] = mapped_column(enum_type(HoursStatus), default=HoursStatus.DECLARED)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    validated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None]

    contract: Mapped[EmploymentContract] = relationship()


class HoursRevision(db.Model):
    """A correction to an hours entry: the history keeps who, when, old and new value."""

    __tablename__ = "hours_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("hours_entries.id", ondelete="CASCADE"), index=True)
    old_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(7, 2))
    new_hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(sa.String(500), default="")


class InvoiceNature(LabelledEnum):
    SUBCONTRACTING = "subcontracting", "Sous-traitance"
    CO_CONTRACTING = "co_contracting", "Co-traitance"


class SubcontractingInvoice(TimestampMixin, db.Model):
    """Work a SIAE did on a lot as subcontractor or co-contractor, entered as what it is: an
    invoiced amount (excl. VAT) for a month, converted into insertion hours with the hourly cost
    frozen at entry (the clause's, else the territory's default) — docs/domain.md, "Heures qui
    comptent". Declared by the titulaire or a facilitator, validated like hours; only validated
    invoices count (mode subcontracting_siae)."""

    __tablename__ = "subcontracting_invoices"
    __table_args__ = (
        sa.CheckConstraint("amount_ht > 0", name="amount_positive"),
        sa.CheckConstraint("hourly_cost > 0", name="hourly_cost_positive"),
        sa.CheckConstraint("converted_hours >= 0", name="converted_non_negative"),
        # A lot's validated invoices summed by month read the index alone.
        sa.Index("ix_subcontracting_invoices_lot_status_month", "lot_id", "status", "month", "converted_hours"),
        sa.Index("ix_subcontracting_invoices_status_month", "status", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(sa.ForeignKey("lots.id"))
    siae_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    nature: Mapped[InvoiceNature] = mapped_column(enum_type(InvoiceNature))
    month: Mapped[date]  # the 1st of the invoiced month
    amount_ht: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2))
    hourly_cost: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    converted_hours: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2))
    reference: Mapped[str] = mapped_column(sa.String(60), default="")
    status: Mapped[HoursStatus] = mapped_column(enum_type(HoursStatus, name="invoice_status"),
                                                default=HoursStatus.DECLARED)
    rejection_reason: Mapped[str] = mapped_column(sa.String(400), default="")
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    validated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None]

    lot: Mapped[Lot] = relationship()
    siae: Mapped[Company] = relationship()
