"""Account services (logging in and out: login.py): invitations, password resets and changes.

Each public function is one unit of work: it takes plain values and the acting user,
raises DomainError (French message) when a rule refuses, and commits once.
"""
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from clausematch import audit
from clausematch.accounts import login
from clausematch.accounts.models import (
    ROLE_FOR_KIND,
    Invitation,
    Membership,
    Organisation,
    PasswordResetToken,
    Role,
    User,
)
from clausematch.accounts.permissions import can_invite, has_role
from clausematch.accounts.tokens import hash_token, new_token
from clausematch.database import locked, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import queue_email
from clausematch.pagination import Page, paginate

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
PASSWORD_RULES = (f"Au moins {MIN_PASSWORD_LENGTH} caractères. Une phrase de plusieurs mots, "
                  "facile à retenir pour vous seul, est un bon choix.")
MAX_RESET_REQUESTS = 3  # per account and per PASSWORD_RESET_VALIDITY: no mail-bombing
ACCOUNT_EXISTS = "Un compte existe déjà avec cette adresse e-mail : connectez-vous ou utilisez « Mot de passe oublié »."


class UnusableLink(DomainError):
    """An invitation or password-reset link that is unknown (404), used or expired (410)."""

    def __init__(self, message: str, status: int = 410):
        super().__init__(message)
        self.status = status


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()



# --- Invitations ---------------------------------------------------------------------------

def invitable_organisations(actor: User) -> list[Organisation]:
    """Active organisations the actor may invite into, by name."""
    stmt = (sa.select(Organisation).where(Organisation.is_active.is_(True))
            .options(joinedload(Organisation.territory)).order_by(Organisation.name, Organisation.id))
    if not has_role(actor, Role.ADMIN):
        if not has_role(actor, Role.FACILITATOR) or actor.organisation is None:
            return []
        stmt = stmt.where(Organisation.territory_id == actor.organisation.territory_id)
    return list(db.session.scalars(stmt))


def list_invitations(actor: User, page: int) -> Page:
    """One page of the invitations the actor may see (their territory; all for admins), newest first."""
    stmt = (sa.select(Invitation)
            .options(joinedload(Invitation.organisation), joinedload(Invitation.invited_by))
            .order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    if not has_role(actor, Role.ADMIN):
        territory_id = actor.organisation.territory_id if actor.organisation else None
        stmt = stmt.where(Invitation.organisation_id.in_(
            sa.select(Organisation.id).where(Organisation.territory_id == territory_id)))
    return paginate(stmt, page)


def invitation_status(invitation: Invitation, now: datetime | None = None) -> str:
    """French status of an invitation, for lists."""
    if invitation.accepted_at is not None:
        return "Acceptée"
    if invitation.cancelled_at is not None:
        return "Annulée"
    return "Expirée" if invitation.expires_at <= (now or utcnow()) else "En attente"


def invite_user(actor: User, organisation_id: int, email: str, full_name: str) -> Invitation:
    """Invite someone into an organisation: the role follows from its kind; the link goes by e-mail."""
    organisation, email, full_name = _checked_invitation(actor, organisation_id, email, full_name)
    token, token_hash = new_token()
    invitation = Invitation(
        token_hash=token_hash, email=email, full_name=full_name, organisation=organisation,
        role=ROLE_FOR_KIND[organisation.kind], invited_by=actor,
        expires_at=utcnow() + current_app.config["INVITATION_VALIDITY"])
    db.session.add(invitation)
    db.session.flush()
    audit.record("invitation_sent", "invitation", invitation.id, actor_id=actor.id,
                 organisation_id=organisation.id)
    send_invitation_email(invitation, token)
    db.session.commit()
    return invitation


def check_invitation(actor: User, organisation_id: int | None, email: str, full_name: str) -> None:
    """Every rule of the invitation form, all refusals at once (FieldErrors); reads only."""
    _checked_invitation(actor, organisation_id, email, full_name)


def _checked_invitation(actor: User, organisation_id: int | None, email: str,
                        full_name: str) -> tuple[Organisation, str, str]:
    """The organisation, e-mail and name as kept; NotAllowed when the actor may not invite there."""
    collect = Collector()
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation is None or not organisation.is_active:
        collect.add("Choisissez une organisation dans la liste.", field="organisation_id")
        organisation = None
    elif not can_invite(actor, organisation):
        raise NotAllowed("Vous ne pouvez pas inviter de personne dans cette organisation.")
    email, full_name = normalise_email(email), (full_name or "").strip()
    if not full_name:
        collect.add("Indiquez le nom et le prénom de la personne invitée.", field="full_name")
    if email and login.find_user_by_email(email) is not None:
        collect.add("Un compte existe déjà avec cette adresse e-mail.", field="email")
    elif email and organisation is not None and _pending_invitation_exists(email, organisation.id):
        collect.add("Une invitation est déjà en attente pour cette adresse dans cette organisation.", field="email")
    collect.raise_if_any()
    return organisation, email, full_name


def send_invitation_email(invitation: Invitation, token: str) -> None:
    """Queue the e-mail carrying the invitation's link, in the caller's unit of work."""
    queue_email(invitation.email, "Votre invitation à rejoindre ClauseMatch", render_template(
        "accounts/emails/invitation.txt", invitation=invitation, link=_link(f"/invitation/{token}")))


def _pending_invitation_exists(email: str, organisation_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        Invitation.organisation_id == organisation_id, sa.func.lower(Invitation.email) == email,
        Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None),
        Invitation.expires_at > utcnow()))) or False


