"""What a company sees of a candidate sent to one of its offers, and nothing more.

A dedicated query selects only the columns a recruiter needs (name, contact, jobs, skills,
experience, mobility, availability, licence and certificates) into a plain dataclass; the
company template receives this object only, never a Candidate, so eligibility criteria, birth
date, QPV residence, commune or the prescriber's message cannot leak through a template change.
The history shows the steps the company took part in: earlier ones are the guichet's own. Of
their comments, the company reads the sending's (written for it) and its own users' only: a
refusal or withdrawal by the facilitators or the prescriber keeps its reason, not its comment
(written for the prescriber, it may speak of eligibility or of the person's situation).
"""
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from clausematch.accounts.models import Membership
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.candidates.models import Candidate, CandidateDesiredJob
from clausematch.extensions import db
from clausematch.offers.models import Offer
from clausematch.referential.models import RomeAppellation

# The only candidate columns a company may read.
CANDIDATE_COLUMNS = (Candidate.first_name, Candidate.last_name, Candidate.email, Candidate.phone,
                     Candidate.desired_jobs_text, Candidate.skills, Candidate.experience, Candidate.mobility_km,
                     Candidate.driving_licence, Candidate.certificates, Candidate.available,
                     Candidate.available_from)


@dataclass(frozen=True)
class CompanyEvent:
    occurred_at: datetime
    to_status: ApplicationStatus
    comment: str
    refusal_reason: RefusalReason | None


@dataclass(frozen=True)
class CompanyApplicationView:
    application_id: int
    status: ApplicationStatus
    refusal_reason: RefusalReason | None
    offer_id: int
    offer_title: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    desired_jobs_text: str
    skills: str
    experience: str
    mobility_km: int
    driving_licence: bool
    certificates: str
    available: bool
    available_from: date | None
    desired_jobs: list[str]
    history: list[CompanyEvent]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def company_application(application_id: int) -> CompanyApplicationView:
    """The company's view of one application (the caller has checked that it may see it)."""
    row = db.session.execute(
        sa.select(Application.id, Application.status, Application.refusal_reason, Application.candidate_id,
                  Offer.id.label("offer_id"), Offer.title.label("offer_title"), Offer.company_id,
                  *CANDIDATE_COLUMNS)
        .join(Candidate, Application.candidate_id == Candidate.id).join(Offer, Application.offer_id == Offer.id)
        .where(Application.id == application_id)).one()
    jobs = db.session.scalars(
        sa.select(RomeAppellation.label).join(CandidateDesiredJob, CandidateDesiredJob.appellation_code
                                              == RomeAppellation.code)
        .where(CandidateDesiredJob.candidate_id == row.candidate_id)
        .order_by(CandidateDesiredJob.position, CandidateDesiredJob.id))
    values = {column.key: getattr(row, column.key) for column in CANDIDATE_COLUMNS}
    return CompanyApplicationView(
        application_id=row.id, status=row.status, refusal_reason=row.refusal_reason, offer_id=row.offer_id,
        offer_title=row.offer_title, desired_jobs=list(jobs), history=_history_since_sent(row.id, row.company_id),
        **values)


def _history_since_sent(application_id: int, company_id: int) -> list[CompanyEvent]:
    """The events the company took part in: sent, interview, hire, and a refusal or withdrawal
    of a sent candidate; with their comment only when written for the company (the sending) or
    by one of its users."""
    S = ApplicationStatus
    company_side = sa.or_(ApplicationEvent.to_status.in_((S.SENT, S.INTERVIEW, S.HIRED)),
                          sa.and_(ApplicationEvent.to_status.in_((S.REFUSED, S.WITHDRAWN)),
                                  ApplicationEvent.from_status.in_((S.SENT, S.INTERVIEW))))
    by_the_company = sa.exists().where(Membership.user_id == ApplicationEvent.actor_id,
                                       Membership.organisation_id == company_id)
    readable = sa.or_(ApplicationEvent.to_status == S.SENT, by_the_company)
    comment = sa.case((readable, ApplicationEvent.comment), else_=sa.literal(""))
    stmt = (sa.select(ApplicationEvent.occurred_at, ApplicationEvent.to_status, comment,
                      ApplicationEvent.refusal_reason)
            .where(ApplicationEvent.application_id == application_id, company_side)
            .order_by(ApplicationEvent.occurred_at, ApplicationEvent.id))
    return [CompanyEvent(occurred_at, status, comment or "", reason)
            for occurred_at, status, comment, reason in db.session.execute(stmt)]
