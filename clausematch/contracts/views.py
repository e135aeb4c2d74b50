"""Small helpers shared by the contracts, organisations and settings views."""
from flask import abort, request
from flask_login import current_user

from clausematch.accounts.models import User
from clausematch.errors import DomainError


def me() -> User:
    """The logged-in User itself (services and the ORM want the object, not the proxy)."""
    return current_user._get_current_object()


def show_error(form, error: DomainError) -> None:
    """Put a service's refusal on the field it names, else at the top of the form."""
    field = form._fields.get(error.field) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def page_arg() -> int:
    return request.args.get("page", 1, type=int)


def require(allowed: bool) -> None:
    """403 unless `allowed` (for pages that are not about one record)."""
    if not allowed:
        abort(403)
