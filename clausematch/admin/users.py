"""Administrators manage accounts: the list of people (accounts and pending invitations), an
account's page and history, deactivation and reactivation, role and organisation changes, and
invitations sent again or cancelled.

Every change is one unit of work that locks what it changes (clausematch/database.py) and
re-checks its rule under the lock, records an audit event (who, when, what: never personal data
in the details) and commits once. Changes that touch an account first lock every administrator
row, in id order, then the account: "never deactivate or demote the last active administrator"
is then checked on rows no one else can change meanwhile, so two administrators deactivating each
other at the same moment leave one of them active.

Consequences of a change:
- deactivation: the person cannot log in any more (a French message after the right password
  only), every session of theirs ends at once (session_version raised), pending password reset
  links stop working;
- role or organisation change: every session ends (the next page asks to log in again);
  what they see follows their new membership at once (permissions read it on every request);
  they stop being the referent adviser of candidates outside their new organisation, and the
  in-app notifications of their former position are deleted (they name people they may no
  longer see);
- invitation resent: a new token, the previous link stops working, a new e-mail through the
  outbox; cancelled: the link stops working.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased, joinedload

from clausematch import audit
from clausematch.accounts.authors import done_by
from clausematch.accounts.login import find_user_by_email
from clausematch.accounts.models import (
    Invitation,
    Membership,
    Organisation,
    PasswordResetToken,
    Role,
    User,
)
from clausematch.accounts.permissions import can_manage_users
from clausematch.accounts.services import send_invitation_email
from clausematch.accounts.tokens import new_token
from clausematch.admin.account_checks import LAST_ADMIN, AccountInput, checked_account
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.contracts.queries import contains
from clausematch.database import lock, locked, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date, plural
from clausematch.notifications import Notification
from clausematch.pagination import Page, paginate
from clausematch.text import normalise
from clausematch.versioning import EditConflict, claim

# The state filter of the list: its values in the URL, and their labels.
STATES = {
    "actif": "Comptes actifs",
    "desactive": "Comptes désactivés",
    "invitation": "Invitations en attente",
    "expiree": "Invitations expirées",
}
# An invitation is not sent again sooner than this: the same link would reach the same mailbox.
RESEND_DELAY = timedelta(minutes=10)
HISTORY_PAGE_SIZE = 20
DEACTIVATED, REACTIVATED, UPDATED = "user.deactivated", "user.reactivated", "user.updated"
RESENT, CANCELLED = "invitation.resent", "invitation.cancelled"
# What the history of an account shows (logins, logouts and expiries are not changes).
HISTORY_LABELS = {
    "invitation_sent": "Invitation envoyée",
    RESENT: "Invitation renvoyée avec un nouveau lien (l'ancien ne fonctionne plus)",
    CANCELLED: "Invitation annulée (le lien ne fonctionne plus)",
    "invitation_accepted": "Invitation acceptée : compte créé",
    DEACTIVATED: "Compte désactivé ; ses sessions ont été fermées",
    REACTIVATED: "Compte réactivé",
    UPDATED: "Compte modifié",
    "password_changed": "Mot de passe changé par la personne",
    "password_reset": "Mot de passe choisi par un lien de réinitialisation",
}


def _require_admin(actor: User) -> None:
    if not can_manage_users(actor):
        raise NotAllowed("Seuls les administrateurs gèrent les comptes.")


# --- The list --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeopleFilters:
    q: str = ""
    role: Role | None = None
    organisation: str = ""
    state: str = ""

    @property
    def args(self) -> dict[str, str]:
        """The filters as query-string arguments (links of the pagination)."""
        values = {"q": self.q, "role": self.role.value if self.role else "", "organisation": self.organisation,
                  "etat": self.state}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class PersonRow:
    """One line of the list: an account (kind "user") or a pending invitation ("invitation")."""

    kind: str
    id: int
    full_name: str
    email: str
    role: Role
    organisation_name: str | None
    is_active: bool | None
    date: datetime | None  # last login of an account; sending of an invitation
    expires_at: datetime | None

    def state_label(self, now: datetime) -> str:
        if self.kind == "user":
            return "Actif" if self.is_active else "Désactivé"
        if self.expires_at <= now:
            return f"Invitation expirée le {format_date(self.expires_at)}"
        return f"Invitation en attente jusqu'au {format_date(self.expires_at)}"


def people_page(actor: User, filters: PeopleFilters, page: int) -> Page:
    """One page of accounts and pending invitations, by name (accents and case aside): one COUNT
    and one page query."""
    _require_admin(actor)
    now = utcnow()
    users = (sa.select(sa.literal("user").label("kind"), User.id, User.full_name, User.search_name, User.email,
                       User.role,
                       Organisation.name.label("organisation_name"), User.is_active.label("is_active"),
                       User.last_login_at.label("date"), sa.cast(sa.null(), sa.DateTime).label("expires_at"))
             .outerjoin(Membership, Membership.user_id == User.id)
             .outerjoin(Organisation, Organisation.id == Membership.organisation_id))
    invitations = (sa.select(sa.literal("invitation").label("kind"), Invitation.id, Invitation.full_name,
                             Invitation.search_name, Invitation.email, Invitation.role,
                             Organisation.name.label("organisation_name"),
                             sa.cast(sa.null(), sa.Boolean).label("is_active"),
                             sa.func.coalesce(Invitation.resent_at, Invitation.created_at).label("date"),
                             Invitation.expires_at)
                   .join(Organisation, Organisation.id == Invitation.organisation_id)
                   .where(Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None)))
    if filters.q:
        users = users.where(_matches(User, filters.q))
        invitations = invitations.where(_matches(Invitation, filters.q))
    if filters.role is not None:
        users = users.where(User.role == filters.role)
        invitations = invitations.where(Invitation.role == filters.role)
    if filters.organisation:
        users = users.where(contains(Organisation.name, filters.organisation))
        invitations = invitations.where(contains(Organisation.name, filters.organisation))
    branches = {
        "actif": [users.where(User.is_active.is_(True))],
        "desactive": [users.where(User.is_active.is_(False))],
        "invitation": [invitations.where(Invitation.expires_at > now)],
        "expiree": [invitations.where(Invitation.expires_at <= now)],
    }.get(filters.state, [users, invitations])
    rows = sa.union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    stmt = sa.select(rows).order_by(rows.c.search_name, rows.c.kind, rows.c.id)
    result = paginate(stmt, page)
    items = [PersonRow(kind=row.kind, id=row.id, full_name=row.full_name, email=row.email, role=Role(row.role),
                       organisation_name=row.organisation_name,
                       is_active=None if row.is_active is None else bool(row.is_active),
                       date=row.date, expires_at=row.expires_at) for row in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


def _matches(model, q: str) -> sa.ColumnElement[bool]:
    """The typed text in the name, accents and case aside ("helene" or "HÉLÈNE" finds "Hélène":
    the stored normalised name), or in the e-mail address."""
    name = normalise(q)
    email = contains(model.email, q.strip())
    return sa.or_(contains(model.search_name, name), email) if name else email


# --- An account's page and history --------------------------------------------------------------

@dataclass(frozen=True)
class HistoryLine:
    occurred_at: datetime
    actor_name: str | None
    action: str
    text: str


def user_history(actor: User, user: User, page: int) -> Page:
    """The changes of an account, newest first (its invitation's included): four queries at most."""
    _require_admin(actor)
    accepted = sa.select(Invitation.id).where(Invitation.accepted_user_id == user.id)
    return _history(sa.or_(
        sa.and_(AuditEvent.entity_type == "user", AuditEvent.entity_id == user.id),
        sa.and_(AuditEvent.entity_type == "invitation", AuditEvent.entity_id.in_(accepted))), page)


def invitation_history(actor: User, invitation: Invitation, page: int) -> Page:
    _require_admin(actor)
    return _history(sa.and_(AuditEvent.entity_type == "invitation", AuditEvent.entity_id == invitation.id), page)


def _history(condition, page: int) -> Page:
    author = aliased(User)
    stmt = (sa.select(AuditEvent, author.full_name)
            .outerjoin(author, author.id == AuditEvent.actor_id)
            .where(condition, AuditEvent.action.in_(list(HISTORY_LABELS)))
            .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()))
    result = paginate(stmt, page, per_page=HISTORY_PAGE_SIZE)
    organisation_ids = {ident for event, _ in result.items
                        for ident in (event.details or {}).get("organisation", []) if ident}
    names = {ident: name for ident, name in db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(organisation_ids)))
    } if organisation_ids else {}
    items = [HistoryLine(event.occurred_at, actor_name, event.action, _describe(event, names))
             for event, actor_name in result.items]
    return Page(items=items, page=result.page, per_page=result.per_page, total=result.total)


