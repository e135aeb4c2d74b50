"""/api/v1/heures: a company's monthly hours — read them (its contracts, one month), declare them
(pathways/hours.py apply_declarations: every line or none, the same checks as the grid and the
CSV import; validated hours are never changed by the API)."""
from decimal import Decimal

import sqlalchemy as sa
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from clausematch.api.auth import current_user, idempotent, token_required
from clausematch.api.common import Blueprint, PageArgs, envelope, page_schema, secured
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.pagination import paginate
from clausematch.pathways import hours as hours_service
from clausematch.pathways import hours_permissions as permissions
from clausematch.pathways.hours_rules import HoursValueError, parse_month
from clausematch.pathways.models import EmploymentContract, HoursEntry, HoursKind, HoursStatus

blp = Blueprint("heures", __name__, url_prefix="/api/v1/heures",
                description="Heures d'insertion mensuelles d'une entreprise (jeton d'une entreprise).")
KINDS = [kind.value for kind in HoursKind]
MONTH = validate.Regexp(r"^\d{4}-\d{2}$", error="Valeur incorrecte : mois attendu au format AAAA-MM.")
ID = validate.Range(min=1, max=2_147_483_647)
CENTS = Decimal("0.01")


class HoursArgs(PageArgs):
    mois = fields.String(required=True, validate=MONTH, metadata={"description": "Mois, AAAA-MM."})
    lot = fields.Integer(load_default=None, validate=ID)


class HoursLineSchema(Schema):
    id = fields.Integer(required=True)
    contrat = fields.Integer(required=True)
    candidat = fields.Integer(required=True)
    prenom = fields.String(required=True)
    nom = fields.String(required=True)
    lot = fields.Integer(required=True)
    mois = fields.String(required=True)
    type = fields.String(required=True, validate=validate.OneOf(KINDS))
    heures = fields.Float(required=True)
    etat = fields.String(required=True, validate=validate.OneOf([s.value for s in HoursStatus]))


class DeclarationLine(Schema):
    contrat = fields.Integer(required=True, validate=ID)
    type = fields.String(load_default="work", validate=validate.OneOf(KINDS))
    heures = fields.Float(required=True, validate=validate.Range(
        min=0, max=744, error="Valeur hors des limites permises (0 à 744)."))


class DeclarationSchema(Schema):
    mois = fields.String(required=True, validate=MONTH)
    lignes = fields.List(fields.Nested(DeclarationLine), required=True,
                         validate=validate.Length(min=1, max=500, error="Entre 1 et 500 lignes."))


class DeclarationResult(Schema):
    creees = fields.Integer(required=True)
    modifiees = fields.Integer(required=True)
    inchangees = fields.Integer(required=True)
    a_valider_de_nouveau = fields.Integer(required=True)


HoursPage = page_schema(HoursLineSchema, "PageHeures")


def _month(text: str):
    try:
        return parse_month(text)
    except HoursValueError as error:
        abort(422, messages={"mois": [error.message]})


def _company():
    user = current_user()
    if not permissions.can_declare_hours(user):
        abort(403)
    return user


@blp.route("", methods=["GET"])
@secured(blp)
@token_required("hours:read")
@blp.arguments(HoursArgs, location="query")
@blp.response(200, HoursPage)
def list_hours(args):
    """Les heures déclarées d'un mois sur les contrats de l'entreprise (un lot au choix)."""
    user = _company()
    month = _month(args["mois"])
    stmt = (sa.select(HoursEntry, Candidate.first_name, Candidate.last_name)
            .join(EmploymentContract, EmploymentContract.id == HoursEntry.contract_id)
            .join(Candidate, Candidate.id == EmploymentContract.candidate_id)
            .where(permissions.declarable_contracts(user), HoursEntry.month == month)
            .order_by(Candidate.last_name, Candidate.first_name, HoursEntry.contract_id, HoursEntry.kind))
    if args["lot"] is not None:
        stmt = stmt.where(EmploymentContract.lot_id == args["lot"])
    page = paginate(stmt, args["page"], args["par_page"])
    items = [{"id": entry.id, "contrat": entry.contract_id, "candidat": entry.candidate_id, "prenom": first,
              "nom": last, "lot": entry.lot_id, "mois": entry.month.strftime("%Y-%m"), "type": entry.kind.value,
              "heures": float(entry.hours), "etat": entry.status.value} for entry, first, last in page.items]
    return envelope(page, items)


@blp.route("", methods=["POST"])
@secured(blp)
@token_required("hours:write")
@idempotent
@blp.arguments(DeclarationSchema)
@blp.response(200, DeclarationResult)
def declare(data):
    """Déclare les heures d'un mois : toutes les lignes ou aucune (422 : chaque ligne refusée et pourquoi)."""
    user = _company()
    month = _month(data["mois"])
    ids = sorted({line["contrat"] for line in data["lignes"]})
    contracts = {c.id: c for c in db.session.scalars(sa.select(EmploymentContract).where(
        EmploymentContract.id.in_(ids), permissions.declarable_contracts(user)))}
    errors: dict[str, str] = {}
    declarations = []
    for number, line in enumerate(data["lignes"]):
        key = f"lignes.{number}"
        contract = contracts.get(line["contrat"])
        if contract is None:
            errors[key] = "Ce contrat n'existe pas ou n'est pas un contrat de votre entreprise."
            continue
        declarations.append(hours_service.Declaration(key, contract, month, HoursKind(line["type"]),
                                                      Decimal(str(line["heures"])).quantize(CENTS)))
    try:
        result = hours_service.apply_declarations(user, declarations, errors)
    except hours_service.HoursRejected as rejected:
        abort(422, message=rejected.message, messages={key: [text] for key, text in rejected.errors.items()})
    return {"creees": result.created, "modifiees": result.changed, "inchangees": result.unchanged,
            "a_valider_de_nouveau": result.reopened}
