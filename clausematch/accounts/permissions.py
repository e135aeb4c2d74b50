"""Who may do what, for accounts: named predicates on the acting user.

Rule of the house: a missing record is a 404, a record that is not yours is a 403. The web layer
turns these predicates into HTTP (clausematch/web/helpers.py); services check them again, so a
route that forgets its decorator still refuses.
"""
from clausematch.accounts.models import Role, User


def has_role(user: User, *roles: Role) -> bool:
    return bool(user and user.is_authenticated and user.role in roles)


def is_staff_of(user: User, organisation_id: int | None) -> bool:
    """The user is a member of that organisation."""
    return organisation_id is not None and organisation_id in user.organisation_ids


def can_invite(user: User, organisation) -> bool:
    """Facilitators invite into any organisation of their territory; admins anywhere."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.FACILITATOR) and user.organisation is not None \
        and organisation.territory_id == user.organisation.territory_id


def can_manage_users(user: User) -> bool:
    """Listing every account, deactivating, changing a role or an organisation, resending or
    cancelling an invitation: administrators only."""
    return has_role(user, Role.ADMIN)
