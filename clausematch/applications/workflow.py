"""The life of an orientation (application): its states, the moves between them, who may make
each move, and the one function that moves it.

    submitted ──► validated ──► shortlisted ──► sent ──► interview ──► hired
        │             │              │            │  └──────────────────►│
        └─────────────┴──────────────┴────────────┴──────────┴──► refused | withdrawn
    refused / withdrawn ──► submitted (a facilitator reopens it, with a comment)

| from        | to          | facilitator | prescriber | company |
|-------------|-------------|:-----------:|:----------:|:-------:|
| submitted   | validated   | ✓ (criteria checked) |   |         |
| validated   | shortlisted | ✓           |            |         |
| shortlisted | sent        | ✓           |            |         |
| sent        | interview   |             |            | ✓       |
| sent        | hired       |             |            | ✓       |
| interview   | hired       |             |            | ✓       |
| any open    | refused     | ✓           |            | ✓ from sent / interview |
| any open    | withdrawn   | ✓           | ✓          |         |
| refused     | submitted   | ✓           |            |         |
| withdrawn   | submitted   | ✓           |            |         |
("open": submitted, validated, shortlisted, sent, interview.) The system (no user: the nightly job on
applications left without news) may refuse any open application, like a facilitator.

Decisions:
- The guichet's own steps (validated → shortlisted → sent) cannot be skipped: each is a step of
  the funnel the bilans count, so every sent application has been validated and shortlisted.
- The company's interview is optional: a company may hire or refuse straight from "sent".
- Interviews and hires are the company's word (the employer signs the contract); facilitators
  do not record them in its place. A facilitator may refuse at any open step (e.g. "sans réponse").
- A refusal always carries a reason (RefusalReason); "other" also needs a comment.
- "hired" is final: the employment contract exists and its hours are counted. A hire is
  recorded by pathways.hiring.record_hire, which creates the contract and drives this move.
- A refused or withdrawn application can be reopened by a facilitator only, with a comment, and
  only back to "submitted" (eligibility is checked again) while the offer is still published; the
  unique (candidate, offer) constraint means reopening is the only way to propose again.
- Validating checks the candidate's eligibility: a criterion validated and not expired that the
  offer accepts (any, when the offer lists no publics), and QPV residence when the offer wants it.
"""
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.authors import done_by
from clausematch.accounts.models import Role, User
from clausematch.applications import messages, permissions
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.audit import record
from clausematch.database import today, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.offers.models import OfferStatus
from clausematch.vocabulary import Criterion

__all__ = ["ApplicationStatus", "TRANSITIONS", "change_status", "check_change", "record_creation"]

S = ApplicationStatus
F, P, C = Role.FACILITATOR, Role.PRESCRIBER, Role.COMPANY
# Scheduled jobs act as the system (no user).
SYSTEM = "system"
OPEN = (S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW)
FINAL = frozenset({S.HIRED, S.REFUSED, S.WITHDRAWN})
# Refusal reasons only the system gives (a consent withdrawn closes the person's applications).
SYSTEM_REASONS = frozenset({RefusalReason.CLOSED})


def _open_moves(status: ApplicationStatus) -> dict[ApplicationStatus, frozenset]:
    """Refusing and withdrawing, possible from every open state."""
    refusers = frozenset({F, C, SYSTEM}) if status in (S.SENT, S.INTERVIEW) else frozenset({F, SYSTEM})
    return {S.REFUSED: refusers, S.WITHDRAWN: frozenset({F, P})}


# current state → {target state → capacities allowed to make the move}
TRANSITIONS: dict[ApplicationStatus, dict[ApplicationStatus, frozenset]] = {
    S.SUBMITTED: {S.VALIDATED: frozenset({F}), **_open_moves(S.SUBMITTED)},
    S.VALIDATED: {S.SHORTLISTED: frozenset({F}), **_open_moves(S.VALIDATED)},
    S.SHORTLISTED: {S.SENT: frozenset({F}), **_open_moves(S.SHORTLISTED)},
    S.SENT: {S.INTERVIEW: frozenset({C}), S.HIRED: frozenset({C}), **_open_moves(S.SENT)},
    S.INTERVIEW: {S.HIRED: frozenset({C}), **_open_moves(S.INTERVIEW)},
    S.HIRED: {},
    S.REFUSED: {S.SUBMITTED: frozenset({F})},
    S.WITHDRAWN: {S.SUBMITTED: frozenset({F})},
}

COMMENT_MAX_LENGTH = 1000

# Button labels for each target state, in French.
ACTION_LABELS = {
    S.SUBMITTED: "Rouvrir la candidature",
    S.VALIDATED: "Valider l'éligibilité",
    S.SHORTLISTED: "Présélectionner",
    S.SENT: "Envoyer à l'entreprise",
    S.INTERVIEW: "Enregistrer un entretien",
    S.HIRED: "Enregistrer l'embauche",
    S.REFUSED: "Refuser la candidature",
    S.WITHDRAWN: "Retirer la candidature",
}
# What the move does, for "only … may …" messages.
_WHAT = {
    S.SUBMITTED: "rouvrir une candidature",
    S.VALIDATED: "valider l'éligibilité d'une candidature",
    S.SHORTLISTED: "présélectionner une candidature",
    S.SENT: "envoyer une candidature à l'entreprise",
    S.INTERVIEW: "enregistrer un entretien",
    S.HIRED: "enregistrer une embauche",
    S.REFUSED: "refuser cette candidature",
    S.WITHDRAWN: "retirer une candidature",
}
_WHO = {F: "un facilitateur du territoire", P: "le prescripteur qui a proposé le candidat",
        C: "l'entreprise qui recrute"}


