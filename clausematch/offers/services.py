"""Offer management: create, edit and move offers through their workflow.

Services take plain values and the acting user, check the rules (permissions again, reference
data, ranges), raise DomainError with a French message, and commit once. The offer form's rules
are all run and their refusals gathered (one FieldErrors); check_new_offer and check_offer_update
run them alone, without writing, for the form's first submit.
"""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from clausematch import versioning
from clausematch.accounts.models import Role, User
from clausematch.audit import record
from clausematch.contracts.models import Contract, Lot
from clausematch.database import lock, today
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.offers import permissions, workflow
from clausematch.offers.models import Offer, OfferStatus
from clausematch.referential.certificates import checked_certificates
from clausematch.referential.resolve import resolve_appellation, resolve_commune, territory_departments
from clausematch.text import normalise
from clausematch.vocabulary import ContractType, Criterion, Sector

MAX_WEEKLY_HOURS = 48
TITLE_MAX_LENGTH = 200
CERTIFICATES_MAX_LENGTH = 300


@dataclass
class OfferData:
    """What a person typed in the offer form, as plain values."""

    lot_id: int | None
    title: str
    appellation_text: str
    contract_type: str
    weekly_hours: float | None
    commune_text: str
    appellation_code: int | str | None = None
    commune_insee: str | None = None
    sector: str | None = None
    positions: int | None = 1
    description: str = ""
    skills: str = ""
    start_date: date | None = None
    publication_end: date | None = None
    eligible_criteria: list[str] = field(default_factory=list)
    qpv_required: bool = False
    driving_licence_required: bool = False
    certificates_required: str = ""
    certificates_wished: str = ""


def offer_search_text(title: str, appellation_label: str = "", rome_label: str = "", skills: str = "") -> str:
    """The normalised text keyword searches run on (Offer.search_text): title, job labels, skills."""
    return normalise(" ".join(part for part in (title, appellation_label, rome_label, skills) if part))


def allowed_lots_query(user: User) -> sa.Select:
    """Lots the user may create offers on: their company's, or every awarded lot of their
    territory for a facilitator. Ordered by contract reference then lot number."""
    stmt = (sa.select(Lot).join(Lot.contract).where(Lot.company_id.is_not(None))
            .order_by(Contract.reference, Lot.number))
    if permissions.is_offer_facilitator(user, permissions.territory_of(user)):
        return stmt.where(Contract.territory_id == permissions.territory_of(user))
    if user.role == Role.COMPANY:
        return stmt.where(Lot.company_id.in_(user.organisation_ids))
    return stmt.where(sa.false())


def lot_defaults(lot: Lot) -> dict:
    """Values an offer on `lot` starts with: the contract's sector, the clause's publics."""
    criteria = list(lot.clause.eligible_criteria) if lot.clause is not None else []
    return {"sector": lot.contract.sector.value, "eligible_criteria": criteria}


def check_new_offer(data: OfferData, user: User) -> tuple[Lot | None, dict]:
    """Every rule of a new offer, all refusals at once (FieldErrors): its lot and columns. Reads only."""
    collect = Collector()
    lot = collect(_new_offer_lot, data.lot_id, user)
    values = collect(_checked_values, data, lot)
    collect.raise_if_any()
    return lot, values


def create_offer(data: OfferData, user: User) -> Offer:
    """A new draft offer on a lot, for the lot's company."""
    lot, values = check_new_offer(data, user)
    offer = Offer(territory_id=lot.contract.territory_id, lot_id=lot.id, company_id=lot.company_id,
                  status=OfferStatus.DRAFT, created_by_id=user.id, **values)
    db.session.add(offer)
    db.session.flush()
    workflow.record_creation(offer, user)
    record("offer.created", "offer", offer.id, actor_id=user.id, lot_id=lot.id)
    db.session.commit()
    return offer


def _new_offer_lot(lot_id: int | None, user: User) -> Lot:
    lot = db.session.get(Lot, lot_id) if lot_id else None
    if lot is None:
        raise DomainError("Choisissez le lot auquel l'offre se rattache.", field="lot_id")
    if not permissions.can_create_offer_for_lot(user, lot):
        raise NotAllowed("Vous ne pouvez pas créer d'offre sur ce lot.")
    if lot.company_id is None:
        raise DomainError("Ce lot n'est attribué à aucune entreprise : une offre ne peut pas encore "
                          "y être rattachée.", field="lot_id")
    return lot


def check_offer_update(offer_id: int, data: OfferData, user: User) -> dict:
    """Every rule of the edit form, all refusals at once (FieldErrors): the columns. Reads only."""
    offer = _offer_or_error(offer_id)
    if not permissions.can_edit_offer(user, offer):
        raise NotAllowed(f"Cette offre ne peut pas être modifiée (statut : {offer.status.label.lower()}).")
    return _checked_values(data, offer.lot)


def update_offer(offer_id: int, data: OfferData, user: User, version: int | None = None) -> Offer:
    """Change an offer's content (not its status nor its lot: an offer stays on its lot); `version`:
    the one the edit form was loaded at (versioning.py)."""
    values = check_offer_update(offer_id, data, user)
    offer = _offer_or_error(offer_id)
    changed = sorted(name for name, value in values.items() if getattr(offer, name) != value)
    for name, value in values.items():
        setattr(offer, name, value)
    versioning.claim(offer, version)
    record("offer.updated", "offer", offer.id, actor_id=user.id, fields=changed)
    db.session.commit()
    return offer


