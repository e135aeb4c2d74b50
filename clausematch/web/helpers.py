"""What every page needs: the current user, permission checks turned into HTTP, the page
argument, a service's refusals shown on their form fields and a form checked whole at the first
submit (validate_form).

Rule of the house: a missing record is a 404, a record that is not yours is a 403. The
predicates themselves are named functions in each domain package (`can_view_candidate`…);
services check them again, so a route that forgets its decorator still refuses.
"""
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any

from flask import abort, request
from flask_login import current_user, login_required
from werkzeug.routing import IntegerConverter

from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role
from clausematch.errors import DomainError, refusals
from clausematch.extensions import db
from clausematch.formats import MAX_INTEGER, parse_email, parse_int, parse_phone
from clausematch.pathways.hours_rules import HoursValueError, parse_month


def me() -> User:
    """The logged-in User itself (services and the ORM want the object, not the proxy)."""
    return current_user._get_current_object()


def show_error(form, error: DomainError, skip_refused_fields: bool = False) -> None:
    """Put each refusal of a service (one DomainError, or every one of a FieldErrors) on the
    field it names, else at the top of the form. `skip_refused_fields`: a field that already has
    an error keeps only that one (no second "required" message)."""
    refused = {name for name, field in form._fields.items() if field.errors} if skip_refused_fields else set()
    for refusal in refusals(error):
        field = form._fields.get(refusal.field) if refusal.field else None
        if field is None:
            if refusal.message not in form.form_errors:
                form.form_errors.append(refusal.message)
        elif refusal.field not in refused and refusal.message not in field.errors:
            field.errors = [*field.errors, refusal.message]


def validate_form(form, check: Callable[[], object]) -> bool:
    """`form.validate_on_submit()` that also lists the service's refusals at the first submit.

    On a submitted form, WTForms validates it, then `check` runs: the service's *pure* checks
    (nothing written) on what could be read from the form. Its refusals (DomainError or
    FieldErrors) go on fields that have no error yet. True only when both passed: the view then
    calls the service, which checks everything again itself."""
    if not form.is_submitted():
        return False
    valid = form.validate()
    try:
        check()
    except DomainError as error:
        show_error(form, error, skip_refused_fields=True)
        return False
    return valid


def refused_status(form) -> int:
    """The status of a form's page: 422 when a submit was refused (its errors shown), else 200."""
    return 422 if request.method == "POST" and (form.errors or form.form_errors) else 200


STORED_VALUE_TO_FIX = "La valeur enregistrée doit être corrigée. {message}"


def flag_stored_contact(form) -> None:
    """An edit form just loaded: a stored phone or e-mail that today's rule refuses (typed before
    the forms checked it; migration 0016 kept it as it was) stays in its field, with the error
    saying it must be corrected — never dropped, never saved again as it is."""
    for name, parse in (("email", parse_email), ("phone", parse_phone)):
        field = form._fields.get(name)
        if field is None or not field.data:
            continue
        try:
            parse(field.data)
        except ValueError as error:
            field.errors = [*field.errors, STORED_VALUE_TO_FIX.format(message=error)]


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every route: 1 to MAX_INTEGER (the id columns' range), anything else is a 404
    before the view runs (never a database overflow). The pattern itself stops at ten digits: a
    longer number matches no route at all, whatever the method (werkzeug would otherwise answer
    405 where a path has one rule per method and the other method's pattern matched first)."""

    regex = rf"\d{{1,{len(str(MAX_INTEGER))}}}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


def bounded_int(text: str) -> int:
    """`type=` of every integer read from a query string or form (`request.args.get("lot",
    type=bounded_int)`): an integer column's range, else ValueError, so the value is ignored
    (links are edited by hand: a bad value falls back to the default, like the other filters)."""
    value = parse_int(text)
    if value is None:
        raise ValueError(text)
    return value


FILTER_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
FILTER_DATE_ERROR = "Saisissez une date au format JJ/MM/AAAA, par exemple 05/01/2026."


def date_arg(name: str, errors: dict[str, str]) -> date | None:
    """A date typed in a list filter (JJ/MM/AAAA, or AAAA-MM-JJ from a date picker), between 1900
    and 2100; a wrong one is a field error in `errors`, never ignored."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    for pattern in FILTER_DATE_FORMATS:
        try:
            value = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if 1900 <= value.year <= 2100:
            return value
    errors[name] = FILTER_DATE_ERROR
    return None


def page_arg() -> int:
    return max(request.args.get("page", 1, type=bounded_int), 1)


def require(allowed: bool) -> None:
    """403 unless `allowed` (for pages that are not about one record)."""
    if not allowed:
        abort(403)


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


def month_or_404(text: str) -> date:
    """A month from a URL ("2025-03"); anything else is a page that does not exist."""
    try:
        return parse_month(text)
    except HoursValueError:
        abort(404)


def refuse_nul_bytes() -> None:
    """No person types a NUL character, and PostgreSQL text columns refuse it: a query or form
    value holding one is a bad request (the French 400 page), before any view reads it."""
    groups = [*request.args.listvalues(), *request.form.listvalues()]
    if any("\x00" in value for group in groups for value in group):
        abort(400)
