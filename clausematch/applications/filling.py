"""An offer's positions and its applications: when hires reach the offer's number of positions,
the offer becomes filled ("Pourvue") and its open applications are closed as "poste pourvu".

- A hire (pathways.hiring.record_hire) locks the offer, then the application (the order every
  change of an offer's applications follows: proposals, shortlists, hires), checks under the lock
  that a position is left (`check_position_left`), records the hire, then calls
  `fill_when_complete`: when the hires now reach the positions, a published offer moves to
  "filled" through the offers workflow (its history, the audit trail, the matching change log by
  the session events), in the hire's unit of work.
- Whatever fills an offer (that hire, or a company or facilitator marking it filled by hand), the
  offers workflow sends signals.offer_filled; `on_offer_filled` closes every open application of
  the offer: refused by the system with the reason "poste pourvu", in its history, its prescriber
  side told by the workflow's messages. New proposals are refused by
  services.check_can_be_proposed (the offer is no longer published).
- A closed offer (by hand, or at the end of its publication) whose hires then reach its
  positions (an application still in progress ended in a hire) becomes filled as well, by the
  system (the offers workflow's closed → filled move, which no person makes), in the same unit
  of work: the bilans and the board count it as filled, not closed. An offer being reworked
  (reopened as a draft, or submitted again) stays in its state; its open applications are
  closed all the same.
Two hires racing on the last position: the second waits for the offer's lock, then finds its
application closed ("poste pourvu") and is refused with a French message; with two positions left
both are recorded and the offer is filled once.
"""
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from clausematch.accounts.models import User
from clausematch.applications import workflow
from clausematch.applications.models import Application, ApplicationStatus, RefusalReason
from clausematch.database import locked
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.offers import workflow as offer_workflow
from clausematch.offers.models import Offer, OfferStatus
from clausematch.offers.signals import offer_filled

S = ApplicationStatus
CLOSING_COMMENT = "L'offre est pourvue : tous ses postes ont été attribués, la candidature est close."


def connect() -> None:
    """Handle filled offers from now on (idempotent: blinker keeps one connection per receiver)."""
    offer_filled.connect(on_offer_filled, weak=False)


def hire_count(offer_id: int) -> int:
    """Applications of the offer that ended in a hire (one COUNT on (offer_id, status))."""
    return db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.offer_id == offer_id, Application.status == S.HIRED)) or 0


def positions_text(count: int) -> str:
    return "1 poste" if count == 1 else f"{count} postes"


def check_position_left(offer: Offer) -> None:
    """Raise DomainError when the offer's hires already reach its positions (offer locked by the caller)."""
    if offer.status == OfferStatus.FILLED or hire_count(offer.id) >= offer.positions:
        raise DomainError(f"Cette offre est pourvue ({positions_text(offer.positions)}, déjà attribué"
                          f"{'s' if offer.positions > 1 else ''}) : l'embauche n'a pas été enregistrée.")


def fill_when_complete(offer: Offer, actor: User | None) -> bool:
    """After a hire (offer locked by the caller): when the hires reach the positions, fill the
    offer, published (on behalf of `actor`) or closed (by the system); an offer in draft or
    submitted only has its open applications closed. True when the offer is now complete."""
    hires = hire_count(offer.id)
    if hires < offer.positions:
        return False
    count = f"{hires} embauche{'s' if hires > 1 else ''} pour {positions_text(offer.positions)}."
    if offer.status == OfferStatus.PUBLISHED:
        offer_workflow.change_status(offer, OfferStatus.FILLED, actor,  # → on_offer_filled
                                     f"Pourvue automatiquement : {count}")
    elif offer.status == OfferStatus.CLOSED:
        offer_workflow.change_status(offer, OfferStatus.FILLED, None,
                                     f"Pourvue automatiquement après sa clôture : {count}")
    else:
        close_open_applications(offer)
    return True


def on_offer_filled(offer: Offer, *, actor: User | None) -> None:
    close_open_applications(offer)


def close_open_applications(offer: Offer) -> int:
    """Refuse (by the system, reason "poste pourvu") every open application of the offer, locked
    in id order; returns how many."""
    # Pending writes (the offer's move) go first: on SQLite they open the unit of work's write
    # transaction, which `locked` then keeps instead of beginning another.
    db.session.flush()
    applications = list(locked(db.session, (
        sa.select(Application).where(Application.offer_id == offer.id, Application.status.in_(workflow.OPEN))
        .options(selectinload(Application.candidate)).order_by(Application.id))))
    for application in applications:
        workflow.change_status(application, S.REFUSED, None, CLOSING_COMMENT,
                               refusal_reason=RefusalReason.POSITION_FILLED)
    return len(applications)
