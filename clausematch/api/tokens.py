"""API tokens: created for an organisation with scopes (the secret shown once), listed, revoked,
and found again from the `Authorization: Bearer …` header.

The token acts through its organisation's service account: one User per organisation, of the
role of the organisation's kind (a prescriber organisation's token is a prescriber…), member of
it, without password (it can never log in; its address, api-<id>@api.clausematch.invalid, reaches
no mailbox). It is active (Flask-Login's users are authenticated only when active, and the
predicates ask for it); an administrator who deactivates it stops every token of the
organisation. The pages' permission predicates and the services take it as they take a person of
the organisation: the API never re-implements who may do what.
"""
import hashlib
import hmac
import secrets

import sqlalchemy as sa

from clausematch import audit
from clausematch.accounts.models import ROLE_FOR_KIND, Membership, Organisation, OrganisationKind, Role, User
from clausematch.accounts.permissions import has_role
from clausematch.api.models import ApiToken
from clausematch.database import lock, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db

TOKEN_PREFIX = "cm_"
SCOPES = {
    "offers:read": "Lire les offres publiées",
    "candidates:read": "Lire les candidats de l'organisation",
    "candidates:write": "Créer et modifier les candidats de l'organisation",
    "applications:read": "Lire les orientations et leur historique",
    "applications:write": "Proposer des candidats sur des offres",
    "hours:read": "Lire les heures déclarées",
    "hours:write": "Déclarer les heures mensuelles",
    "reports:read": "Lire les rapports",
}
# What each kind of organisation may ask for: the operations its people may do on the pages.
SCOPES_BY_KIND = {
    OrganisationKind.PRESCRIBER: {"offers:read", "candidates:read", "candidates:write", "applications:read",
                                  "applications:write"},
    OrganisationKind.FACILITATOR: {"offers:read", "applications:read", "applications:write", "reports:read"},
    OrganisationKind.COMPANY: {"offers:read", "hours:read", "hours:write"},
    OrganisationKind.BUYER: {"offers:read", "reports:read"},
}
SERVICE_EMAIL = "api-{id}@api.clausematch.invalid"
MAX_NAME = 100


def can_manage_tokens(user: User) -> bool:
    """Creating, listing and revoking tokens: administrators only."""
    return has_role(user, Role.ADMIN)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def service_user(organisation: Organisation) -> User:
    """The organisation's service account, created at its first token (the organisation row is
    locked: two first tokens at once make one account)."""
    email = SERVICE_EMAIL.format(id=organisation.id)
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=f"API – {organisation.name}"[:200], role=ROLE_FOR_KIND[organisation.kind],
                    password_hash=None, is_active=True)
        db.session.add(user)
        db.session.flush()
        db.session.add(Membership(user_id=user.id, organisation_id=organisation.id))
        db.session.flush()
        db.session.refresh(user)
    return user


def check_token_request(organisation_id: int | None, name: str, scopes: list[str]) -> Organisation:
    collect = Collector()
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not organisation.is_active:
        collect.add("Choisissez une organisation active.", field="organisation")
    name = (name or "").strip()
    if not name:
        collect.add("Donnez un nom au jeton (par exemple le nom du logiciel qui l'utilise).", field="name")
    elif len(name) > MAX_NAME:
        collect.add(f"Le nom ne peut dépasser {MAX_NAME} caractères.", field="name")
    if not scopes:
        collect.add("Choisissez au moins une permission.", field="scopes")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        collect.add("Permission inconnue : " + ", ".join(unknown) + ".", field="scopes")
    elif organisation is not None and scopes:
        refused = sorted(set(scopes) - SCOPES_BY_KIND[organisation.kind])
        if refused:
            collect.add(f"Permission impossible pour une organisation « {organisation.kind.label} » : "
                        + ", ".join(refused) + ".", field="scopes")
    collect.raise_if_any()
    return organisation


def create_token(actor: User | None, organisation_id: int | None, name: str, scopes: list[str]
                 ) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once, never stored). `actor` None: the command line."""
    if actor is not None and not can_manage_tokens(actor):
        raise NotAllowed()
    organisation = check_token_request(organisation_id, name, scopes)
    lock(db.session, Organisation, organisation.id)
    user = service_user(organisation)
    prefix = secrets.token_hex(4)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(organisation_id=organisation.id, service_user_id=user.id, name=name.strip(),
                     scopes=" ".join(sorted(set(scopes))), prefix=prefix, secret_hash=hash_secret(secret),
                     created_by_id=actor.id if actor else None)
    db.session.add(token)
    db.session.flush()
    audit.record("api_token.created", "api_token", token.id, actor_id=actor.id if actor else None,
                 organisation_id=organisation.id, scopes=token.scopes, name=token.name)
    db.session.commit()
    return token, secret


def revoke_token(actor: User | None, token_id: int) -> ApiToken:
    if actor is not None and not can_manage_tokens(actor):
        raise NotAllowed()
    token = lock(db.session, ApiToken, token_id)
    if token is None:
        raise DomainError("Ce jeton n'existe pas.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token.revoked", "api_token", token.id, actor_id=actor.id if actor else None,
                     organisation_id=token.organisation_id)
    db.session.commit()
    return token


def tokens(organisation_id: int | None = None) -> list[ApiToken]:
    stmt = (sa.select(ApiToken).options(sa.orm.joinedload(ApiToken.organisation))
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc()))
    if organisation_id is not None:
        stmt = stmt.where(ApiToken.organisation_id == organisation_id)
    return list(db.session.scalars(stmt))


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name, Organisation.kind)
                              .where(Organisation.is_active.is_(True)).order_by(Organisation.name, Organisation.id))
    return [(id_, f"{name} ({kind.label})") for id_, name, kind in rows]


def authenticate(secret: str) -> ApiToken | None:
    """The active token this secret belongs to, or None (unknown, malformed or revoked). The hash
    comparison takes the same time whatever matches."""
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(TOKEN_PREFIX):].split("_", 1)[0]
    if not prefix or len(prefix) > 16:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or not hmac.compare_digest(token.secret_hash, hash_secret(secret)) or token.revoked_at:
        return None
    return token


def touch(token: ApiToken) -> None:
    """Record the use (at most once a minute: no write on every request)."""
    now = utcnow()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        db.session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
        db.session.commit()
