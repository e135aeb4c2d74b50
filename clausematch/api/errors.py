"""One shape for every error of the API, in French:

    {"erreur": {"code": "introuvable", "message": "…", "champs": {"nom": ["…"]}}}

`champs` only when fields were refused (400/422). The input checks of the schemas (marshmallow)
speak English: their messages are put in French here, any unknown one as « Valeur incorrecte. »"""
from flask import request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from clausematch.errors import DomainError, NotAllowed, refusals

CODES = {
    400: ("requete_incorrecte", "La requête n'a pas pu être comprise."),
    401: ("non_authentifie", "Jeton d'API absent, inconnu ou révoqué : envoyez « Authorization: Bearer <jeton> »."),
    403: ("interdit", "Ce jeton ne permet pas cette opération."),
    404: ("introuvable", "Cette ressource n'existe pas ou ne vous est pas accessible."),
    405: ("methode_non_autorisee", "Cette méthode n'est pas possible sur cette adresse."),
    409: ("conflit", "La ressource a changé depuis votre lecture, ou la requête entre en conflit avec une autre."),
    413: ("trop_volumineux", "Le corps de la requête est trop volumineux."),
    415: ("type_non_supporte", "Envoyez un corps JSON (Content-Type: application/json)."),
    422: ("donnees_refusees", "Des données envoyées sont refusées."),
    429: ("trop_de_requetes", "Trop de requêtes pour ce jeton : patientez avant de réessayer."),
    500: ("erreur_serveur", "Une erreur inattendue s'est produite."),
    503: ("indisponible", "Service momentanément indisponible : réessayez dans quelques instants."),
}
FRENCH = {
    "Missing data for required field.": "Champ obligatoire.",
    "Field may not be null.": "Valeur obligatoire.",
    "Not a valid integer.": "Nombre entier attendu.",
    "Not a valid number.": "Nombre attendu.",
    "Not a valid string.": "Texte attendu.",
    "Not a valid boolean.": "Vrai ou faux attendu.",
    "Not a valid date.": "Date attendue au format AAAA-MM-JJ.",
    "Not a valid list.": "Liste attendue.",
    "Not a valid mapping type.": "Objet JSON attendu.",
    "Unknown field.": "Champ inconnu.",
    "Invalid input type.": "Objet JSON attendu.",
    "Invalid value.": "Valeur incorrecte.",
    "Invalid JSON body.": "Corps JSON illisible.",
}


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    champs = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ErrorSchema(Schema):
    erreur = fields.Nested(ErrorDetail, required=True)


def french(message: str) -> str:
    if message in FRENCH:
        return FRENCH[message]
    if message.startswith("Must be one of"):
        return "Valeur non reconnue."
    if message.startswith(("Must be", "Length must", "Shorter than", "Longer than")):
        return "Valeur hors des limites permises."
    return message if _looks_french(message) else "Valeur incorrecte."


def _looks_french(message: str) -> bool:
    """Our own messages (services, validators of the schemas) are French; marshmallow's English."""
    return any(ch in message for ch in "éèàçêù«") or message.startswith(("Champ", "Valeur", "Saisissez", "Choisissez"))


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages {"json": {"nom": ["…"]}} → {"nom": ["…"]} in French."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "" if key in ("json", "query", "headers", "form", "_schema") and not prefix else str(key)
            name = f"{prefix}.{name}" if prefix and name else (prefix or name)
            for field, texts in _flatten(value, name).items():
                flat.setdefault(field, []).extend(texts)
    elif isinstance(messages, list | tuple):
        for item in messages:
            if isinstance(item, str):
                flat.setdefault(prefix or "_", []).append(french(item))
            else:
                for field, texts in _flatten(item, prefix).items():
                    flat.setdefault(field, []).extend(texts)
    elif isinstance(messages, str):
        flat.setdefault(prefix or "_", []).append(french(messages))
    return flat


def body(status: int, message: str | None = None, champs: dict | None = None, code: str | None = None) -> dict:
    default_code, default_message = CODES.get(status, ("erreur", "Erreur."))
    detail = {"code": code or default_code, "message": message or default_message}
    if champs:
        detail["champs"] = champs
    return {"erreur": detail}


def http_error(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    champs = _flatten(data.get("messages") or data.get("errors") or {}) or None
    message = data.get("message")
    headers = dict(data.get("headers") or {})
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if status == 422 and champs is None and status == 422:
        message = message or CODES[422][1]
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return body(status, message if isinstance(message, str) else None, champs), status, headers


def domain_error(error: DomainError):
    champs: dict[str, list[str]] = {}
    for refusal in refusals(error):
        champs.setdefault(refusal.field or "_", []).append(refusal.message)
    return body(422, error.message, champs), 422


def not_allowed(error: NotAllowed):
    return body(403, error.message), 403


def is_api_request() -> bool:
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")
