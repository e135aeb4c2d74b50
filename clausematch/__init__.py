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
    Path(app.instance_path).mkdir(exist_ok=True)
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_errors(app)
    register_cli(app)
    register_scheduler(app)
    return app


def register_logging(app: Flask) -> None:
    if not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from clausematch import models  # noqa: F401  (every table known to metadata)
    from clausematch.accounts import sessions
    from clausematch.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from clausematch.accounts.routes import bp as accounts_bp
    from clausematch.main import bp as main_bp
    from clausematch.referential.routes import bp as referential_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(referential_bp)
    from clausematch.contracts import organisation_routes, routes as contracts_routes
    app.register_blueprint(contracts_routes.bp)
    app.register_blueprint(organisation_routes.bp)
    from clausematch.settings.routes import bp as settings_bp
    app.register_blueprint(settings_bp)
    from clausematch.offers.board import bp as board_bp
    app.register_blueprint(board_bp)
    from clausematch.offers.routes import bp as offers_bp
    app.register_blueprint(offers_bp)
    from clausematch.candidates.routes import bp as candidates_bp
    app.register_blueprint(candidates_bp)
    from clausematch.applications import company_routes, routes as application_routes
    app.register_blueprint(application_routes.bp)
    app.register_blueprint(company_routes.bp)
    from clausematch.inbox.routes import bp as inbox_bp
    app.register_blueprint(inbox_bp)
    from clausematch.pathways.hours_routes import bp as hours_bp
    app.register_blueprint(hours_bp)
    from clausematch.pathways.routes import bp as pathways_bp
    app.register_blueprint(pathways_bp)
    from clausematch.admin.routes import bp as admin_bp
    app.register_blueprint(admin_bp)
    from clausematch.reporting.routes import bp as reporting_bp
    app.register_blueprint(reporting_bp)
    from clausematch.matching.routes import bp as matching_bp
    app.register_blueprint(matching_bp)


def register_template_helpers(app: Flask) -> None:
    from clausematch import templating

    templating.init_app(app)


def register_errors(app: Flask) -> None:
    from clausematch import errors

    errors.init_app(app)


def register_cli(app: Flask) -> None:
    from clausematch import cli

    cli.init_app(app)


def register_scheduler(app: Flask) -> None:
    from clausematch import scheduler

    scheduler.init_app(app)
