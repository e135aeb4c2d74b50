"""What the operations share: the paging arguments and envelope, the French validators."""
from datetime import UTC

from flask import request
from flask_smorest import Blueprint as SmorestBlueprint
from flask_smorest import abort
from marshmallow import Schema, fields, validate
from werkzeug.exceptions import HTTPException

from clausematch.api import errors
from clausematch.api.auth import SECURITY
from clausematch.errors import DomainError, NotAllowed
from clausematch.pagination import Page

MAX_PER_PAGE = 100


class Blueprint(SmorestBlueprint):
    """An API blueprint: its errors (refusals of the services, 403s, aborts, input checks) answer
    in the API's one JSON shape (errors.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.register_error_handler(HTTPException, errors.http_error)
        self.register_error_handler(DomainError, errors.domain_error)
        self.register_error_handler(NotAllowed, errors.not_allowed)
        self.before_request(refuse_nul_in_body)


def refuse_nul_in_body() -> None:
    """A NUL character (PostgreSQL text columns refuse it) in a JSON body is a 400, as in a
    query string or a form (web.helpers.refuse_nul_bytes)."""
    data = request.get_data(cache=True)
    if b"\\u0000" in data or b"\x00" in data:
        abort(400, message="Le caractère NUL (\\u0000) n'est pas accepté.")


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000,
                          error="Valeur hors des limites permises (1 à 100000)."),
                          metadata={"description": "Numéro de page, à partir de 1."})
    par_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=MAX_PER_PAGE,
                              error=f"Valeur hors des limites permises (1 à {MAX_PER_PAGE})."),
                              metadata={"description": f"Éléments par page (au plus {MAX_PER_PAGE})."})


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    """{"elements": [...], "page": 1, "par_page": 25, "total": 42, "pages": 2}."""
    return Schema.from_dict({
        "elements": fields.List(fields.Nested(item_schema), required=True),
        "page": fields.Integer(required=True),
        "par_page": fields.Integer(required=True),
        "total": fields.Integer(required=True),
        "pages": fields.Integer(required=True),
    }, name=name)


def envelope(page: Page, items=None) -> dict:
    return {"elements": page.items if items is None else items, "page": page.page, "par_page": page.per_page,
            "total": page.total, "pages": page.pages}


def secured(blp: SmorestBlueprint):
    """`@secured(blp)` documents that the operation takes the bearer token."""
    return blp.doc(security=SECURITY)


class UtcDateTime(fields.DateTime):
    """A timestamp as RFC 3339 wants it: the naive UTC the database holds, written with +00:00."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)