def allowed_capacities(current: ApplicationStatus, target: ApplicationStatus) -> frozenset:
    """Who may move an application from `current` to `target` (empty when the move does not exist)."""
    return TRANSITIONS.get(current, {}).get(target, frozenset())


def next_statuses(current: ApplicationStatus, capacity: Role | None) -> list[ApplicationStatus]:
    """The moves `capacity` may make from `current`, in the table's order."""
    return [target for target, who in TRANSITIONS.get(current, {}).items() if capacity in who]


def refusal_message(current: ApplicationStatus, target: ApplicationStatus) -> str:
    """Why the move current → target does not exist, in French."""
    if current == target:
        return f"La candidature est déjà à l'état « {current.label} »."
    if current == S.HIRED:
        return "Une candidature qui a abouti à une embauche ne peut plus changer d'état."
    if current in (S.REFUSED, S.WITHDRAWN):
        return (f"Cette candidature est close (« {current.label} ») : seul un facilitateur peut la rouvrir, "
                "elle repart alors à l'état « Proposée ».")
    steps = ", ".join(f"« {s.label} »" for s in TRANSITIONS[current])
    return (f"Une candidature à l'état « {current.label} » ne peut pas passer à « {target.label} ». "
            f"États possibles depuis cet état : {steps}.")


# What happened to an application, and what the refused move was, for conflict messages.
_HAPPENED = {
    S.SUBMITTED: "a déjà été rouverte", S.VALIDATED: "a déjà été validée",
    S.SHORTLISTED: "a déjà été présélectionnée", S.SENT: "a déjà été envoyée à l'entreprise",
    S.INTERVIEW: "a déjà été retenue pour un entretien", S.HIRED: "a déjà abouti à une embauche, enregistrée",
    S.REFUSED: "a déjà été refusée", S.WITHDRAWN: "a déjà été retirée",
}
_NOT_RECORDED = {
    S.SUBMITTED: "la réouverture n'a pas été enregistrée", S.VALIDATED: "la validation n'a pas été enregistrée",
    S.SHORTLISTED: "la présélection n'a pas été enregistrée",
    S.SENT: "l'envoi à l'entreprise n'a pas été enregistré", S.INTERVIEW: "l'entretien n'a pas été enregistré",
    S.HIRED: "l'embauche n'a pas été enregistrée", S.REFUSED: "le refus n'a pas été enregistré",
    S.WITHDRAWN: "le retrait n'a pas été enregistré",
}


def conflict_message(application: Application, target: ApplicationStatus, actor: User | None) -> str | None:
    """When someone else's change (or the actor's own earlier submit) made the move `target`
    impossible — it was possible from the state before the last change —, what happened, by whom
    and when, and that the move was not recorded; None for a move that was never possible."""
    if application.id is None:
        return None
    last = db.session.scalars(sa.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                              .order_by(ApplicationEvent.id.desc()).limit(1)).first()
    if last is None or last.from_status is None or last.to_status != application.status:
        return None
    if target != application.status and target not in TRANSITIONS[last.from_status]:
        return None
    if application.refusal_reason == RefusalReason.POSITION_FILLED:
        by = done_by(last.actor_id, actor, last.occurred_at)
        return f"Le poste est déjà pourvu : cette candidature a été close {by} : {_NOT_RECORDED[target]}."
    return (f"Cette candidature {_HAPPENED[application.status]} {done_by(last.actor_id, actor, last.occurred_at)} : "
            f"{_NOT_RECORDED[target]}.")


def check_transition(application: Application, target: ApplicationStatus, capacity: Role, comment: str,
                     reason: RefusalReason | None, actor: User | None = None) -> None:
    """Raise DomainError (or NotAllowed) unless `capacity` may make this move with these details."""
    capacities = allowed_capacities(application.status, target)
    if not capacities:
        conflict = conflict_message(application, target, actor)
        raise DomainError(conflict or refusal_message(application.status, target))
    if capacity not in capacities:
        who = " ou ".join(_WHO[c] for c in (F, P, C) if c in capacities)
        raise NotAllowed(f"Seul {who} peut {_WHAT[target]}.")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(f"Le commentaire ne doit pas dépasser {COMMENT_MAX_LENGTH} caractères.",
                          field="comment")
    if target == S.REFUSED and reason is None:
        raise DomainError("Choisissez le motif du refus.", field="refusal_reason")
    if target == S.REFUSED and reason in SYSTEM_REASONS and capacity != SYSTEM:
        raise DomainError("Ce motif est réservé aux clôtures faites par ClauseMatch : choisissez un autre motif.",
                          field="refusal_reason")
    if target == S.REFUSED and reason == RefusalReason.OTHER and not comment:
        raise DomainError("Précisez le motif du refus en commentaire.", field="comment")
    if target == S.SUBMITTED and not comment:
        raise DomainError("Indiquez en commentaire pourquoi la candidature est rouverte.", field="comment")