def set_offer_status(offer_id: int, target: OfferStatus | str, user: User, comment: str = "") -> Offer:
    """Move an offer through its workflow (see transitions.TRANSITIONS), checked on its latest
    state: the offer stays locked until the commit."""
    offer = lock(db.session, Offer, offer_id)
    if offer is None:
        raise DomainError("Cette offre n'existe pas.")
    try:
        target = OfferStatus(target)
    except ValueError:
        raise DomainError("Statut d'offre inconnu.") from None
    workflow.change_status(offer, target, user, comment)
    db.session.commit()
    return offer


def _offer_or_error(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id)
    if offer is None:
        raise DomainError("Cette offre n'existe pas.")
    return offer


def _checked_values(data: OfferData, lot: Lot | None) -> dict:
    """The offer's columns from `data`, every rule run before anything is changed (one FieldErrors
    lists all refusals). Without a lot (refused), the place is looked for across France."""
    collect = Collector()
    title = (data.title or "").strip()
    if not title:
        collect.add("Indiquez l'intitulé de l'offre.", field="title")
    elif len(title) > TITLE_MAX_LENGTH:
        collect.add(f"L'intitulé ne doit pas dépasser {TITLE_MAX_LENGTH} caractères.", field="title")
    appellation = collect(resolve_appellation, data.appellation_text, data.appellation_code)
    territory_id = lot.contract.territory_id if lot is not None else None
    commune = collect(resolve_commune, data.commune_text, data.commune_insee, territory_departments(territory_id))
    certificates = (data.certificates_required or "").strip()
    required = wished = ([], "")
    if len(certificates) > CERTIFICATES_MAX_LENGTH:
        collect.add(f"Les certificats demandés ne doivent pas dépasser {CERTIFICATES_MAX_LENGTH} "
                    "caractères.", field="certificates_required")
    else:
        required = collect(checked_certificates, certificates, "certificates_required", CERTIFICATES_MAX_LENGTH)
    wished_text = (data.certificates_wished or "").strip()
    if len(wished_text) > CERTIFICATES_MAX_LENGTH:
        collect.add(f"Les certificats souhaités ne doivent pas dépasser {CERTIFICATES_MAX_LENGTH} "
                    "caractères.", field="certificates_wished")
    else:
        wished = collect(checked_certificates, wished_text, "certificates_wished", CERTIFICATES_MAX_LENGTH)
    skills = (data.skills or "").strip()
    values = {
        "sector": collect(_sector, data.sector, lot),
        "contract_type": collect(_choice, ContractType, data.contract_type, "contract_type",
                                 "Choisissez le type de contrat."),
        "weekly_hours": collect(_weekly_hours, data.weekly_hours),
        "positions": collect(_positions, data.positions),
        "publication_end": collect(_publication_end, data.publication_end),
        "eligible_criteria": collect(_criteria, data.eligible_criteria),
    }
    collect.raise_if_any()
    return {
        "title": title,
        "appellation_code": appellation.code,
        "rome_code": appellation.rome_code,
        "search_text": offer_search_text(title, appellation.label, appellation.rome.label, skills),
        "description": (data.description or "").strip(),
        "skills": skills,
        "commune_insee": commune.insee_code,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
        **values,
        "start_date": data.start_date,
        "qpv_required": bool(data.qpv_required),
        "driving_licence_required": bool(data.driving_licence_required),
        "certificates_required": required[1],
        "required_certificates": required[0],
        # A certificate both required and wished is required.
        "wished_certificates": [code for code in wished[0] if code not in required[0]],
    }


def _choice(enum_cls, value, field_name: str, message: str):
    try:
        return enum_cls(value)
    except ValueError:
        raise DomainError(message, field=field_name) from None


def _sector(value: str | None, lot: Lot | None) -> Sector | None:
    if not value:
        return lot.contract.sector if lot is not None else None
    return _choice(Sector, value, "sector", "Choisissez le secteur : bâtiment ou services.")


def _weekly_hours(value: float | None) -> float:
    if value is None or not 0 < value <= MAX_WEEKLY_HOURS:
        raise DomainError(f"La durée hebdomadaire doit être comprise entre 0 et {MAX_WEEKLY_HOURS} heures "
                          "(plus de 0, 48 au plus).", field="weekly_hours")
    return float(value)


def _positions(value: int | None) -> int:
    if value is None or value < 1:
        raise DomainError("Indiquez au moins un poste à pourvoir.", field="positions")
    return int(value)


def _publication_end(value: date | None) -> date | None:
    if value is not None and value < today():
        raise DomainError("La fin de publication ne peut pas être passée.", field="publication_end")
    return value


def _criteria(codes: list[str] | None) -> list[str]:
    known = {c.value for c in Criterion}
    codes = list(dict.fromkeys(codes or []))  # unique, order kept
    if any(code not in known for code in codes):
        raise DomainError("Un des publics éligibles cochés n'existe pas.", field="eligible_criteria")
    return [c.value for c in Criterion if c.value in codes]
