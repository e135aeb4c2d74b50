"""The web layer: one blueprint per audience or feature, and what every page shares.

The only place that reads `request`. Each feature's pages live in `web/<feature>/` (routes and
forms); `helpers.py` holds the current user, permission checks, pagination and form errors,
`fields.py` the French form fields, `templating.py` what every template can use.
"""
from importlib import import_module

from flask import Flask

# Every blueprint, as "module:attribute"; imported when the app is built, not before.
BLUEPRINTS = (
    "clausematch.web.main.routes:bp",
    "clausematch.web.accounts.routes:bp",
    "clausematch.web.referential.routes:bp",
    "clausematch.web.contracts.routes:bp",
    "clausematch.web.contracts.organisations:bp",
    "clausematch.web.contracts.pools:bp",
    "clausematch.web.settings.routes:bp",
    "clausematch.web.settings.register:bp",
    "clausematch.web.offers.board:bp",
    "clausematch.web.offers.routes:bp",
    "clausematch.web.candidates.routes:bp",
    "clausematch.web.candidates.review:bp",
    "clausematch.web.candidates.erasure:bp",
    "clausematch.web.applications.routes:bp",
    "clausematch.web.applications.company:bp",
    "clausematch.web.inbox.routes:bp",
    "clausematch.web.pathways.hours:bp",
    "clausematch.web.pathways.hours_review:bp",
    "clausematch.web.pathways.invoices:bp",
    "clausematch.web.pathways.routes:bp",
    "clausematch.web.admin.routes:bp",
    "clausematch.web.admin.users:bp",
    "clausematch.web.reporting.routes:bp",
    "clausematch.web.programmes.routes:bp",
    "clausematch.web.matching.routes:bp",
    "clausematch.web.directory.routes:bp",
    "clausematch.web.prehire.routes:bp",
    "clausematch.web.prehire.steps:bp",
    "clausematch.web.privacy.routes:bp",
    "clausematch.web.imports.routes:bp",
)


def init_app(app: Flask) -> None:
    from clausematch.web import errors, sessions, templating
    from clausematch.web.helpers import BoundedIntConverter, refuse_nul_bytes

    # Before any blueprint: every <int:…> of every route is bounded to the id columns' range.
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_nul_bytes)
    sessions.init_app(app)
    templating.init_app(app)
    errors.init_app(app)
    for target in BLUEPRINTS:
        module, attribute = target.split(":")
        app.register_blueprint(getattr(import_module(module), attribute))
