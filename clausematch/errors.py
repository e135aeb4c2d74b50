"""Errors raised by services: a business rule that refused (DomainError), several at once
(FieldErrors, gathered by a Collector so that a form shows every refusal at the first submit),
an actor who may not act (NotAllowed). All carry French messages; the web layer shows refusals
on their form fields and turns NotAllowed into a 403 page."""
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class DomainError(Exception):
    """A business rule refused the action. `message` is French and shown to the user;
    `field` names the form field it concerns, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class FieldErrors(DomainError):
    """Several refusals at once, each a DomainError (its message and field). Nested FieldErrors
    are flattened. `message` joins every message and `field` is the first field named, so code
    that reads a single refusal still sees them."""

    def __init__(self, errors: list[DomainError]):
        flat: list[DomainError] = []
        for error in errors:
            flat.extend(error.errors if isinstance(error, FieldErrors) else [error])
        if not flat:
            raise ValueError("FieldErrors needs at least one refusal")
        self.errors = flat
        super().__init__(" ".join(error.message for error in flat),
                         field=next((error.field for error in flat if error.field), None))


def refusals(error: DomainError) -> list[DomainError]:
    """The single refusals an error carries: itself, or each of a FieldErrors."""
    return list(error.errors) if isinstance(error, FieldErrors) else [error]


class Collector:
    """Runs check callables and gathers their refusals instead of stopping at the first:

        collect = Collector()
        name = collect(_name, data.name)        # the value, or None when refused
        phone = collect(_phone, data.phone)
        collect.raise_if_any()                  # one FieldErrors holding every refusal

    Only DomainError is gathered: NotAllowed and any other exception go through at once."""

    def __init__(self) -> None:
        self.errors: list[DomainError] = []

    def __call__(self, check: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return check(*args, **kwargs)
        except DomainError as error:
            self.errors.extend(refusals(error))
            return None

    def add(self, message: str, field: str | None = None) -> None:
        self.errors.append(DomainError(message, field=field))

    def refused(self, field: str) -> bool:
        """True when a refusal names `field` already (a later check that depends on it is skipped)."""
        return any(error.field == field for error in self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise FieldErrors(self.errors)


def parsed(parse: Callable[[Any], T], value: Any, field: str) -> T:
    """`parse(value)` (a formats.py parser), its ValueError turned into a refusal on `field`."""
    try:
        return parse(value)
    except ValueError as error:
        raise DomainError(str(error), field=field) from None


class NotAllowed(Exception):
    """The acting user may not do this (maps to 403). Not a DomainError: a view that shows a
    refusal on its form never catches it, so it always reaches the 403 page."""

    def __init__(self, message: str = "Action non autorisée."):
        super().__init__(message)
        self.message = message
