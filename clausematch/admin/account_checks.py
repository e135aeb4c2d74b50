"""The rules of an account's edit form (name, role, organisation), all run and their refusals
gathered (one FieldErrors): update_user applies them under its locks; check_account runs them
alone, without locking nor writing, so the form lists every refusal at the first submit."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.accounts.models import ROLE_FOR_KIND, Organisation, Role, User
from clausematch.accounts.permissions import can_manage_users
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db

LAST_ADMIN = ("Ce compte est celui du dernier administrateur actif : désignez d'abord un autre "
              "administrateur, sinon plus personne ne pourrait gérer les comptes.")
NAME_MAX_LENGTH = 200


@dataclass(frozen=True)
class AccountInput:
    full_name: str
    role: Role | None
    organisation_id: int | None


def check_account(actor: User, user_id: int, data: AccountInput) -> None:
    """Every rule of the edit form of `user_id`, all refusals at once; reads only."""
    if not can_manage_users(actor):
        raise NotAllowed("Seuls les administrateurs gèrent les comptes.")
    user = db.session.get(User, user_id)
    if user is None:
        raise DomainError("Ce compte n'existe pas.")
    active_admins = list(db.session.scalars(sa.select(User).where(
        User.role == Role.ADMIN, User.is_active.is_(True)).order_by(User.id)))
    checked_account(actor, user, data, active_admins)


def checked_account(actor: User, user: User, data: AccountInput, active_admins: list[User]):
    """(full name, role, organisation) as saved, or one FieldErrors listing every refusal."""
    collect = Collector()
    full_name = " ".join((data.full_name or "").split())
    if not full_name:
        collect.add("Indiquez le prénom et le nom de la personne.", field="full_name")
    elif len(full_name) > NAME_MAX_LENGTH:
        collect.add(f"Le nom ne doit pas dépasser {NAME_MAX_LENGTH} caractères.", field="full_name")
    role = data.role
    if role is None:
        collect.add("Choisissez un rôle.", field="role")
    organisation = collect(_organisation, user, data.organisation_id)
    if role is not None and not collect.refused("organisation_id"):
        collect(_role_fits, role, organisation)
    if role is not None and user.id == actor.id and role != user.role:
        collect.add("Vous ne pouvez pas changer votre propre rôle : demandez-le à un autre administrateur.",
                    field="role")
    elif (role is not None and user.role == Role.ADMIN and role != Role.ADMIN and user.is_active
            and [admin.id for admin in active_admins] == [user.id]):
        collect.add(LAST_ADMIN, field="role")
    collect.raise_if_any()
    return full_name, role, organisation


def _organisation(user: User, organisation_id: int | None) -> Organisation | None:
    organisation = db.session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        raise DomainError("Choisissez une organisation dans la liste.", field="organisation_id")
    current_organisation_id = user.organisation.id if user.organisation else None
    if organisation is not None and not organisation.is_active and organisation.id != current_organisation_id:
        raise DomainError("Cette organisation est désactivée : choisissez-en une autre.", field="organisation_id")
    return organisation


def _role_fits(role: Role, organisation: Organisation | None) -> None:
    """Every role but administrator belongs to an organisation of the matching kind."""
    if role == Role.ADMIN:
        return
    if organisation is None:
        raise DomainError(f"Un compte « {role.label} » appartient à une organisation : choisissez-la.",
                          field="organisation_id")
    if ROLE_FOR_KIND[organisation.kind] != role:
        raise DomainError(f"« {organisation.name} » est une organisation de type « {organisation.kind.label} » : "
                          f"ses membres ont le rôle « {ROLE_FOR_KIND[organisation.kind].label} ». Choisissez une "
                          f"organisation qui correspond au rôle « {role.label} », ou changez le rôle.",
                          field="organisation_id")
