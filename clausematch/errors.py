"""Errors raised by services: a business rule that refused (DomainError), an actor who may not
act (NotAllowed). Both carry a French message; the web layer shows the first on the form and
turns the second into a 403 page."""


class DomainError(Exception):
    """A business rule refused the action. `message` is French and shown to the user;
    `field` names the form field it concerns, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(Exception):
    """The acting user may not do this (maps to 403). Not a DomainError: a view that shows a
    refusal on its form never catches it, so it always reaches the 403 page."""

    def __init__(self, message: str = "Action non autorisée."):
        super().__init__(message)
        self.message = message
