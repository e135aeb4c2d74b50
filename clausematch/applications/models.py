"""Orientations (applications) of candidates to offers, and their status history."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.candidates.models import Candidate
from clausematch.database import LabelledEnum, enum_type, utcnow
from clausematch.extensions import db
from clausematch.offers.models import Offer


class ApplicationStatus(LabelledEnum):
    SUBMITTED = "submitted", "Proposée"
    VALIDATED = "validated", "Éligibilité validée"
    SHORTLISTED = "shortlisted", "Présélectionnée"
    SENT = "sent", "Envoyée à l'entreprise"
    INTERVIEW = "interview", "Entretien"
    HIRED = "hired", "Embauchée"
    REFUSED = "refused", "Refusée"
    WITHDRAWN = "withdrawn", "Retirée"


class RefusalReason(LabelledEnum):
    DID_NOT_COME = "did_not_come", "Ne s'est pas présenté(e)"
    LACKS_SKILLS = "lacks_skills", "Compétences insuffisantes"
    NOT_MOBILE = "not_mobile", "Mobilité insuffisante"
    NOT_ELIGIBLE = "not_eligible", "Non éligible"
    POSITION_FILLED = "position_filled", "Poste pourvu"
    CANDIDATE_DECLINED = "candidate_declined", "Le candidat a décliné"
    NO_ANSWER = "no_answer", "Sans réponse dans les délais"
    OTHER = "other", "Autre motif"
    # Closed by the system for a reason nobody outside the prescriber side may know (the person
    # withdrew their consent: privacy/withdrawal.py). Neutral on purpose; never chosen by hand.
    CLOSED = "closed", "Candidature close"


class Application(db.Model):
    __tablename__ = "applications"
    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "offer_id"),
        sa.CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name="refused_has_reason"),
        sa.Index("ix_applications_offer_status", "offer_id", "status"),
        sa.Index("ix_applications_prescriber_status", "prescriber_id", "status"),
        sa.Index("ix_applications_status_last_event", "status", "last_event_at"),
        # Applications of a status on a territory's offers (home page), read from the index alone.
        sa.Index("ix_applications_status_offer", "status", "offer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id"), index=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id"))
    prescriber_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus),
                                                      default=ApplicationStatus.SUBMITTED)
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(enum_type(RefusalReason))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_event_at: Mapped[datetime] = mapped_column(default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    offer: Mapped[Offer] = relationship()
    events: Mapped[list["ApplicationEvent"]] = relationship(back_populates="application",
                                                           order_by="ApplicationEvent.occurred_at")


class ApplicationEvent(db.Model):
    """One step of an application's history: every status change, with who, when and why."""

    __tablename__ = "application_events"
    __table_args__ = (sa.Index("ix_application_events_to_status", "to_status", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"),
                                                index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(enum_type(ApplicationStatus, name="from_status"))
    to_status: Mapped[ApplicationStatus] = mapped_column(enum_type(ApplicationStatus))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    comment: Mapped[str] = mapped_column(sa.String(1000), default="")
    refusal_reason: Mapped[RefusalReason | None] = mapped_column(enum_type(RefusalReason))

    application: Mapped[Application] = relationship(back_populates="events")
