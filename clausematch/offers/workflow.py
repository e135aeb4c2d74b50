"""The life of an offer: its statuses, the moves between them, and the one function that
moves it.

    draft ──► submitted ──► published ──► filled ◄──┐
      ▲  │        │            │                    │ (its hires reached its positions)
      │  └──► closed ◄─────────┘ (by hand, or nightly once publication_end has passed)
      │           │
      └───────────┘ a facilitator reopens a closed offer as a draft; submitted → draft is a
                    facilitator sending the offer back with a comment.

Decisions: a filled offer is final (the people hired are counted against it); a closed offer may
be reopened, but only as a draft, so that it goes through validation again before it is public.
A closed offer becomes filled when an application still in progress ends in the hire that
reaches its positions (applications.filling, the system's move: no one marks a closed offer
filled by hand), so that the bilans and the board tell filled offers from closed ones.
"""
import sqlalchemy as sa

from clausematch.accounts.authors import done_by
from clausematch.accounts.models import User
from clausematch.audit import record
from clausematch.database import today, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers import permissions
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.signals import offer_filled
from clausematch.offers.transitions import SYSTEM, allowed_capacities, is_system_only

__all__ = ["OfferStatus", "change_status", "record_creation"]

# Moves that need a comment, because the company must know why.
COMMENT_REQUIRED = {(OfferStatus.SUBMITTED, OfferStatus.DRAFT)}
COMMENT_MAX_LENGTH = 500

# Button labels for each move, in French.
ACTION_LABELS = {
    (OfferStatus.DRAFT, OfferStatus.SUBMITTED): "Soumettre à validation",
    (OfferStatus.DRAFT, OfferStatus.CLOSED): "Clôturer le brouillon",
    (OfferStatus.SUBMITTED, OfferStatus.PUBLISHED): "Valider et publier",
    (OfferStatus.SUBMITTED, OfferStatus.DRAFT): "Renvoyer en brouillon",
    (OfferStatus.PUBLISHED, OfferStatus.FILLED): "Marquer comme pourvue",
    (OfferStatus.PUBLISHED, OfferStatus.CLOSED): "Clôturer l'offre",
    (OfferStatus.CLOSED, OfferStatus.DRAFT): "Rouvrir en brouillon",
}

_SUBJECT = {
    OfferStatus.DRAFT: "Une offre en brouillon",
    OfferStatus.SUBMITTED: "Une offre en attente de validation",
    OfferStatus.PUBLISHED: "Une offre publiée",
    OfferStatus.FILLED: "Une offre pourvue",
    OfferStatus.CLOSED: "Une offre clôturée",
}
_PARTICIPLE = {
    OfferStatus.DRAFT: "remise en brouillon",
    OfferStatus.SUBMITTED: "soumise à validation",
    OfferStatus.PUBLISHED: "publiée",
    OfferStatus.FILLED: "marquée comme pourvue",
    OfferStatus.CLOSED: "clôturée",
}
_STATE = {
    OfferStatus.DRAFT: "en brouillon",
    OfferStatus.SUBMITTED: "en attente de validation",
    OfferStatus.PUBLISHED: "publiée",
    OfferStatus.FILLED: "pourvue",
    OfferStatus.CLOSED: "clôturée",
}
# What the move does, for "only a facilitator may …" messages.
_FACILITATOR_ONLY = {
    (OfferStatus.SUBMITTED, OfferStatus.PUBLISHED): "valider et publier une offre",
    (OfferStatus.SUBMITTED, OfferStatus.DRAFT): "renvoyer une offre en brouillon",
    (OfferStatus.CLOSED, OfferStatus.DRAFT): "rouvrir une offre clôturée",
}


def refusal_message(current: OfferStatus, target: OfferStatus) -> str:
    """Why the move current → target does not exist, in French."""
    if current == target:
        return f"L'offre est déjà {_STATE[target]}."
    if current == OfferStatus.FILLED:
        return f"Une offre pourvue ne peut plus être {_PARTICIPLE[target]}."
    if current == OfferStatus.CLOSED:
        return (f"Une offre clôturée ne peut pas être {_PARTICIPLE[target]} : "
                "un facilitateur doit d'abord la rouvrir en brouillon.")
    if current == OfferStatus.DRAFT and target == OfferStatus.PUBLISHED:
        return "Une offre en brouillon ne peut pas être publiée : soumettez-la d'abord à validation."
    return f"{_SUBJECT[current]} ne peut pas être {_PARTICIPLE[target]}."