def _describe(event: AuditEvent, organisation_names: dict[int, str]) -> str:
    text = HISTORY_LABELS[event.action]
    details = event.details or {}
    if event.action != UPDATED:
        return text
    parts = []
    if "full_name" in details:
        parts.append("nom modifié")
    if "role" in details:
        old, new = (Role(value).label for value in details["role"])
        parts.append(f"rôle : {old} → {new}")
    if "organisation" in details:
        old, new = (organisation_names.get(ident, "aucune") if ident else "aucune"
                    for ident in details["organisation"])
        parts.append(f"organisation : {old} → {new}")
    if details.get("sessions_ended"):
        parts.append("sessions fermées")
    if details.get("referents_cleared"):
        parts.append(f"n'est plus conseiller référent de {plural(details['referents_cleared'], 'candidat')}")
    if details.get("notifications_deleted"):
        parts.append(f"{plural(details['notifications_deleted'], 'notification')} supprimée"
                     f"{'s' if details['notifications_deleted'] > 1 else ''}")
    return text + (" — " + " ; ".join(parts) if parts else "")


def _last_event(action: str, entity_type: str, entity_id: int) -> AuditEvent | None:
    return db.session.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1))


def _already(action: str, entity_type: str, entity_id: int, actor: User, what: str) -> str:
    """« Ce compte a déjà été désactivé par vous le 04/12/2026 21:20. »"""
    event = _last_event(action, entity_type, entity_id)
    return f"{what} {done_by(event.actor_id, actor, event.occurred_at)}." if event else f"{what}."


