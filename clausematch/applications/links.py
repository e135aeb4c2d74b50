"""The addresses of application pages, shared by the routes and by the messages that link to
them (services run without a request, so they cannot call url_for)."""
from flask import current_app

APPLICATION_RULE = "/orientations/<int:application_id>"
COMPANY_APPLICATION_RULE = "/entreprise/candidatures/<int:application_id>"


def application_path(application_id: int) -> str:
    """The facilitator's and prescriber's page of an application."""
    return APPLICATION_RULE.replace("<int:application_id>", str(application_id))


def company_application_path(application_id: int) -> str:
    """The company's restricted page of an application."""
    return COMPANY_APPLICATION_RULE.replace("<int:application_id>", str(application_id))


def absolute(path: str) -> str:
    """A link for an e-mail: the public address of the site, then the path."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path
