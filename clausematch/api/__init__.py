"""The JSON API under /api/v1: tokens per organisation with scopes, the OpenAPI 3 document at
/api/v1/openapi.json (flask-smorest, generated from the schemas and routes; no UI served), French
error bodies (errors.py), pagination, per-token rate limits and idempotency keys (auth.py).

Each operation calls the domain services and the pages' permission predicates with the token's
service account (tokens.py); the API is token-authenticated, so CSRF does not apply to it and no
session cookie is set by its responses. The administrators' token page (/admin/api) and the
`flask api token …` commands live here too.
"""
from importlib import import_module

from flask import Flask
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

from clausematch.api import errors

API_BLUEPRINTS = (
    "clausematch.api.offers:blp",
    "clausematch.api.candidates:blp",
    "clausematch.api.applications:blp",
    "clausematch.api.hours:blp",
    "clausematch.api.reports:blp",
)
OPENAPI_PATH = "/api/v1/openapi.json"


class ClauseMatchApi(Api):
    ERROR_SCHEMA = errors.ErrorSchema

    def _register_error_handlers(self):
        """Not flask-smorest's app-wide JSON handler: the pages keep their French HTML error
        pages; the API's errors are handled by init_app below."""


def init_app(app: Flask) -> None:
    from clausematch.api import admin_pages, cli
    from clausematch.extensions import csrf

    app.config.setdefault("API_TITLE", "ClauseMatch API")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.config.setdefault("API_RATE_LIMIT", "300 per minute")
    app.config.setdefault("API_RATELIMIT_ENABLED", app.config["RATELIMIT_ENABLED"])
    app.config.setdefault("API_SPEC_OPTIONS", {
        "info": {"description": "API JSON de ClauseMatch. Authentification : en-tête "
                                "« Authorization: Bearer <jeton> » (jetons créés par les administrateurs)."},
        "components": {"securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}}},
    })
    api = ClauseMatchApi(app)
    app.extensions["clausematch-api"] = api
    for target in API_BLUEPRINTS:
        module, attribute = target.split(":")
        blp = getattr(import_module(module), attribute)
        csrf.exempt(blp)
        api.register_blueprint(blp)
    _route_errors_in_json(app)
    app.register_blueprint(admin_pages.bp)
    app.cli.add_command(cli.api_cli)


def _route_errors_in_json(app: Flask) -> None:
    """Errors raised before any API view (unknown address, wrong method, body too large) under
    /api/v1 answer in the API's JSON shape; everything else keeps the pages' handler."""
    pages_handler = app.error_handler_spec[None][None].get(HTTPException)

    def http_error(error: HTTPException):
        if errors.is_api_request() and error.code and error.code >= 400:
            return errors.http_error(error)
        return pages_handler(error) if pages_handler else error

    app.register_error_handler(HTTPException, http_error)