# --- Locking ---------------------------------------------------------------------------------

def _lock_account(actor: User, user_id: int) -> tuple[User, list[User]]:
    """Every administrator row (in id order), then the account; the actor re-checked under the lock.
    Returns the account and the administrators still active, read after the lock."""
    admins = list(locked(db.session, sa.select(User).where(User.role == Role.ADMIN).order_by(User.id)))
    user = lock(db.session, User, user_id)
    if user is None:
        db.session.rollback()
        raise DomainError("Ce compte n'existe pas.")
    acting = next((admin for admin in admins if admin.id == actor.id), None)
    if acting is None or not acting.is_active or acting.role != Role.ADMIN:
        db.session.rollback()
        raise NotAllowed("Seuls les administrateurs gèrent les comptes.")
    return user, [admin for admin in admins if admin.is_active and admin.role == Role.ADMIN]


def _end_sessions(user: User) -> None:
    """Every session of the account ends at the person's next request (accounts/login.py)."""
    user.session_version += 1
    user.last_seen_at = None


# --- Deactivation and reactivation ------------------------------------------------------------

def deactivate_user(actor: User, user_id: int) -> User:
    """The person can no longer log in; their sessions and pending reset links end now."""
    _require_admin(actor)
    user, active_admins = _lock_account(actor, user_id)
    try:
        if user.id == actor.id:
            raise DomainError("Vous ne pouvez pas désactiver votre propre compte : demandez-le à un autre "
                              "administrateur.")
        if not user.is_active:
            raise DomainError(_already(DEACTIVATED, "user", user.id, actor, "Ce compte a déjà été désactivé"))
        if user.role == Role.ADMIN and [admin.id for admin in active_admins] == [user.id]:
            raise DomainError(LAST_ADMIN)
    except DomainError:
        db.session.rollback()
        raise
    now = utcnow()
    user.is_active = False
    _end_sessions(user)
    db.session.execute(sa.update(PasswordResetToken)
                       .where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
                       .values(used_at=now))
    audit.record(DEACTIVATED, "user", user.id, actor_id=actor.id, sessions_ended=True)
    db.session.commit()
    return user