def _link(path: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def _by_token(model, token: str, for_update: bool):
    """The invitation or reset token whose hash matches; locked when about to be used, so that
    two simultaneous submissions cannot both use a single-use link."""
    stmt = sa.select(model).where(model.token_hash == hash_token(token))
    return locked(db.session, stmt).one_or_none() if for_update else db.session.scalar(stmt)


def invitation_for_token(token: str, for_update: bool = False) -> Invitation:
    """The invitation behind a link, if it can still be used; raises UnusableLink otherwise."""
    invitation = _by_token(Invitation, token, for_update)
    if invitation is None:
        raise UnusableLink("Ce lien d'invitation n'est pas valide. Vérifiez qu'il a été copié en entier, "
                           "ou demandez une nouvelle invitation.", status=404)
    if invitation.accepted_at is not None:
        raise UnusableLink("Ce lien d'invitation a déjà été utilisé : le compte a été créé. "
                           "Connectez-vous avec votre adresse e-mail et votre mot de passe.")
    if invitation.cancelled_at is not None:
        raise UnusableLink("Cette invitation a été annulée : ce lien ne permet plus de créer un compte. "
                           "Adressez-vous à la personne qui vous a invité si vous pensez que c'est une erreur.")
    if invitation.expires_at <= utcnow():
        raise UnusableLink(f"Ce lien d'invitation a expiré le {invitation.expires_at:%d/%m/%Y}. "
                           "Demandez une nouvelle invitation à la personne qui vous a invité.")
    return invitation


def accept_invitation(token: str, password: str) -> User:
    """Create the invited person's account and membership; the link cannot be used again."""
    invitation = invitation_for_token(token, for_update=True)
    check_password_rules(password)
    if login.find_user_by_email(invitation.email) is not None:
        raise DomainError(ACCOUNT_EXISTS)
    now = utcnow()
    user = User(email=invitation.email, full_name=invitation.full_name, role=invitation.role,
                password_hash=generate_password_hash(password), last_login_at=now, last_seen_at=now)
    db.session.add(user)
    db.session.add(Membership(user=user, organisation_id=invitation.organisation_id))
    try:
        db.session.flush()
    except IntegrityError:  # another invitation for the same address accepted at the same moment
        db.session.rollback()
        raise DomainError(ACCOUNT_EXISTS) from None
    invitation.accepted_at, invitation.accepted_user_id = now, user.id
    audit.record("invitation_accepted", "invitation", invitation.id, actor_id=user.id, user_id=user.id)
    audit.record("login", "user", user.id, actor_id=user.id)
    db.session.commit()
    return user


# --- Passwords -----------------------------------------------------------------------------

def check_password_rules(password: str, field: str = "password") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Le mot de passe doit contenir au moins {MIN_PASSWORD_LENGTH} caractères.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise DomainError(f"Le mot de passe ne doit pas dépasser {MAX_PASSWORD_LENGTH} caractères.", field=field)


def _set_password(user: User, password: str, now: datetime) -> None:
    """New hash, sessions opened before are rejected, pending reset links stop working."""
    user.password_hash = generate_password_hash(password)
    user.session_version += 1
    db.session.execute(sa.update(PasswordResetToken)
                       .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
                       .values(used_at=now))


def request_password_reset(email: str) -> None:
    """E-mail a reset link if an active account has this address; silent otherwise."""
    user = login.find_user_by_email(email)
    if user is None or not user.is_active:
        return
    now, validity = utcnow(), current_app.config["PASSWORD_RESET_VALIDITY"]
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(PasswordResetToken).where(
        PasswordResetToken.user_id == user.id, PasswordResetToken.created_at > now - validity))
    if recent >= MAX_RESET_REQUESTS:
        return
    token, token_hash = new_token()
    db.session.add(PasswordResetToken(token_hash=token_hash, user_id=user.id, expires_at=now + validity))
    audit.record("password_reset_requested", "user", user.id)
    queue_email(user.email, "Réinitialisation de votre mot de passe ClauseMatch", render_template(
        "accounts/emails/password_reset.txt", user=user, link=_link(f"/mot-de-passe/{token}"),
        expires_at=now + validity))
    db.session.commit()


def reset_token_for(token: str, for_update: bool = False) -> PasswordResetToken:
    """The reset token behind a link, if it can still be used; raises UnusableLink otherwise."""
    reset = _by_token(PasswordResetToken, token, for_update)
    if reset is None or not reset.user.is_active:
        raise UnusableLink("Ce lien de réinitialisation n'est pas valide. Vérifiez qu'il a été copié en "
                           "entier, ou faites une nouvelle demande.", status=404)
    if reset.used_at is not None:
        raise UnusableLink("Ce lien de réinitialisation a déjà été utilisé ou a été remplacé. "
                           "Faites une nouvelle demande si besoin.")
    if reset.expires_at <= utcnow():
        raise UnusableLink("Ce lien de réinitialisation a expiré. Faites une nouvelle demande.")
    return reset


def reset_password(token: str, password: str) -> User:
    """Set a new password through a reset link; other sessions and links stop working."""
    reset = reset_token_for(token, for_update=True)
    check_password_rules(password)
    user = reset.user
    _set_password(user, password, utcnow())
    audit.record("password_reset", "user", user.id, actor_id=user.id)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> User:
    """A logged-in user changes their password; their other sessions are closed."""
    if not user.password_hash or not check_password_hash(user.password_hash, current_password or ""):
        raise DomainError("Le mot de passe actuel est incorrect.", field="current_password")
    check_password_rules(new_password, field="new_password")
    if check_password_hash(user.password_hash, new_password):
        raise DomainError("Le nouveau mot de passe doit être différent de l'actuel.", field="new_password")
    _set_password(user, new_password, utcnow())
    audit.record("password_changed", "user", user.id, actor_id=user.id)
    db.session.commit()
    return user
