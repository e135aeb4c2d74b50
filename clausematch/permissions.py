"""Who may do what: named predicates, and the view decorators that enforce them.

Rule of the house: a missing record is a 404, a record that is not yours is a 403. Services
check the same predicates again, so a route that forgets its decorator still refuses.
"""
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user, login_required

from clausematch.accounts.models import Role, User
from clausematch.extensions import db


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


def roles_required(*roles: Role) -> Callable:
    """Login required, then 403 unless the user holds one of `roles`."""
    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any):
            if not has_role(current_user, *roles):
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def get_or_404(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def get_allowed_or_404(model, ident, predicate: Callable[[User, Any], bool]):
    """The one place that turns ownership rules into HTTP: 404 if missing, 403 if not allowed."""
    obj = get_or_404(model, ident)
    if not predicate(current_user, obj):
        abort(403)
    return obj
