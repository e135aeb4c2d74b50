"""Candidates, their desired jobs, consent and eligibility criteria."""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.accounts.models import Prescriber, Territory, User
from clausematch.database import LabelledEnum, TimestampMixin, enum_type, utcnow
from clausematch.extensions import db
from clausematch.referential.models import Commune, RomeAppellation
from clausematch.vocabulary import Criterion, EducationLevel, Gender


class EligibilityStatus(LabelledEnum):
    DECLARED = "declared", "Déclaré par le prescripteur"
    VALIDATED = "validated", "Validé"
    REFUSED = "refused", "Refusé"


class Candidate(TimestampMixin, db.Model):
    """A person oriented to clause offers by a prescriber organisation (which owns the record)."""

    __tablename__ = "candidates"
    __table_args__ = (
        sa.CheckConstraint("mobility_km >= 0 AND mobility_km <= 200", name="mobility_range"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
        sa.Index("ix_candidates_prescriber_last_name", "prescriber_id", "last_name"),
        sa.Index("ix_candidates_birth_date", "birth_date"),
        sa.Index("ix_candidates_name_key", "name_key"),
        # The territory's count of records (merged ones excluded) read from the index alone.
        sa.Index("ix_candidates_territory_merged", "territory_id", "merged_into_id"),
        sa.Index("ix_candidates_commune_insee", "commune_insee"),
        sa.Index("ix_candidates_territory_last_name", "territory_id", "last_name", "first_name", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"), index=True)
    prescriber_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    referent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100))
    # Names without accents, case or punctuation, sorted: the blocking key for duplicates.
    name_key: Mapped[str] = mapped_column(sa.String(210))
    birth_date: Mapped[date]
    gender: Mapped[Gender] = mapped_column(enum_type(Gender))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(30), index=True)
    commune_insee: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.insee_code"))
    # Residence in a QPV is the eligibility criterion "qpv" (declared with its evidence, validated
    # by a facilitator), like every public: there is no separate flag (migration 0012).
    education_level: Mapped[EducationLevel] = mapped_column(enum_type(EducationLevel))
    desired_jobs_text: Mapped[str] = mapped_column(sa.String(500), default="")
    skills: Mapped[str] = mapped_column(sa.Text, default="")
    experience: Mapped[str] = mapped_column(sa.Text, default="")
    mobility_km: Mapped[int] = mapped_column(default=30)
    driving_licence: Mapped[bool] = mapped_column(default=False)
    certificates: Mapped[str] = mapped_column(sa.String(300), default="")
    # The same, as referential codes (referential/certificates.py), what they imply not included.
    certificate_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default=sa.text("'[]'"))
    available: Mapped[bool] = mapped_column(default=True)
    available_from: Mapped[date | None]
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("candidates.id"))
    # Set when the person's identity was wiped (erasure, consent withdrawn, retention: privacy/):
    # the record stays for the counts, hours, publics and exits, nobody can act on it any more.
    anonymised_at: Mapped[datetime | None]
    # When the prescriber was told the record would be anonymised for inactivity (privacy/retention.py);
    # any activity after that day voids the notice (the job compares it with the last activity).
    retention_notice_on: Mapped[date | None]

    territory: Mapped[Territory] = relationship()
    prescriber: Mapped[Prescriber] = relationship()
    referent: Mapped[User | None] = relationship()
    commune: Mapped[Commune | None] = relationship()
    # In the order the prescriber wrote them (n° 1 first).
    desired_jobs: Mapped[list["CandidateDesiredJob"]] = relationship(
        back_populates="candidate", cascade="all, delete-orphan",
        order_by="(CandidateDesiredJob.position, CandidateDesiredJob.id)")
    criteria: Mapped[list["EligibilityCriterion"]] = relationship(back_populates="candidate",
                                                                  cascade="all, delete-orphan")
    consents: Mapped[list["Consent"]] = relationship(back_populates="candidate", cascade="all, delete-orphan")

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @hybrid_property
    def is_active(self) -> bool:
        """A record one can act on: neither merged into another one nor anonymised (erasure,
        consent withdrawn, retention). The one definition every permission, list, search,
        proposal and the matching index use (in Python and, as `Candidate.is_active`, in SQL)."""
        return self.merged_into_id is None and self.anonymised_at is None

    @is_active.inplace.expression
    @classmethod
    def _is_active_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.merged_into_id.is_(None), cls.anonymised_at.is_(None))

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class CandidateNameWord(db.Model):
    """One normalised word of a candidate's names ("benoit", "diallo"): the index of the name
    search (search.py), kept by name_words.py whenever a record is created or renamed. Compared
    byte by byte (collation "C" on PostgreSQL) so that a prefix is a range of the btree index.
    `skeleton`: the word's consonant skeleton (text.skeleton, "diallo" → "dl"), looked up by
    equality when a typo hides the first letters."""

    __tablename__ = "candidate_name_words"
    __table_args__ = (sa.Index("ix_candidate_name_words_word", "word", "candidate_id"),
                      sa.Index("ix_candidate_name_words_skeleton", "skeleton", "candidate_id"))

    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), primary_key=True)
    word: Mapped[str] = mapped_column(sa.String(100).with_variant(sa.String(100, collation="C"), "postgresql"),
                                      primary_key=True)
    skeleton: Mapped[str] = mapped_column(sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql"),
                                          server_default="")


