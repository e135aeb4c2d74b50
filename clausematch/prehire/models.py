"""Events and pre-hire steps (docs/domain.md, "Parcours et sorties").

An `Event` is collective: a facilitator plans it for a programme and/or offers, invites people
through their prescribers (`EventParticipant`, one row per person and event), and records who
came. A `PreHireStep` is individual: an immersion, a pre-hire training or a validation for a
training, with its dates, its host or training organisation and how it ended. Both appear in the
person's pathway and feed a programme's funnel."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Territory
from clausematch.candidates.models import Candidate
from clausematch.database import LabelledEnum, TimestampMixin, enum_type
from clausematch.extensions import db
from clausematch.offers.models import Offer, Programme
from clausematch.referential.models import Commune

MAX_STEP_HOURS = 2000  # a pre-hire training lasts at most a few hundred hours (POEC: 400 h)


class EventKind(LabelledEnum):
    INFO_SESSION = "info_session", "Réunion d'information collective"
    JOB_DATING = "job_dating", "Job-dating"
    JOB_FAIR = "job_fair", "Forum emploi"
    SITE_VISIT = "site_visit", "Visite de chantier"


class ParticipantStatus(LabelledEnum):
    """Invited (the prescriber is asked) → registered or declined → attended or absent."""

    INVITED = "invited", "Invitée"
    REGISTERED = "registered", "Inscrite"
    DECLINED = "declined", "Ne viendra pas"
    ATTENDED = "attended", "Présente"
    ABSENT = "absent", "Absente"


class ParticipantOutcome(LabelledEnum):
    """What came of attending, recorded with the attendance."""

    INTERESTED = "interested", "Intéressée, à orienter"
    ORIENTED = "oriented", "Orientée vers une offre"
    NOT_INTERESTED = "not_interested", "Pas intéressée"
    NOT_READY = "not_ready", "Pas prête pour l'instant"


class StepKind(LabelledEnum):
    PMSMP = "pmsmp", "Immersion (PMSMP)"
    POEC = "poec", "Préparation opérationnelle à l'emploi collective (POEC)"
    POEI = "poei", "Préparation opérationnelle à l'emploi individuelle (POEI)"
    AFPR = "afpr", "Action de formation préalable au recrutement (AFPR)"
    TRAINING_VALIDATION = "training_validation", "Validation pour une formation"


# Kinds that are trainings (hours and a training organisation); PMSMP has a host company.
TRAINING_KINDS = frozenset({StepKind.POEC, StepKind.POEI, StepKind.AFPR})


class StepStatus(LabelledEnum):
    """PLANNED until it happens; COMPLETED when done to the end (for a validation: validated);
    INTERRUPTED when stopped before its end; NOT_RETAINED when the person was not taken
    (for a validation: not validated)."""

    PLANNED = "planned", "Prévue"
    COMPLETED = "completed", "Réalisée"
    INTERRUPTED = "interrupted", "Interrompue"
    NOT_RETAINED = "not_retained", "Non retenue"


event_offers = sa.Table(
    "event_offers", db.metadata,
    sa.Column("event_id", sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("offer_id", sa.ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(TimestampMixin, db.Model):
    __tablename__ = "events"
    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        sa.Index("ix_events_territory_starts", "territory_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    kind: Mapped[EventKind] = mapped_column(enum_type(EventKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(sa.String(300))  # address or room, as people will look for it
    commune_insee: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.insee_code"))
    capacity: Mapped[int | None]  # None: no limit
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"), index=True)
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    territory: Mapped[Territory] = relationship()
    commune: Mapped[Commune | None] = relationship()
    programme: Mapped[Programme | None] = relationship()
    offers: Mapped[list[Offer]] = relationship(secondary=event_offers, order_by="Offer.id")


class EventParticipant(TimestampMixin, db.Model):
    """One person at one event, from the invitation to the attendance and its outcome."""

    __tablename__ = "event_participants"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "candidate_id"),
        sa.Index("ix_event_participants_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"))
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    status: Mapped[ParticipantStatus] = mapped_column(enum_type(ParticipantStatus),
                                                      default=ParticipantStatus.INVITED)
    outcome: Mapped[ParticipantOutcome | None] = mapped_column(enum_type(ParticipantOutcome))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    invited_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None]  # registered or declined
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    attendance_recorded_at: Mapped[datetime | None]

    event: Mapped[Event] = relationship()
    candidate: Mapped[Candidate] = relationship()


class PreHireStep(TimestampMixin, db.Model):
    """An individual step before a hire. `organisation_id` is the host company (PMSMP) when it
    is known to ClauseMatch, else `organisation_name` says who hosts or trains."""

    __tablename__ = "prehire_steps"
    __table_args__ = (
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_ordered"),
        sa.CheckConstraint(f"hours IS NULL OR (hours > 0 AND hours <= {MAX_STEP_HOURS})", name="hours_range"),
        sa.Index("ix_prehire_steps_programme_kind", "programme_id", "kind", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    kind: Mapped[StepKind] = mapped_column(enum_type(StepKind))
    status: Mapped[StepStatus] = mapped_column(enum_type(StepStatus), default=StepStatus.PLANNED)
    programme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("programmes.id"))
    offer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offers.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"))
    organisation_name: Mapped[str] = mapped_column(sa.String(200), default="")
    title: Mapped[str] = mapped_column(sa.String(200), default="")  # the training's or immersion's subject
    start_date: Mapped[date]
    end_date: Mapped[date | None]
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]  # when the status left PLANNED

    candidate: Mapped[Candidate] = relationship()
    programme: Mapped[Programme | None] = relationship()
    offer: Mapped[Offer | None] = relationship()
