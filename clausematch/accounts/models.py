"""Territories, organisations (single table, one subclass per kind), users, memberships,
invitations and password-reset tokens."""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from clausematch.database import LabelledEnum, TimestampMixin, enum_type, utcnow
from clausematch.extensions import db
from clausematch.text import normalise
from clausematch.vocabulary import ExitConvention


class Role(LabelledEnum):
    FACILITATOR = "facilitator", "Facilitateur"
    PRESCRIBER = "prescriber", "Prescripteur"
    COMPANY = "company", "Entreprise"
    BUYER = "buyer", "Acheteur public"
    ADMIN = "admin", "Administrateur"


class OrganisationKind(LabelledEnum):
    FACILITATOR = "facilitator", "Équipe de facilitation"
    PRESCRIBER = "prescriber", "Prescripteur"
    COMPANY = "company", "Entreprise"
    BUYER = "buyer", "Acheteur public"


# The role a member of each kind of organisation holds.
ROLE_FOR_KIND = {
    OrganisationKind.FACILITATOR: Role.FACILITATOR,
    OrganisationKind.PRESCRIBER: Role.PRESCRIBER,
    OrganisationKind.COMPANY: Role.COMPANY,
    OrganisationKind.BUYER: Role.BUYER,
}


class PrescriberKind(LabelledEnum):
    FRANCE_TRAVAIL = "france_travail", "France Travail"
    MISSION_LOCALE = "mission_locale", "Mission locale"
    CAP_EMPLOI = "cap_emploi", "Cap Emploi"
    PLIE = "plie", "PLIE"
    SOCIAL_SERVICE = "social_service", "Département / service social"
    SIAE = "siae", "Structure d'insertion (SIAE)"
    ASSOCIATION = "association", "Association"
    OTHER = "other", "Autre prescripteur"


class CompanyKind(LabelledEnum):
    TITULAIRE = "titulaire", "Entreprise titulaire"
    EI = "ei", "Entreprise d'insertion (EI)"
    ETTI = "etti", "Entreprise de travail temporaire d'insertion (ETTI)"
    AI = "ai", "Association intermédiaire (AI)"
    ACI = "aci", "Atelier et chantier d'insertion (ACI)"
    GEIQ = "geiq", "Groupement d'employeurs (GEIQ)"
    EA = "ea", "Entreprise adaptée (EA) / ESAT"
    REGIE = "regie", "Régie de quartier"


class BuyerKind(LabelledEnum):
    EPT = "ept", "Établissement public territorial"
    CITY = "city", "Commune"
    OLYMPIC = "olympic", "Maître d'ouvrage des ouvrages olympiques"
    SOCIAL_LANDLORD = "social_landlord", "Bailleur social"
    STATE = "state", "État ou établissement public national"
    OTHER = "other", "Autre acheteur"


class Territory(db.Model):
    """A guichet clause and its conventions (docs/domain.md: settings, never constants)."""

    __tablename__ = "territories"
    __table_args__ = (
        sa.CheckConstraint("eligibility_validity_months > 0", name="validity_positive"),
        sa.CheckConstraint("default_labour_share > 0 AND default_labour_share <= 1", name="labour_share_range"),
        sa.CheckConstraint("default_insertion_rate > 0 AND default_insertion_rate <= 1", name="insertion_rate_range"),
        sa.CheckConstraint("default_hourly_cost > 0", name="hourly_cost_positive"),
        sa.CheckConstraint("inactivity_months > 0", name="inactivity_months_positive"),
        sa.CheckConstraint("accountability_years > 0", name="accountability_years_positive"),
        sa.CheckConstraint("access_log_months > 0", name="access_log_months_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of the settings form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    eligibility_validity_months: Mapped[int] = mapped_column(default=6)
    default_labour_share: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.5"))
    default_insertion_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.05"))
    default_hourly_cost: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2), default=Decimal("30"))
    count_training_hours: Mapped[bool] = mapped_column(default=True)
    cdi_lump_hours: Mapped[int | None]
    globalise_across_lots: Mapped[bool] = mapped_column(default=False)
    # How the outcomes report counts positive exits (named on the report).
    exit_convention: Mapped[ExitConvention] = mapped_column(enum_type(ExitConvention), default=ExitConvention.DGEFP,
                                                            server_default=ExitConvention.DGEFP.value)
    # Targets for the publics reached, as shares in [0, 1]; None when the territory sets none.
    target_women_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    target_under_26_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    target_over_50_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    target_qpv_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    target_local_share: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 4))
    # The data controller shown on the public register (/donnees-personnelles); None until the
    # territory fills them in its settings.
    controller_name: Mapped[str | None] = mapped_column(sa.String(200))
    controller_address: Mapped[str | None] = mapped_column(sa.String(300))
    dpo_email: Mapped[str | None] = mapped_column(sa.String(254))
    # Retention periods (docs/domain.md, "Données personnelles"): months without activity before a
    # person is anonymised, years contracts and hours are kept after the contract ends, months the
    # access log is kept.
    inactivity_months: Mapped[int] = mapped_column(default=24, server_default="24")
    accountability_years: Mapped[int] = mapped_column(default=5, server_default="5")
    access_log_months: Mapped[int] = mapped_column(default=12, server_default="12")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    communes: Mapped[list["TerritoryCommune"]] = relationship(cascade="all, delete-orphan")