def check_change(application: Application, target: ApplicationStatus, actor: User | None, comment: str = "",
                 refusal_reason: RefusalReason | str | None = None) -> tuple[str, RefusalReason | None]:
    """Raise DomainError (or NotAllowed) unless `actor` (None: the system) may move `application`
    to `target` with these details; returns the cleaned comment and refusal reason."""
    capacity = SYSTEM if actor is None else permissions.application_capacity(actor, application)
    if capacity is None:
        raise NotAllowed("Vous ne pouvez pas modifier l'état de cette candidature.")
    comment = (comment or "").strip()
    reason = _reason(refusal_reason) if target == S.REFUSED else None
    check_transition(application, target, capacity, comment, reason, actor)
    return comment, reason


def change_status(application: Application, target: ApplicationStatus, actor: User | None, comment: str = "",
                  refusal_reason: RefusalReason | str | None = None,
                  hire: object | None = None) -> ApplicationEvent:
    """Move `application` to `target` on behalf of `actor` (None: the system, e.g. a nightly job).

    Checks the move, the actor's capacity and the move's own rules (refusal reason, eligibility
    when validating, the contract's terms when hiring: `hire`, a pathways.hiring.HireData, whose
    contract pathways.hiring.record_hire creates), then logs the event, stamps last_event_at,
    audits and tells the prescriber (in-app and one e-mail). Adds to the session; the calling
    service commits.
    """
    comment, reason = check_change(application, target, actor, comment, refusal_reason)
    if target == S.VALIDATED:
        check_eligible(application, today())
    if target == S.SUBMITTED:
        _check_offer_open(application)
    if target == S.HIRED and hire is None:
        raise DomainError("Renseignez le contrat de travail pour enregistrer l'embauche.")
    previous = application.status
    application.status = target
    application.refusal_reason = reason
    application.last_event_at = utcnow()
    event = _log(application, previous, target, actor, comment, reason)
    messages.status_changed(application, event, actor)
    return event


def record_creation(application: Application, actor: User) -> ApplicationEvent:
    """The first event of an application's history (from nowhere to "submitted")."""
    return _log(application, None, application.status, actor, "", None)


def _log(application: Application, previous: ApplicationStatus | None, target: ApplicationStatus,
         actor: User | None, comment: str, reason: RefusalReason | None) -> ApplicationEvent:
    actor_id = actor.id if actor is not None else None
    event = ApplicationEvent(application=application, from_status=previous, to_status=target,
                             actor_id=actor_id, comment=comment, refusal_reason=reason,
                             occurred_at=application.last_event_at)
    db.session.add(event)
    # Ids and codes only: the comment may name the person.
    record("application.status_changed", "application", application.id, actor_id=actor_id,
           candidate_id=application.candidate_id,
           from_status=previous.value if previous else None, to_status=target.value,
           refusal_reason=reason.value if reason else None)
    return event


def _reason(value: RefusalReason | str | None) -> RefusalReason | None:
    if value in (None, ""):
        return None
    try:
        return RefusalReason(value)
    except ValueError:
        raise DomainError("Ce motif de refus n'existe pas.", field="refusal_reason") from None


def _check_offer_open(application: Application) -> None:
    if application.offer.status == OfferStatus.FILLED:
        raise DomainError("L'offre est pourvue : la candidature ne peut pas être rouverte. Proposez la personne "
                          "à une autre offre.")
    if application.offer.status != OfferStatus.PUBLISHED:
        raise DomainError(f"L'offre n'est plus publiée (statut : {application.offer.status.label.lower()}) : "
                          "la candidature ne peut pas être rouverte.")


def check_eligible(application: Application, on: date) -> None:
    """The candidate holds, validated and not expired, a criterion the offer accepts, and lives
    in a QPV when the offer requires it; else a French message says what to do first."""
    # Imported here: the candidates package is another feature, built alongside this one.
    from clausematch.candidates.eligibility import valid_criteria

    offer, candidate = application.offer, application.candidate
    valid = valid_criteria(candidate, on)
    expected = set(offer.eligible_criteria or [])
    if not valid:
        raise DomainError("Aucun critère d'éligibilité de ce candidat n'est validé et en cours de validité : "
                          "validez ses critères sur sa fiche avant de valider la candidature.")
    if expected and not valid & expected:
        labels = ", ".join(Criterion(code).label for code in offer.eligible_criteria)
        raise DomainError("Aucun critère validé du candidat ne correspond aux publics de l'offre "
                          f"({labels}) : validez d'abord le critère correspondant sur sa fiche.")
    if offer.qpv_required and Criterion.QPV.value not in valid:
        raise DomainError("L'offre est réservée aux résidents d'un quartier prioritaire (QPV) : validez d'abord "
                          f"le critère « {Criterion.QPV.label} » sur la fiche du candidat.")