def reactivate_user(actor: User, user_id: int) -> User:
    """The person can log in again (with their password, or through « Mot de passe oublié »)."""
    _require_admin(actor)
    user, _ = _lock_account(actor, user_id)
    if user.is_active:
        event = _last_event(REACTIVATED, "user", user.id)
        db.session.rollback()
        raise DomainError("Ce compte est déjà actif" + (
            f" : il a été réactivé {done_by(event.actor_id, actor, event.occurred_at)}." if event else "."))
    user.is_active = True
    user.failed_logins, user.last_failed_login_at = 0, None
    audit.record(REACTIVATED, "user", user.id, actor_id=actor.id)
    db.session.commit()
    return user


# --- Role, organisation and name ----------------------------------------------------------------

@dataclass(frozen=True)
class AccountChange:
    """What a save changed, for the confirmation message."""

    user: User
    changed: list[str]
    sessions_ended: bool
    referents_cleared: int
    notifications_deleted: int


def organisation_choices(current_id: int | None = None) -> list[Organisation]:
    """Every active organisation (and the account's current one, even deactivated), by name,
    with its territory: one query (the edit form groups them by kind)."""
    return list(db.session.scalars(
        sa.select(Organisation).where(sa.or_(Organisation.is_active.is_(True), Organisation.id == current_id))
        .options(joinedload(Organisation.territory)).order_by(Organisation.name, Organisation.id)))


def update_user(actor: User, user_id: int, data: AccountInput, version: int | None = None) -> AccountChange:
    """Change the name, role or organisation of an account. A role or organisation change ends
    every session of the person and what belonged to their former position (see the module)."""
    _require_admin(actor)
    user, active_admins = _lock_account(actor, user_id)
    try:
        full_name, role, organisation = checked_account(actor, user, data, active_admins)
    except DomainError:
        db.session.rollback()
        raise
    old_organisation_id = user.organisation.id if user.organisation else None
    new_organisation_id = organisation.id if organisation else None
    details: dict = {}
    if full_name != user.full_name:
        details["full_name"] = True
    if role != user.role:
        details["role"] = [user.role.value, role.value]
    if new_organisation_id != old_organisation_id:
        details["organisation"] = [old_organisation_id, new_organisation_id]
    user.full_name, user.role = full_name, role
    if "organisation" in details:
        for membership in list(user.memberships):
            user.memberships.remove(membership)
            db.session.delete(membership)
        if organisation is not None:
            user.memberships.append(Membership(organisation_id=organisation.id))
    _claim(user, version, new_organisation_id)
    referents = notifications = 0
    ended = "role" in details or "organisation" in details
    if ended:
        _end_sessions(user)
        referents, notifications = _leave_former_position(user, role, new_organisation_id)
        details.update(sessions_ended=True, referents_cleared=referents, notifications_deleted=notifications)
    if details:
        audit.record(UPDATED, "user", user.id, actor_id=actor.id, **details)
    db.session.commit()
    changed = [key for key in ("full_name", "role", "organisation") if key in details]
    return AccountChange(user, changed, ended, referents, notifications)


