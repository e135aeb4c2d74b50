"""Autocomplete endpoints for ROME appellations and communes.

Public (the job board is public and the data is open data), read-only, JSON:
{"results": [{"value": code, "label": text}, ...]}.
"""
from collections.abc import Callable

from flask import Blueprint, jsonify, request

from clausematch.errors import DomainError
from clausematch.referential import services
from clausematch.web.helpers import bounded_int

bp = Blueprint("referential", __name__, url_prefix="/referentiel")

CACHE_SECONDS = 300  # open data that changes with `flask ref load` only


@bp.get("/appellations")
def appellations():
    return _suggestions(services.appellation_suggestions)


@bp.get("/communes")
def communes():
    return _suggestions(services.commune_suggestions)


def _suggestions(service: Callable[[str | None, int | None], list[dict[str, str]]]):
    try:
        results = service(request.args.get("q"), request.args.get("limit", type=bounded_int))
    except DomainError as error:
        return jsonify(error="Requête incorrecte", message=error.message, field=error.field), 400
    response = jsonify(results=results)
    response.cache_control.public = True
    response.cache_control.max_age = CACHE_SECONDS
    return response
