"""The facilitator's shortlist for an offer, built from the suggested candidates, then sent.

Adding a candidate goes through the orientation rules of the applications feature, with the
facilitator as the actor:
- no application yet: one is created for the candidate's prescriber organisation (which stays
  its owner; the facilitator is recorded as the one who proposed), checked like any proposal
  (applications.services.check_can_be_proposed), then validated (eligibility checked by the
  workflow) and shortlisted — each step in the application's history, the prescriber's referent
  told by the workflow's messages, or the organisation's prescribers when no referent is named;
- an application a prescriber already made, still submitted or validated: moved on the same way;
- an application already shortlisted or beyond: left as it is, and said so.
Every candidate is checked before anything changes: one refused (with its reason) does not stop
the others. One commit for the whole selection. The offer is locked first (database.lock), then
its applications: a second shortlist sent at the same moment waits, then finds the candidates
shortlisted and says so.

Sending moves every shortlisted application of the offer to "sent": the company is told and
reviews them on its candidatures page, with the data a recruiter needs only.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clausematch.accounts.models import Membership, Role, User
from clausematch.applications import workflow
from clausematch.applications.links import application_path
from clausematch.applications.messages import short_name
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.applications.services import check_can_be_proposed
from clausematch.audit import record
from clausematch.candidates.models import Candidate
from clausematch.database import lock, locked, today
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.matching import permissions
from clausematch.notifications import notify
from clausematch.offers.models import Offer, OfferStatus

S = ApplicationStatus
MAX_SELECTION = 100
# The steps still to take, from an application's state, to reach the shortlist.
STEPS_TO_SHORTLIST = {S.SUBMITTED: (S.VALIDATED, S.SHORTLISTED), S.VALIDATED: (S.SHORTLISTED,)}
COMMENT = "Présélection par l'équipe de facilitation depuis les candidats suggérés."


@dataclass
class ShortlistResult:
    """Who was added, and why the others were not (French, one line per candidate)."""

    added: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def check_shortlist(offer_id: int, candidate_ids: list[int], actor: User) -> None:
    """Every rule of the selection (how many are ticked, an offer that takes a shortlist), all
    refusals at once; reads only, nothing locked (the shortlist form's first submit)."""
    _checked_selection(_offer(offer_id, actor, for_update=False), candidate_ids)


def _checked_selection(offer: Offer, candidate_ids: list[int]) -> list[int]:
    """The ticked ids, once each, every rule run (one FieldErrors)."""
    collect = Collector()
    ids = list(dict.fromkeys(candidate_ids or []))
    if not ids:
        collect.add("Cochez au moins un candidat à ajouter à la présélection.", field="candidate_ids")
    elif len(ids) > MAX_SELECTION:
        collect.add(f"Ajoutez au plus {MAX_SELECTION} candidats à la fois.", field="candidate_ids")
    if offer.status != OfferStatus.PUBLISHED:
        collect.add(f"L'offre n'est pas publiée (statut : {offer.status.label.lower()}) : "
                    "elle ne peut pas recevoir de présélection.")
    collect.raise_if_any()
    return ids


def add_to_shortlist(offer_id: int, candidate_ids: list[int], actor: User) -> ShortlistResult:
    offer = _offer(offer_id, actor)
    ids = _checked_selection(offer, candidate_ids)
    # The people locked (after the offer, in id order): a consent withdrawal racing the selection
    # either comes first (the person is refused) or closes the application made here.
    candidates = {c.id: c for c in locked(db.session, (
        sa.select(Candidate).where(Candidate.id.in_(ids), Candidate.territory_id == offer.territory_id)
        .options(selectinload(Candidate.criteria)).order_by(Candidate.id)))}
    existing = {a.candidate_id: a for a in locked(db.session, (
        sa.select(Application).where(Application.offer_id == offer.id, Application.candidate_id.in_(ids))
        .order_by(Application.id)))}
    result = ShortlistResult()
    for candidate_id in ids:
        candidate = candidates.get(candidate_id)
        if candidate is None:
            result.refused.append(f"Le candidat n° {candidate_id} n'existe pas sur votre territoire.")
            continue
        try:
            application = _checked(candidate, offer, existing.get(candidate_id), actor)
        except DomainError as error:
            result.refused.append(f"{candidate.full_name} : {error.message}")
            continue
        _shortlist(application, actor)
        result.added.append(candidate.full_name)
    db.session.commit()
    return result


def send_shortlist(offer_id: int, actor: User) -> int:
    """Send every shortlisted application of the offer to the company; returns how many."""
    offer = _offer(offer_id, actor)
    applications = list(locked(db.session, (
        sa.select(Application).where(Application.offer_id == offer.id, Application.status == S.SHORTLISTED)
        .options(selectinload(Application.candidate), selectinload(Application.events))
        .order_by(Application.id))))
    if not applications:
        raise DomainError("Aucune candidature présélectionnée à envoyer pour cette offre.")
    for application in applications:
        workflow.change_status(application, S.SENT, actor, "Présélection envoyée à l'entreprise.")
    db.session.commit()
    return len(applications)


def _offer(offer_id: int, actor: User, for_update: bool = True) -> Offer:
    """The offer, locked until the commit: shortlists, proposals and status changes of one offer
    happen one after the other, each on the state the previous one left (`for_update` False: a
    read of the pure checks, not locked)."""
    offer = lock(db.session, Offer, offer_id) if for_update else db.session.get(Offer, offer_id)
    if offer is None:
        raise DomainError("Cette offre n'existe pas.")
    if not permissions.can_shortlist(actor, offer):
        raise NotAllowed("Seule l'équipe de facilitation du territoire constitue la présélection d'une offre.")
    return offer


def _checked(candidate: Candidate, offer: Offer, application: Application | None, actor: User) -> Application:
    """The application to move (a new one, not yet in the session), every rule checked."""
    on = today()
    if application is None:
        check_can_be_proposed(candidate, offer, on)
        application = Application(candidate=candidate, offer=offer, prescriber_id=candidate.prescriber_id,
                                  proposed_by_id=actor.id, status=S.SUBMITTED)
    elif application.status not in STEPS_TO_SHORTLIST:
        raise DomainError(f"sa candidature à cette offre est déjà à l'état « {application.status.label} ».")
    if S.VALIDATED in STEPS_TO_SHORTLIST[application.status]:
        workflow.check_eligible(application, on)
    return application


def _shortlist(application: Application, actor: User) -> None:
    steps = STEPS_TO_SHORTLIST[application.status]
    if application.id is None:
        db.session.add(application)
        db.session.flush()
        workflow.record_creation(application, actor)
        record("application.created", "application", application.id, actor_id=actor.id,
               candidate_id=application.candidate_id, offer_id=application.offer_id, source="matching")
        if application.candidate.referent_id is None:
            _tell_organisation(application)
    for target in steps:
        workflow.change_status(application, target, actor, COMMENT)


def _tell_organisation(application: Application) -> None:
    """No referent to hear it through the workflow: the organisation's prescribers are told."""
    members = db.session.scalars(
        sa.select(User.id).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == application.prescriber_id, User.role == Role.PRESCRIBER,
               User.is_active))
    text = (f"L'équipe de facilitation a présélectionné {short_name(application)} pour l'offre "
            f"« {application.offer.title} ».")
    for user_id in members:
        notify(user_id, text, application_path(application.id))
