"""Services for the buyers and companies of a territory: create and edit, SIRET checked. An edit
carries the version its form was loaded at (clausematch/versioning.py). Every rule of the form is
run and its refusals gathered (one FieldErrors); check_buyer and check_company run them alone,
without writing, for the form's first submit."""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clausematch import audit, versioning
from clausematch.accounts.models import Buyer, BuyerKind, Company, CompanyKind, Organisation, User
from clausematch.contracts.permissions import can_manage_contracts, can_manage_organisation, territory_of
from clausematch.contracts.siret import normalise_siret, siret_error
from clausematch.errors import Collector, DomainError, NotAllowed, parsed
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


def check_buyer(actor: User, data: BuyerInput, buyer_id: int | None = None) -> None:
    """Every rule of the buyer form (a new buyer, or `buyer_id`), all refusals at once; reads only."""
    _checked(_target(actor, Buyer, buyer_id), data)


def create_buyer(actor: User, data: BuyerInput) -> Buyer:
    return _save(actor, _target(actor, Buyer, None), data, "buyer_created")


def update_buyer(actor: User, buyer_id: int, data: BuyerInput, version: int | None = None) -> Buyer:
    buyer = _editable(actor, Buyer, buyer_id)
    return _save(actor, buyer, data, "buyer_updated", version)


def check_company(actor: User, data: CompanyInput, company_id: int | None = None) -> None:
    """Every rule of the company form (a new company, or `company_id`), all refusals at once; reads only."""
    _checked(_target(actor, Company, company_id), data)


def create_company(actor: User, data: CompanyInput) -> Company:
    return _save(actor, _target(actor, Company, None), data, "company_created")


def update_company(actor: User, company_id: int, data: CompanyInput, version: int | None = None) -> Company:
    company = _editable(actor, Company, company_id)
    return _save(actor, company, data, "company_updated", version)


def _target(actor: User, model: type[Buyer] | type[Company], ident: int | None):
    """The record a form saves: `ident`'s, or a new one of the actor's territory (not yet added)."""
    if ident is not None:
        return _editable(actor, model, ident)
    _require_manager(actor)
    return model(territory_id=territory_of(actor))


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
    values = _checked(organisation, data)
    # Every check passed: only now change the record, so a refusal leaves it untouched.
    for name, value in values.items():
        setattr(organisation, name, value)
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


def _checked(organisation: Buyer | Company, data: BuyerInput | CompanyInput) -> dict:
    """The record's columns from `data`, every rule run: one FieldErrors lists all refusals."""
    collect = Collector()
    name = data.name.strip()
    if not name:
        collect.add("Indiquez le nom.", field="name")
    siret = normalise_siret(data.siret) or None
    is_company = isinstance(organisation, Company)
    if siret is None and is_company:
        collect.add("Indiquez le SIRET de l'entreprise.", field="siret")
    elif siret is not None:
        collect(_check_siret, siret, organisation)
    commune = collect(find_commune, data.commune, data.commune_insee,
                      territory_departments(organisation.territory_id))
    values = {"name": name, "siret": siret, "address": data.address.strip() or None,
              "commune_insee": commune.insee_code if commune else None}
    if is_company:
        values.update(company_kind=data.company_kind, email=collect(parsed, parse_email, data.email, "email"),
                      phone=collect(parsed, parse_phone, data.phone, "phone"))
    else:
        values["buyer_kind"] = data.buyer_kind
    collect.raise_if_any()
    return values


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
