"""Orientations: a prescriber proposes a candidate to an offer, then the application moves
through its workflow (workflow.TRANSITIONS).

Services take plain values and the acting user, check the rules (permissions again, offer,
eligibility), raise DomainError with a French message, and commit once.
"""
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clausematch.accounts.models import Role, User
from clausematch.applications import messages, permissions, workflow
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.audit import record
from clausematch.candidates.eligibility import EligibilityState, declared_or_valid_codes, state_of
from clausematch.candidates.models import Candidate, EligibilityCriterion
from clausematch.candidates.permissions import visible_criteria
from clausematch.database import add_months, lock, today
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers.models import Offer, OfferStatus
from clausematch.vocabulary import Criterion

MESSAGE_MAX_LENGTH = 2000
OTHER_OFFER = "Choisissez une autre offre que celle de cette candidature."
ANONYMISED = ("Cette personne a retiré son consentement ou ses données ont été anonymisées : elle ne peut plus "
              "être proposée à une offre.")
ALREADY_PROPOSED = "Ce candidat a déjà été proposé à cette offre : suivez sa candidature dans « Mes orientations »."


def propose(candidate_id: int | None, offer_id: int | None, message: str, actor: User) -> Application:
    """A prescriber proposes one of their organisation's candidates to a published offer (a
    facilitator, any candidate of the territory: the application stays the candidate's
    prescriber organisation's)."""
    # Locked: proposals and shortlists to one offer happen one after the other (no unique-key clash).
    offer = lock(db.session, Offer, offer_id) if offer_id else None
    # Then the person (offer first, as every proposal and shortlist): a consent withdrawal
    # (privacy/withdrawal.py, which locks the person) either comes first and the proposal is
    # refused, or waits for this commit and closes the new application.
    candidate = lock(db.session, Candidate, candidate_id) if candidate_id else None
    message = _checked_proposal(candidate, offer, message, actor)
    application = Application(candidate_id=candidate.id, offer=offer, candidate=candidate,
                              prescriber_id=candidate.prescriber_id, proposed_by_id=actor.id, message=message,
                              status=ApplicationStatus.SUBMITTED)
    db.session.add(application)
    try:
        db.session.flush()
    except IntegrityError:
        # Two submissions at once: the unique (candidate, offer) constraint had the last word.
        db.session.rollback()
        raise DomainError(ALREADY_PROPOSED) from None
    workflow.record_creation(application, actor)
    record("application.created", "application", application.id, actor_id=actor.id,
           candidate_id=candidate.id, offer_id=offer.id)
    if actor.role == Role.FACILITATOR:
        messages.proposed_by_facilitator(application, actor)
    db.session.commit()
    return application


def check_proposal(candidate_id: int | None, offer_id: int | None, message: str, actor: User) -> None:
    """Every rule of a proposal, all refusals at once (FieldErrors). Reads only, nothing locked:
    the form runs it at its first submit; propose checks again on the locked offer."""
    candidate = db.session.get(Candidate, candidate_id) if candidate_id else None
    offer = db.session.get(Offer, offer_id) if offer_id else None
    _checked_proposal(candidate, offer, message, actor)


def _checked_proposal(candidate: Candidate | None, offer: Offer | None, message: str, actor: User) -> str:
    """The message as kept, once every rule passed; NotAllowed when the actor may not propose."""
    collect = Collector()
    if candidate is None:
        collect.add("Choisissez le candidat à proposer.", field="candidate_id")
    if offer is None:
        collect.add("Choisissez l'offre à laquelle proposer le candidat.", field="offer_id")
    if candidate is not None and offer is not None and not permissions.can_propose(actor, candidate, offer):
        raise NotAllowed("Vous ne pouvez proposer que les candidats de votre structure (ou de votre territoire), "
                         "aux offres de votre territoire.")
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        collect.add(f"Le message ne doit pas dépasser {MESSAGE_MAX_LENGTH} caractères.", field="message")
    if candidate is not None and offer is not None:
        # What the prescriber's organisation declared, not what a merge brought from another one: a
        # refusal must not reveal a criterion they cannot see.
        collect(check_can_be_proposed, candidate, offer, today(), visible_criteria(actor, candidate))
    collect.raise_if_any()
    return message


def check_proposal_elsewhere(application_id: int, offer_id: int | None, message: str, actor: User) -> None:
    """Every rule of "Proposer pour une autre offre", all refusals at once (FieldErrors); reads only."""
    application = _refused_application(application_id, actor)
    collect = Collector()
    if offer_id is not None and offer_id == application.offer_id:
        collect.add(OTHER_OFFER, field="offer_id")
    else:
        collect(check_proposal, application.candidate_id, offer_id, message, actor)
    collect.raise_if_any()


def _refused_application(application_id: int, actor: User) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        raise DomainError("Cette candidature n'existe pas.")
    if not permissions.can_view_application(actor, application):
        raise NotAllowed("Vous ne pouvez pas proposer ce candidat.")
    if application.status != ApplicationStatus.REFUSED:
        raise DomainError("Seule une candidature refusée ou close (poste pourvu) se propose pour une autre offre "
                          "depuis sa page.")
    return application