def _claim(user: User, version: int | None, new_organisation_id: int | None) -> None:
    """The user row's version; on a conflict, the organisation (kept in memberships, not on the
    row) is listed among the differences too when its current value differs from the input."""
    try:
        claim(user, version)
    except EditConflict as conflict:
        current = db.session.get(User, user.id)
        current_organisation_id = current.organisation.id if current and current.organisation else None
        if current_organisation_id != new_organisation_id:
            conflict.differences.append(("organisation_id", current_organisation_id))
        db.session.rollback()
        raise


def _leave_former_position(user: User, role: Role, organisation_id: int | None) -> tuple[int, int]:
    """The person is no longer the referent adviser of candidates outside their (new) prescriber
    organisation, and their in-app notifications (about people of their former position) go.
    Candidates' versions are raised, so an edit form loaded before shows the change."""
    stmt = sa.update(Candidate).where(Candidate.referent_id == user.id)
    if role == Role.PRESCRIBER and organisation_id is not None:
        stmt = stmt.where(Candidate.prescriber_id != organisation_id)
    referents = db.session.execute(stmt.values(referent_id=None, version=Candidate.version + 1)
                                   .execution_options(synchronize_session=False)).rowcount
    notifications = db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id)
                                       .execution_options(synchronize_session=False)).rowcount
    return referents, notifications


# --- Invitations -----------------------------------------------------------------------------

def _lock_invitation(actor: User, invitation_id: int) -> Invitation:
    _require_admin(actor)
    invitation = lock(db.session, Invitation, invitation_id)
    if invitation is None:
        db.session.rollback()
        raise DomainError("Cette invitation n'existe pas.")
    return invitation


def _refuse(message: str) -> None:
    db.session.rollback()
    raise DomainError(message)


def resend_invitation(actor: User, invitation_id: int) -> Invitation:
    """A new link by e-mail (through the outbox), valid for INVITATION_VALIDITY again; the
    previous link stops working."""
    invitation = _lock_invitation(actor, invitation_id)
    now = utcnow()
    if invitation.accepted_at is not None:
        _refuse(f"Cette invitation a déjà été acceptée le {format_date(invitation.accepted_at)} : "
                "le compte existe, il n'y a rien à renvoyer.")
    if invitation.cancelled_at is not None:
        by = done_by(invitation.cancelled_by_id, actor, invitation.cancelled_at)
        _refuse(f"Cette invitation a été annulée {by} : invitez de nouveau la personne si besoin.")
    if find_user_by_email(invitation.email) is not None:
        _refuse("Un compte existe déjà avec cette adresse e-mail : l'invitation ne peut plus être acceptée. "
                "Annulez-la.")
    if invitation.sent_at > now - RESEND_DELAY:
        _refuse(f"Cette invitation a été envoyée le {format_date(invitation.sent_at)}, il y a moins de "
                f"{int(RESEND_DELAY.total_seconds() // 60)} minutes : laissez à l'e-mail le temps d'arriver "
                "avant de la renvoyer.")
    token, token_hash = new_token()
    invitation.token_hash = token_hash
    invitation.resent_at = now
    invitation.expires_at = now + current_app.config["INVITATION_VALIDITY"]
    audit.record(RESENT, "invitation", invitation.id, actor_id=actor.id)
    send_invitation_email(invitation, token)
    db.session.commit()
    return invitation


def cancel_invitation(actor: User, invitation_id: int) -> Invitation:
    """The link stops working; the invitation stays in the history as « Annulée »."""
    invitation = _lock_invitation(actor, invitation_id)
    if invitation.accepted_at is not None:
        _refuse(f"Cette invitation a déjà été acceptée le {format_date(invitation.accepted_at)} : le compte "
                "existe. Désactivez le compte si la personne ne doit plus se connecter.")
    if invitation.cancelled_at is not None:
        _refuse(f"Cette invitation a déjà été annulée "
                f"{done_by(invitation.cancelled_by_id, actor, invitation.cancelled_at)}.")
    invitation.cancelled_at, invitation.cancelled_by_id = utcnow(), actor.id
    audit.record(CANCELLED, "invitation", invitation.id, actor_id=actor.id)
    db.session.commit()
    return invitation
