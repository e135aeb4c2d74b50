"""Read-only lookups of the "orienter un candidat" pages: the published offers a prescriber
may propose to, and the choices of the proposal form (bounded, searched in SQL)."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role
from clausematch.applications.models import Application
from clausematch.candidates.models import Candidate
from clausematch.database import today
from clausematch.extensions import db
from clausematch.offers import queries as offer_queries
from clausematch.offers.models import Offer, OfferStatus
from clausematch.offers.permissions import territory_of
from clausematch.pagination import Page, paginate
from clausematch.text import normalise, significant_words

# A select never lists more than this; the search narrows it down.
MAX_CHOICES = 100
MAX_WORDS = 6


def open_offers(territory_id: int | None) -> sa.ColumnElement[bool]:
    """Offers of the territory that accept candidates: published, publication not over."""
    return sa.and_(Offer.territory_id == territory_id, Offer.status == OfferStatus.PUBLISHED,
                   sa.or_(Offer.publication_end.is_(None), Offer.publication_end >= today()))


def accepts_proposals(offer: Offer, on: date) -> bool:
    """`open_offers` for one loaded offer: published, publication not over on `on` (the offer
    checks of services.check_can_be_proposed)."""
    return offer.status == OfferStatus.PUBLISHED and (offer.publication_end is None or offer.publication_end >= on)


def _offer_text(q: str) -> list[sa.ColumnElement[bool]]:
    words = significant_words(q)[:MAX_WORDS] if q else []
    return [Offer.search_text.contains(word, autoescape=True) for word in words]


def offers_page(user: User, q: str, page: int) -> Page:
    """Published offers of the user's territory matching the words of `q`, newest first."""
    stmt = (sa.select(Offer).options(joinedload(Offer.company), joinedload(Offer.commune))
            .where(open_offers(territory_of(user)), *_offer_text(q))
            .order_by(Offer.published_at.desc(), Offer.id.desc()))
    return paginate(stmt, page)


def offer_choices(territory_id: int, q: str, candidate_id: int | None = None,
                  rome_code: str | None = None) -> list[tuple[int, str]]:
    """(id, label: title, company, commune, lot) of the open offers of the territory matching `q`,
    at most MAX_CHOICES; without those `candidate_id` was already proposed to; those of `rome_code`
    (the same trade) first."""
    conditions = [open_offers(territory_id), *_offer_text(q)]
    if candidate_id is not None:
        conditions.append(~sa.exists().where(Application.offer_id == Offer.id,
                                             Application.candidate_id == candidate_id))
    order = [sa.case((Offer.rome_code == rome_code, 0), else_=1)] if rome_code else []
    return offer_queries.offer_choices(*conditions, order_by=order, limit=MAX_CHOICES)


def candidate_choices(user: User, q: str) -> list[tuple[int, str]]:
    """(id, name) of the candidates `user` may propose matching `q` (name words), at most MAX_CHOICES:
    their organisation's for a prescriber, the territory's for a facilitator."""
    words = normalise(q).split()[:MAX_WORDS] if q else []
    if has_role(user, Role.FACILITATOR):
        scope = Candidate.territory_id == territory_of(user)
    else:
        scope = Candidate.prescriber_id.in_(user.organisation_ids)
    stmt = (sa.select(Candidate.id, Candidate.first_name, Candidate.last_name)
            .where(scope, Candidate.is_active,
                   *(Candidate.name_key.contains(word, autoescape=True) for word in words))
            .order_by(Candidate.last_name, Candidate.first_name, Candidate.id).limit(MAX_CHOICES))
    return [(row.id, f"{row.last_name.upper()} {row.first_name} (n° {row.id})") for row in db.session.execute(stmt)]