def propose_elsewhere(application_id: int, offer_id: int | None, message: str, actor: User) -> Application:
    """The person of a refused (or closed, "poste pourvu") application proposed to another offer, in
    one step from that application's page, with the checks of any proposal (`propose`)."""
    application = _refused_application(application_id, actor)
    if offer_id == application.offer_id:
        raise DomainError(OTHER_OFFER, field="offer_id")
    return propose(application.candidate_id, offer_id, message, actor)


def check_can_be_proposed(candidate: Candidate, offer: Offer, on: date,
                          criteria: Iterable[EligibilityCriterion] | None = None) -> None:
    """Every reason why `candidate` may not be proposed to `offer` now, as a French DomainError;
    eligibility is judged on `criteria` (default: all of the candidate's, as facilitators see them)."""
    criteria = list(candidate.criteria if criteria is None else criteria)
    if candidate.merged_into_id is not None:
        raise DomainError("Cette fiche a été fusionnée avec une autre : proposez la fiche conservée.",
                          field="candidate_id")
    if candidate.anonymised_at is not None:
        raise DomainError(ANONYMISED, field="candidate_id")
    if offer.status == OfferStatus.FILLED:
        raise DomainError("Cette offre est pourvue : tous ses postes ont été attribués, elle n'accepte plus de "
                          "candidatures. Proposez la personne à une autre offre.", field="offer_id")
    if offer.status != OfferStatus.PUBLISHED:
        raise DomainError(f"Cette offre n'est pas ouverte aux candidatures (statut : {offer.status.label.lower()}).",
                          field="offer_id")
    if offer.publication_end is not None and offer.publication_end < on:
        raise DomainError("La publication de cette offre est terminée : elle n'accepte plus de candidatures.",
                          field="offer_id")
    if _already_proposed(candidate.id, offer.id):
        raise DomainError(ALREADY_PROPOSED)
    if state_of(criteria, on) == EligibilityState.EXPIRED:
        raise DomainError(f"L'éligibilité de {candidate.full_name} a expiré : demandez au facilitateur de "
                          "renouveler l'éligibilité avant de proposer ce candidat.")
    expected = list(offer.eligible_criteria or [])
    if expected and not declared_or_valid_codes(criteria, on) & set(expected):
        labels = " ; ".join(Criterion(code).label for code in expected)
        raise DomainError(f"{candidate.full_name} ne relève d'aucun des publics attendus pour cette offre "
                          f"({labels}). Déclarez le critère correspondant sur sa fiche, avec le justificatif vu.")
    if offer.qpv_required and Criterion.QPV.value not in declared_or_valid_codes(criteria, on):
        raise DomainError("Cette offre est réservée aux résidents d'un quartier prioritaire (QPV) : déclarez le "
                          f"critère « {Criterion.QPV.label} » de {candidate.full_name} sur sa fiche, avec le "
                          "justificatif vu.")


def _already_proposed(candidate_id: int, offer_id: int) -> bool:
    return bool(db.session.scalar(sa.select(sa.exists().where(
        Application.candidate_id == candidate_id, Application.offer_id == offer_id))))


def move(application_id: int, target: ApplicationStatus | str, actor: User, comment: str = "",
         refusal_reason: RefusalReason | str | None = None) -> Application:
    """Move an application one step (validate, shortlist, send, refuse, withdraw, reopen…)."""
    application = _application_or_error(application_id)
    try:
        target = ApplicationStatus(target)
    except ValueError:
        raise DomainError("État de candidature inconnu.") from None
    if target == ApplicationStatus.HIRED:
        # A hire goes through pathways.hiring.record_hire, which creates its contract.
        raise DomainError("Une embauche s'enregistre avec son contrat de travail, depuis la page de l'entreprise.")
    workflow.change_status(application, target, actor, comment, refusal_reason)
    db.session.commit()
    return application


def record_interview(application_id: int, interview_on: date | None, comment: str, actor: User) -> Application:
    """The company met (or will meet) the candidate; the date goes at the head of the comment."""
    application = _application_or_error(application_id)
    comment = (comment or "").strip()
    workflow.check_change(application, ApplicationStatus.INTERVIEW, actor, comment)  # who may, before the dates
    check_interview_date(application, interview_on, today())
    if interview_on is not None:
        comment = f"Entretien le {format_date(interview_on)}." + (f" {comment}" if comment else "")
    workflow.change_status(application, ApplicationStatus.INTERVIEW, actor, comment)
    db.session.commit()
    return application


def check_interview_date(application: Application, interview_on: date | None, on: date) -> None:
    """An interview takes place after the person was proposed, and within a year from `on`."""
    if interview_on is None:
        return
    proposed_on = application.created_at.date()
    if interview_on < proposed_on:
        raise DomainError(f"L'entretien ne peut pas avoir lieu avant la proposition du candidat à cette offre "
                          f"(le {format_date(proposed_on)}) : vérifiez la date.", field="interview_on")
    latest = add_months(on, 12)
    if interview_on > latest:
        raise DomainError(f"L'entretien ne peut pas être prévu plus d'un an à l'avance (le {format_date(latest)} "
                          "au plus tard) : vérifiez l'année.", field="interview_on")


def _application_or_error(application_id: int) -> Application:
    """The application, locked until the commit: its move is checked on its latest state."""
    application = lock(db.session, Application, application_id)
    if application is None:
        raise DomainError("Cette candidature n'existe pas.")
    return application
