"""The French error pages, a service's NotAllowed turned into a 403, and the database out of
reach (restarting, failing over, connection cut) turned into a 503 asking to retry shortly."""
import logging

import sqlalchemy as sa
from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from clausematch.errors import NotAllowed
from clausematch.extensions import db, login_manager

ERROR_TITLES = {
    400: "Requête incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Fichier trop volumineux",
    429: "Trop de tentatives",
    500: "Erreur du serveur",
    503: "Service momentanément indisponible",
}
ERROR_TEXTS = {
    400: "La requête n'a pas pu être comprise. Vérifiez les informations saisies.",
    403: "Vous n'avez pas les droits nécessaires pour accéder à cette page.",
    404: "La page demandée n'existe pas ou n'est plus disponible.",
    405: "Cette action n'est pas possible sur cette page.",
    413: "Le fichier envoyé dépasse la taille autorisée.",
    429: ("Trop de demandes ont été envoyées depuis votre connexion en peu de temps. Patientez quelques "
          "minutes, puis réessayez."),
    500: "Une erreur inattendue s'est produite. L'équipe technique a été prévenue ; réessayez plus tard.",
    503: ("La base de données ne répond pas pour le moment (redémarrage ou maintenance). Si vous envoyiez "
          "un formulaire, rien n'en a été enregistré à moitié : vérifiez dans quelques instants s'il a été "
          "pris en compte, sinon envoyez-le de nouveau."),
}
# Seconds after which a client may retry a request refused because the database was unreachable.
RETRY_AFTER_SECONDS = 30

log = logging.getLogger(__name__)


def render_error(code: int):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return {"error": ERROR_TITLES.get(code, "Erreur"), "message": ERROR_TEXTS.get(code, "")}, code
    return render_template("errors/error.html", code=code, title=ERROR_TITLES.get(code, "Erreur"),
                           text=ERROR_TEXTS.get(code, "")), code


def database_unreachable(error: sa.exc.DBAPIError) -> bool:
    """The driver lost (or could not open) its connection: OperationalError covers psycopg's
    OperationalError and its AdminShutdown ("terminating connection due to administrator
    command"), "server closed the connection unexpectedly" and a refused connection; any other
    driver error whose connection SQLAlchemy had to invalidate counts too."""
    return isinstance(error, sa.exc.OperationalError) or error.connection_invalidated


def unavailable(error: sa.exc.DBAPIError):
    """The French 503 page (or JSON) with Retry-After. The unit of work is rolled back: the
    request's changes are all lost, none half-written; the pool reconnects on a later request
    (pool_pre_ping). The log names the driver error and the endpoint, never the SQL parameters
    (str(error) would print them, with personal data)."""
    db.session.rollback()
    log.warning("Base de données injoignable (%s) pendant %s %s : réponse 503",
                type(error.orig).__name__ if error.orig is not None else type(error).__name__,
                request.method, request.endpoint)
    # The page is drawn as for a visitor: the signed-in user's menu would query the database.
    g._login_user = login_manager.anonymous_user()
    response, code = render_error(503)
    return response, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return render_error(403)

    @app.errorhandler(sa.exc.DBAPIError)
    def database_error(error: sa.exc.DBAPIError):
        if database_unreachable(error):
            return unavailable(error)
        raise error  # a genuine bug: the 500 page below, logged with its traceback

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
