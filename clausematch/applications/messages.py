"""Who hears about an application's change, and what they are told.

The prescriber side (the user who proposed the candidate and the candidate's referent adviser)
gets an in-app notification, and one e-mail goes through the outbox. Messages name the candidate
by first name and initial only and never carry eligibility data (criteria, QPV, birth date) nor
the free-text comments: the details are behind the link, on a page that checks who reads it.
The offer's company gets an in-app notification when a candidate is sent to it, and when a
candidate it had received is withdrawn, naming the candidate the same way (the company reads the
name on its page once the candidate is sent: company_view.CANDIDATE_COLUMNS). A closing because
the offer was filled says so ("est close : le poste est pourvu"), in the notification and the
e-mail alike; e-mail subjects name the candidate and the offer too.
"""
import sqlalchemy as sa
from flask import render_template

from clausematch.accounts.models import Membership, Role, User
from clausematch.applications.links import absolute, application_path, company_application_path
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.candidates import naming
from clausematch.extensions import db
from clausematch.notifications import notify, queue_email

S = ApplicationStatus
SUBJECT_TITLE_LENGTH = 80

# What happened, for the prescriber side ("La candidature de Léa M. … a été …").
_PARTICIPLE = {
    S.SUBMITTED: "rouverte",
    S.VALIDATED: "validée (éligibilité vérifiée)",
    S.SHORTLISTED: "présélectionnée",
    S.SENT: "envoyée à l'entreprise",
    S.INTERVIEW: "retenue pour un entretien",
    S.HIRED: "retenue : embauche enregistrée",
    S.REFUSED: "refusée",
    S.WITHDRAWN: "retirée",
}


def short_name(application: Application) -> str:
    """The candidate as messages name them: first name and initial of the last name."""
    return naming.short_name(application.candidate)


def _of(application: Application) -> str:
    """« de Léa M. », « d'Awa D. »."""
    return naming.of_name(short_name(application))


def status_changed(application: Application, event: ApplicationEvent, actor: User | None) -> None:
    """Tell the prescriber side (and the company, when concerned) about `event` (actor None: the system).
    A closing because the person withdrew their consent tells nobody: the prescriber side recorded
    the withdrawal, the company is given no cause, and no new message names the person."""
    if event.refusal_reason == RefusalReason.CLOSED:
        return
    text = _summary(application, event)
    recipients = _prescriber_side(application, actor)
    for user in recipients:
        notify(user.id, text, application_path(application.id))
    if recipients:
        _email(recipients[0], application, event, text)
    if event.to_status == S.SENT or (event.to_status == S.WITHDRAWN and event.from_status in (S.SENT, S.INTERVIEW)):
        _tell_company(application, event, actor)


def _summary(application: Application, event: ApplicationEvent) -> str:
    if event.refusal_reason == RefusalReason.POSITION_FILLED:
        return (f"La candidature {_of(application)} à l'offre « {application.offer.title} » est close : "
                "le poste est pourvu. Vous pouvez proposer la personne à une autre offre depuis sa candidature.")
    text = (f"La candidature {_of(application)} à l'offre « {application.offer.title} » "
            f"a été {_PARTICIPLE[event.to_status]}.")
    if event.refusal_reason is not None:
        text += f" Motif : {event.refusal_reason.label.lower()}."
    return text


def _prescriber_side(application: Application, actor: User | None) -> list[User]:
    """The proposer first, then the referent; each once, active, and not the actor."""
    actor_id = actor.id if actor is not None else None
    ids = [i for i in (application.proposed_by_id, application.candidate.referent_id)
           if i is not None and i != actor_id]
    if not ids:
        return []
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active))}
    return [users[i] for i in dict.fromkeys(ids) if i in users]


def _email(user: User, application: Application, event: ApplicationEvent, summary: str) -> None:
    state = state_label(event.to_status, event.refusal_reason).lower()
    subject = f"Candidature {_of(application)} à l'offre « {_shortened(application.offer.title)} » : {state}"
    queue_email(user.email, subject, render_template(
        "applications/emails/status_changed.txt", user=user, summary=summary,
        link=absolute(application_path(application.id))), link=application_path(application.id))


def _shortened(title: str, limit: int = SUBJECT_TITLE_LENGTH) -> str:
    """An offer title cut for an e-mail subject (the outbox column holds 200 characters)."""
    return title if len(title) <= limit else title[:limit - 1].rstrip() + "…"


def state_label(status: ApplicationStatus, reason: RefusalReason | None) -> str:
    """The state as people read it: a refusal because the offer was filled is a closing."""
    if status == S.REFUSED and reason == RefusalReason.POSITION_FILLED:
        return "Close (poste pourvu)"
    if status == S.REFUSED and reason == RefusalReason.CLOSED:
        return "Close"
    return status.label


def _tell_company(application: Application, event: ApplicationEvent, actor: User | None) -> None:
    # The company reads the candidate's name on its page once sent (company_view.CANDIDATE_COLUMNS).
    if event.to_status == S.SENT:
        text = (f"Nouvelle candidature transmise par l'équipe de facilitation : {short_name(application)} "
                f"pour l'offre « {application.offer.title} ».")
    else:
        text = f"La candidature {_of(application)} à l'offre « {application.offer.title} » a été retirée."
    conditions = [Membership.organisation_id == application.offer.company_id, User.role == Role.COMPANY,
                  User.is_active]
    if actor is not None:
        conditions.append(User.id != actor.id)
    members = db.session.scalars(sa.select(User.id).join(Membership, Membership.user_id == User.id).where(*conditions))
    for user_id in members:
        notify(user_id, text, company_application_path(application.id))


def proposed_by_facilitator(application: Application, actor: User) -> None:
    """A facilitator proposed the candidate: the referent is told, or the organisation's
    prescribers when no referent is named (in-app only: the proposal is theirs to follow)."""
    text = (f"L'équipe de facilitation a proposé {short_name(application)} à l'offre "
            f"« {application.offer.title} ».")
    recipients = [user.id for user in _prescriber_side(application, actor)]
    if not recipients:
        recipients = list(db.session.scalars(
            sa.select(User.id).join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == application.prescriber_id, User.role == Role.PRESCRIBER,
                   User.is_active, User.id != actor.id).order_by(User.id)))
    for user_id in recipients:
        notify(user_id, text, application_path(application.id))
