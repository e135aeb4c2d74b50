"""The French error pages, and a service's NotAllowed turned into a 403."""
from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from clausematch.errors import NotAllowed
from clausematch.extensions import db

ERROR_TITLES = {
    400: "Requête incorrecte",
    403: "Accès refusé",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    413: "Fichier trop volumineux",
    429: "Trop de tentatives",
    500: "Erreur du serveur",
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
}


def render_error(code: int):
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return {"error": ERROR_TITLES.get(code, "Erreur"), "message": ERROR_TEXTS.get(code, "")}, code
    return render_template("errors/error.html", code=code, title=ERROR_TITLES.get(code, "Erreur"),
                           text=ERROR_TEXTS.get(code, "")), code


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code)

    @app.errorhandler(NotAllowed)
    def not_allowed(error: NotAllowed):
        return render_error(403)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