class CandidateDesiredJob(db.Model):
    __tablename__ = "candidate_desired_jobs"
    __table_args__ = (sa.UniqueConstraint("candidate_id", "appellation_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    appellation_code: Mapped[int] = mapped_column(sa.ForeignKey("rome_appellations.code"))
    # 1 for "Métier souhaité n° 1"…; rows inserted without it (bulk seeds) follow their id.
    position: Mapped[int] = mapped_column(default=0, server_default="0")

    candidate: Mapped[Candidate] = relationship(back_populates="desired_jobs")
    appellation: Mapped[RomeAppellation] = relationship()


class Consent(db.Model):
    """The candidate's consent to the processing of their data, as recorded by a prescriber."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    given_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    purposes: Mapped[str] = mapped_column(sa.String(500))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    withdrawn_on: Mapped[date | None]
    # How the person expressed the withdrawal (privacy/withdrawal.py: WithdrawalChannel), who recorded it, when.
    withdrawal_channel: Mapped[str | None] = mapped_column(sa.String(40))
    withdrawal_recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawal_recorded_at: Mapped[datetime | None]

    candidate: Mapped[Candidate] = relationship(back_populates="consents")


class EligibilityCriterion(db.Model):
    """One declared criterion: what, the evidence seen, who declared it, who validated it, until when."""

    __tablename__ = "eligibility_criteria"
    __table_args__ = (
        sa.UniqueConstraint("candidate_id", "criterion"),
        sa.CheckConstraint("status <> 'validated' OR (validated_at IS NOT NULL AND valid_until IS NOT NULL)",
                           name="validated_has_dates"),
        sa.CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL", name="refused_has_reason"),
        sa.Index("ix_eligibility_criteria_status_valid_until", "status", "valid_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    criterion: Mapped[Criterion] = mapped_column(enum_type(Criterion))
    evidence: Mapped[str] = mapped_column(sa.String(300), default="")
    evidence_date: Mapped[date | None]
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The prescriber organisation that declared it (None: the record's owner, see permissions.py).
    declared_by_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", name="fk_eligibility_criteria_declaring_org"))  # the default name is > 63
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[EligibilityStatus] = mapped_column(enum_type(EligibilityStatus),
                                                      default=EligibilityStatus.DECLARED)
    validated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    validated_at: Mapped[datetime | None]
    valid_until: Mapped[date | None]
    refusal_reason: Mapped[str | None] = mapped_column(sa.String(300))

    candidate: Mapped[Candidate] = relationship(back_populates="criteria")
