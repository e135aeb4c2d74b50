"""ClauseMatch: the application factory."""
import logging
from pathlib import Path

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object("clausematch.config.Config")
    if test_config is not None:
        app.config.from_object("clausematch.config.TestConfig")
        app.config.update(test_config)
    check_configuration(app)
    Path(app.instance_path).mkdir(exist_ok=True)
    register_logging(app)
    register_extensions(app)
    register_events(app)
    register_web(app)
    register_api(app)
    register_security(app)
    register_cli(app)
    register_scheduler(app)
    return app


def check_configuration(app: Flask) -> None:
    """Production fails closed: no start without a real SECRET_KEY (a French RuntimeError)."""
    from clausematch.config import check_production

    check_production(app.config)


def register_logging(app: Flask) -> None:
    if not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from clausematch import models  # noqa: F401  (every table known to metadata)
    from clausematch.api import models as api_models  # noqa: F401  (the API's tables, above models' layer)
    from clausematch.extensions import csrf, db, login_manager, migrate
    from clausematch.offers.search_index import include_object

    db.init_app(app)
    # include_object: the board's full-text index lives outside the models (offers/search_index.py).
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True,
                     include_object=include_object)
    csrf.init_app(app)
    login_manager.init_app(app)


def register_events(app: Flask) -> None:
    """What reacts to another feature's changes, so that the features making them call no one:
    the matching index follows candidates and offers (session events, applied after commit);
    applications and pathways follow a merge of two candidate records (the candidate_merged
    signal); applications close an offer's open ones when it is filled (the offer_filled
    signal); the name search index follows candidates' names (mapper events); the log transport
    writes e-mails after the commit that queued them. Connecting again is a no-op, so building
    many apps is safe."""
    from clausematch import notifications
    from clausematch.applications import filling as applications_filling
    from clausematch.applications import merging as applications_merging
    from clausematch.candidates import name_words
    from clausematch.matching import events as matching_events
    from clausematch.pathways import merging as pathways_merging

    matching_events.init_app(app)
    notifications.init_app(app)
    applications_merging.connect()
    applications_filling.connect()
    pathways_merging.connect()
    name_words.connect()


def register_web(app: Flask) -> None:
    """Pages on top: sessions, template helpers, error pages and every blueprint."""
    from clausematch import web

    web.init_app(app)


def register_api(app: Flask) -> None:
    """The JSON API (/api/v1), its OpenAPI document, its token page and commands."""
    from clausematch import api

    api.init_app(app)


def register_security(app: Flask) -> None:
    """After the blueprints: security headers on every response, throttling of the login forms."""
    from clausematch.web import security

    security.init_app(app)


def register_cli(app: Flask) -> None:
    from clausematch import cli

    cli.init_app(app)


def register_scheduler(app: Flask) -> None:
    from clausematch import scheduler

    scheduler.init_app(app)
