"""Services for the buyers and companies of a territory: create and edit, SIRET checked. An edit
carries the version its form was loaded at (clausematch/versioning.py)."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clausematch import audit, versioning
from clausematch.accounts.models import Buyer, BuyerKind, Company, CompanyKind, Organisation, User
from clausematch.contracts.permissions import can_manage_contracts, can_manage_organisation, territory_of
from clausematch.contracts.siret import normalise_siret, siret_error
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import parse_email, parse_phone
from clausematch.referential.resolve import find_commune, territory_departments


@dataclass(frozen=True)
class BuyerInput:
    name: str
    buyer_kind: BuyerKind
    siret: str = ""
    address: str = ""
    commune: str = ""
    commune_insee: str = ""


@dataclass(frozen=True)
class CompanyInput:
    name: str
    company_kind: CompanyKind
    siret: str
    address: str = ""
    commune: str = ""
    commune_insee: str = ""
    email: str = ""
    phone: str = ""


def create_buyer(actor: User, data: BuyerInput) -> Buyer:
    _require_manager(actor)
    buyer = Buyer(territory_id=territory_of(actor))
    return _save(actor, buyer, data, "buyer_created")


def update_buyer(actor: User, buyer_id: int, data: BuyerInput, version: int | None = None) -> Buyer:
    buyer = _editable(actor, Buyer, buyer_id)
    return _save(actor, buyer, data, "buyer_updated", version)


def create_company(actor: User, data: CompanyInput) -> Company:
    _require_manager(actor)
    company = Company(territory_id=territory_of(actor))
    return _save(actor, company, data, "company_created")


def update_company(actor: User, company_id: int, data: CompanyInput, version: int | None = None) -> Company:
    company = _editable(actor, Company, company_id)
    return _save(actor, company, data, "company_updated", version)


def _require_manager(actor: User) -> None:
    if not can_manage_contracts(actor):
        raise NotAllowed("Seul un facilitateur du territoire peut gérer les acheteurs et les entreprises.")


def _editable(actor: User, model: type[Organisation], ident: int) -> Organisation:
    organisation = db.session.get(model, ident)
    if organisation is None:
        raise DomainError("Cet organisme n'existe pas.")
    if not can_manage_organisation(actor, organisation):
        raise NotAllowed("Cet organisme n'appartient pas à votre territoire.")
    return organisation


def _save(actor: User, organisation: Buyer | Company, data: BuyerInput | CompanyInput, action: str,
          version: int | None = None):
    """Check and apply `data`, audit, commit once; an existing record's version is claimed."""
    name = data.name.strip()
    if not name:
        raise DomainError("Indiquez le nom.", field="name")
    siret = normalise_siret(data.siret) or None
    is_company = isinstance(organisation, Company)
    if siret is None and is_company:
        raise DomainError("Indiquez le SIRET de l'entreprise.", field="siret")
    if siret is not None:
        _check_siret(siret, organisation)
    commune = find_commune(data.commune, data.commune_insee, territory_departments(organisation.territory_id))
    commune_insee = commune.insee_code if commune else None
    email, phone = _contact(data) if is_company else (None, None)
    # Every check passed: only now change the record, so a refusal leaves it untouched.
    organisation.name = name
    organisation.siret = siret
    organisation.address = data.address.strip() or None
    organisation.commune_insee = commune_insee
    if is_company:
        organisation.company_kind = data.company_kind
        organisation.email, organisation.phone = email, phone
    else:
        organisation.buyer_kind = data.buyer_kind
    if organisation.id is not None:
        versioning.claim(organisation, version)
    db.session.add(organisation)
    try:
        db.session.flush()
    except IntegrityError as error:  # a concurrent insert of the same SIRET
        db.session.rollback()
        raise DomainError("Un organisme avec ce SIRET existe déjà.", field="siret") from error
    audit.record(action, organisation.kind.value, organisation.id, actor_id=actor.id)
    db.session.commit()
    return organisation


def _contact(data: CompanyInput) -> tuple[str | None, str | None]:
    """The contact e-mail and phone as stored, checked as on every form (formats.py)."""
    try:
        email = parse_email(data.email)
    except ValueError as error:
        raise DomainError(str(error), field="email") from None
    try:
        return email, parse_phone(data.phone)
    except ValueError as error:
        raise DomainError(str(error), field="phone") from None


def _check_siret(siret: str, organisation: Organisation) -> None:
    message = siret_error(siret)
    if message:
        raise DomainError(message, field="siret")
    holder = db.session.scalar(sa.select(Organisation).where(Organisation.siret == siret,
                                                             Organisation.id != organisation.id))
    if holder is None:
        return
    if holder.territory_id != organisation.territory_id:
        # Do not reveal another territory's records, only that the number is taken.
        raise DomainError("Ce SIRET est déjà enregistré sur un autre territoire.", field="siret")
    noun = "Une entreprise" if isinstance(holder, Company) else "Un acheteur"
    raise DomainError(f"{noun} avec ce SIRET existe déjà : {holder.name}", field="siret")
