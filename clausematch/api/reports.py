"""/api/v1/rapports/{heures,entonnoir,publics,sorties,clauses}: the report pages' figures as JSON,
for facilitator and buyer tokens, through reporting/services.py: the same scope (a buyer's forced
to its own contracts), the same filters, the same masking ("< 5" for counts of fewer than 5
people, for every reader but the facilitators). Every line (no paging: the exports' content)."""
from datetime import date
from decimal import Decimal

from marshmallow import Schema, fields, validate

from clausematch.api.auth import current_user, token_required
from clausematch.api.common import Blueprint, secured
from clausematch.extensions import db
from clausematch.reporting import services
from clausematch.reporting.filters import FIRST_YEAR, LAST_YEAR
from clausematch.reporting.masking import is_small
from clausematch.reporting.reports import BY_SLUG, HOURS_GROUPS
from clausematch.vocabulary import Mode

blp = Blueprint("rapports", __name__, url_prefix="/api/v1/rapports",
                description="Rapports (jeton d'une équipe de facilitation ou d'un acheteur public).")
SLUGS = ("heures", "entonnoir", "publics", "sorties", "clauses")
ID = validate.Range(min=1, max=2_147_483_647)


class ReportArgs(Schema):
    acheteur = fields.Integer(validate=ID)
    marche = fields.Integer(validate=ID)
    lot = fields.Integer(validate=ID)
    entreprise = fields.Integer(validate=ID)
    programme = fields.Integer(validate=ID)
    offre = fields.Integer(validate=ID)
    annee = fields.Integer(validate=validate.Range(min=FIRST_YEAR, max=LAST_YEAR))
    du = fields.Date()
    au = fields.Date()
    mode = fields.String(validate=validate.OneOf([m.value for m in Mode]))
    par = fields.String(validate=validate.OneOf(list(HOURS_GROUPS)),
                        metadata={"description": "Regroupement du rapport des heures."})


class ColumnSchema(Schema):
    cle = fields.String(required=True)
    libelle = fields.String(required=True)
    type = fields.String(required=True)


class TableSchema(Schema):
    titre = fields.String(required=True)
    colonnes = fields.List(fields.Nested(ColumnSchema), required=True)
    lignes = fields.List(fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True)), required=True)
    total = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), allow_none=True)


class ReportSchema(Schema):
    rapport = fields.String(required=True)
    titre = fields.String(required=True)
    perimetre = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    tableaux = fields.List(fields.Nested(TableSchema), required=True)


def _value(value):
    """A cell as JSON: numbers as numbers, dates ISO, a masked count as the string "< 5"."""
    if is_small(value):
        return str(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, int | float | str | bool):
        return value
    return str(value)


def _row(columns, row) -> dict:
    return {column.key: _value(cell) for column, cell in zip(columns, row, strict=False)}


def _report(slug: str, args: dict) -> dict:
    user = current_user()
    report = BY_SLUG[slug]
    raw = {name: value.isoformat() if isinstance(value, date) else str(value) for name, value in args.items()}
    scope = services.user_scope(user, raw, report)
    options = services.user_options(user, raw, paged=False)
    from clausematch.accounts.models import Territory

    result = report.run(scope, db.session.get(Territory, scope.territory_id), options)
    return {"rapport": slug, "titre": report.title, "perimetre": scope.query_args(),
            "tableaux": [{"titre": table.title,
                          "colonnes": [{"cle": c.key, "libelle": c.label, "type": c.kind} for c in table.columns],
                          "lignes": [_row(table.columns, row) for row in table.rows],
                          "total": _row(table.columns, table.total) if table.total else None}
                         for table in result.tables]}


def _register(slug: str) -> None:
    report = BY_SLUG[slug]

    @token_required("reports:read")
    def view(args):
        return _report(slug, args)

    view.__name__ = f"report_{slug}"
    view.__doc__ = f"{report.title} : {report.summary}"
    decorated = blp.response(200, ReportSchema)(view)
    decorated = blp.arguments(ReportArgs, location="query")(decorated)
    decorated = secured(blp)(decorated)
    blp.route(f"/{slug}", methods=["GET"], endpoint=f"report_{slug}")(decorated)


for _slug in SLUGS:
    _register(_slug)
