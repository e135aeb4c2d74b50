"""Scheduled work on offers: closing published offers whose publication has ended (the job
offers.expire, listed in clausematch/scheduler.py)."""
from datetime import date

import sqlalchemy as sa

from clausematch.database import locked
from clausematch.extensions import db
from clausematch.offers import workflow
from clausematch.offers.models import Offer, OfferStatus

EXPIRY_COMMENT = "Clôture automatique : date de fin de publication dépassée"


def expire_offers(on: date) -> int:
    """Close every published offer whose publication ended before `on`; returns how many.

    Safe to re-run, and to run twice at once: a closed offer is no longer published, so a second
    run changes nothing.
    """
    stmt = (sa.select(Offer)
            .where(Offer.status == OfferStatus.PUBLISHED, Offer.publication_end < on)
            .order_by(Offer.id))
    # Locked, in id order: a run at the same moment (or a person closing one of them) waits, then
    # no longer finds the offers this run closed.
    offers = list(locked(db.session, stmt))
    for offer in offers:
        workflow.change_status(offer, OfferStatus.CLOSED, None, EXPIRY_COMMENT)
    db.session.commit()
    return len(offers)


def expiry_summary(count: int) -> str:
    if count == 0:
        return "Aucune offre à clôturer."
    if count == 1:
        return "1 offre clôturée (fin de publication dépassée)."
    return f"{count} offres clôturées (fin de publication dépassée)."
