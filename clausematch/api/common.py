"""What the operations share: the paging arguments and envelope, the French validators."""
from flask_smorest import Blueprint as SmorestBlueprint
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