# The refused move, for conflict messages.
_NOT_RECORDED = {
    OfferStatus.DRAFT: "la remise en brouillon n'a pas été enregistrée",
    OfferStatus.SUBMITTED: "la soumission n'a pas été enregistrée",
    OfferStatus.PUBLISHED: "la publication n'a pas été enregistrée",
    OfferStatus.FILLED: "l'offre n'a pas été marquée comme pourvue",
    OfferStatus.CLOSED: "la clôture n'a pas été enregistrée",
}


def conflict_message(offer: Offer, target: OfferStatus, actor: User | None) -> str | None:
    """When the last change of `offer` made the move `target` impossible (it was possible from
    the state before), what happened, by whom and when; None for a move never possible."""
    if offer.id is None:
        return None
    last = db.session.scalars(sa.select(OfferStatusChange).where(OfferStatusChange.offer_id == offer.id)
                              .order_by(OfferStatusChange.id.desc()).limit(1)).first()
    if last is None or last.from_status is None or last.to_status != offer.status:
        return None
    # Moves only the system makes were never possible for a person.
    possible = allowed_capacities(last.from_status, target) - (frozenset() if actor is None else {SYSTEM})
    if target != offer.status and not possible:
        return None
    return (f"Cette offre a déjà été {_PARTICIPLE[offer.status]} {done_by(last.actor_id, actor, last.occurred_at)} : "
            f"{_NOT_RECORDED[target]}.")


def check_transition(offer: Offer, target: OfferStatus, capacity, comment: str, actor: User | None = None) -> None:
    """Raise DomainError (or NotAllowed) unless `capacity` may move `offer` to `target` now."""
    capacities = allowed_capacities(offer.status, target)
    if not capacities or (capacity != SYSTEM and is_system_only(offer.status, target)):
        raise DomainError(conflict_message(offer, target, actor) or refusal_message(offer.status, target))
    if capacity not in capacities:
        what = _FACILITATOR_ONLY.get((offer.status, target))
        raise NotAllowed(f"Seul un facilitateur du territoire peut {what}." if what
                         else "Vous ne pouvez pas faire ce changement de statut.")
    if (offer.status, target) in COMMENT_REQUIRED and not comment:
        raise DomainError("Indiquez en commentaire ce que l'entreprise doit corriger.", field="comment")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(f"Le commentaire ne doit pas dépasser {COMMENT_MAX_LENGTH} caractères.",
                          field="comment")
    going_public = target in (OfferStatus.SUBMITTED, OfferStatus.PUBLISHED)
    if going_public and offer.publication_end is not None and offer.publication_end < today():
        end = format_date(offer.publication_end)
        action = "publier" if target == OfferStatus.PUBLISHED else "soumettre"
        raise DomainError(f"La fin de publication ({end}) est dépassée : modifiez-la avant de {action} "
                          "l'offre.", field="publication_end")


def change_status(offer: Offer, target: OfferStatus, actor: User | None, comment: str = "") -> OfferStatusChange:
    """Move `offer` to `target` on behalf of `actor` (None: the system, e.g. nightly expiry).

    Checks the move and who makes it, logs it in the offer's history and the audit trail,
    stamps published_at; a filled offer is announced (signals.offer_filled: its open applications
    are closed). Adds to the session; the calling service, which locked the offer, commits.
    """
    comment = (comment or "").strip()
    capacity = SYSTEM if actor is None else permissions.offer_capacity(actor, offer)
    if capacity is None:
        raise NotAllowed("Vous ne pouvez pas modifier le statut de cette offre.")
    check_transition(offer, target, capacity, comment, actor)
    previous = offer.status
    offer.status = target
    if target == OfferStatus.PUBLISHED:
        offer.published_at = utcnow()
    change = _log(offer, previous, target, actor, comment)
    if target == OfferStatus.FILLED:
        offer_filled.send(offer, actor=actor)
    return change


def record_creation(offer: Offer, actor: User | None) -> OfferStatusChange:
    """The first row of an offer's history (from nowhere to its initial status)."""
    return _log(offer, None, offer.status, actor, "")


def _log(offer: Offer, previous: OfferStatus | None, target: OfferStatus, actor: User | None,
         comment: str) -> OfferStatusChange:
    actor_id = actor.id if actor is not None else None
    change = OfferStatusChange(offer_id=offer.id, from_status=previous, to_status=target,
                               actor_id=actor_id, comment=comment)
    db.session.add(change)
    record("offer.status_changed", "offer", offer.id, actor_id=actor_id,
           from_status=previous.value if previous else None, to_status=target.value)
    return change