class TerritoryCommune(db.Model):
    """A commune of the territory: its residents count as local in the bilans."""

    __tablename__ = "territory_communes"

    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"),
                                              primary_key=True)
    commune_insee: Mapped[str] = mapped_column(sa.ForeignKey("communes.insee_code"), primary_key=True)


class Organisation(TimestampMixin, db.Model):
    """Any body taking part: facilitator team, prescriber, company or buyer.

    One table; the subclasses (FacilitatorTeam, Prescriber, Company, Buyer) add the columns
    of their kind and the CHECK constraints keep each kind's columns consistent.
    """

    __tablename__ = "organisations"
    __table_args__ = (
        sa.CheckConstraint("(kind = 'prescriber') = (prescriber_kind IS NOT NULL)", name="prescriber_kind_set"),
        sa.CheckConstraint("(kind = 'company') = (company_kind IS NOT NULL)", name="company_kind_set"),
        sa.CheckConstraint("(kind = 'buyer') = (buyer_kind IS NOT NULL)", name="buyer_kind_set"),
        sa.CheckConstraint("kind = 'company' OR siret IS NULL OR kind = 'buyer'", name="siret_kind"),
        sa.CheckConstraint("siret IS NULL OR length(siret) = 14", name="siret_length"),
        sa.Index("ix_organisations_territory_kind", "territory_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of its edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id"))
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind))
    name: Mapped[str] = mapped_column(sa.String(200))
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(30))
    address: Mapped[str | None] = mapped_column(sa.String(300))
    commune_insee: Mapped[str | None] = mapped_column(sa.ForeignKey("communes.insee_code"))
    is_active: Mapped[bool] = mapped_column(default=True)
    prescriber_kind: Mapped[PrescriberKind | None] = mapped_column(enum_type(PrescriberKind))
    company_kind: Mapped[CompanyKind | None] = mapped_column(enum_type(CompanyKind))
    buyer_kind: Mapped[BuyerKind | None] = mapped_column(enum_type(BuyerKind))
    siret: Mapped[str | None] = mapped_column(sa.String(14), unique=True)

    territory: Mapped[Territory] = relationship()
    memberships: Mapped[list["Membership"]] = relationship(back_populates="organisation")

    __mapper_args__ = {"polymorphic_on": "kind"}

    @property
    def kind_label(self) -> str:
        sub = self.prescriber_kind or self.company_kind or self.buyer_kind
        return sub.label if sub else self.kind.label


class FacilitatorTeam(Organisation):
    __mapper_args__ = {"polymorphic_identity": OrganisationKind.FACILITATOR}


class Prescriber(Organisation):
    __mapper_args__ = {"polymorphic_identity": OrganisationKind.PRESCRIBER}


class Company(Organisation):
    """A company: titulaire of lots, or an insertion structure (SIAE, GEIQ, EA)."""

    __mapper_args__ = {"polymorphic_identity": OrganisationKind.COMPANY}


class Buyer(Organisation):
    """A public buyer (maître d'ouvrage)."""

    __mapper_args__ = {"polymorphic_identity": OrganisationKind.BUYER}


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Raised by each save of the administrators' edit form (clausematch/versioning.py: no lost update).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    # full_name normalised (accents, case, punctuation): what the administrators' search compares.
    search_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    role: Mapped[Role] = mapped_column(enum_type(Role))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[datetime | None]
    # Bumped on password change, logout and idle expiry: sessions opened before are rejected.
    session_version: Mapped[int] = mapped_column(default=1)
    # Server-side clock of the user's sessions (accounts/login.py): a replayed cookie cannot
    # bring back an idle session.
    last_seen_at: Mapped[datetime | None]
    # Login attempts since the last success, counted atomically before the password is checked
    # (accounts/login.py); the lockout starts at the MAX_FAILED_LOGINS-th.
    failed_logins: Mapped[int] = mapped_column(default=0, server_default="0")
    last_failed_login_at: Mapped[datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def organisation(self) -> Organisation | None:
        """The user's organisation (staff belong to one; admins may belong to none)."""
        return self.memberships[0].organisation if self.memberships else None

    @property
    def organisation_ids(self) -> set[int]:
        return {m.organisation_id for m in self.memberships}


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (sa.UniqueConstraint("user_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """A single-use, expiring link inviting someone into an organisation.

    Only the SHA-256 of the token is stored: a database leak does not leak live links.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    full_name: Mapped[str] = mapped_column(sa.String(200))
    search_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")  # as User's
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    role: Mapped[Role] = mapped_column(enum_type(Role))
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # Sent again by an administrator (a new token: the previous link stops working).
    resent_at: Mapped[datetime | None]
    # Cancelled by an administrator: the link stops working, the invitation leaves the lists.
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def sent_at(self) -> datetime:
        """When the link in the person's mailbox was sent (the last resend, else the creation)."""
        return self.resent_at or self.created_at


def _set_search_name(mapper, connection, target) -> None:
    """Users and invitations keep their normalised name in the flush that writes the name (rows
    inserted in bulk without the ORM pass `search_name` themselves: seeds)."""
    search_name = normalise(target.full_name)[:200]
    if target.search_name != search_name:
        target.search_name = search_name


for _model in (User, Invitation):
    for _event in ("before_insert", "before_update"):
        sa.event.listen(_model, _event, _set_search_name)


class PasswordResetToken(db.Model):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
