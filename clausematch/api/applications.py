"""/api/v1/orientations: applications (a candidate proposed to an offer) through
applications/services.py and the pages' predicates: prescribers their organisation's,
facilitators their territory's; propose (POST), read one with its events, list."""
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from clausematch.accounts.models import Role
from clausematch.accounts.permissions import has_role
from clausematch.api.auth import current_user, idempotent, token_required
from clausematch.api.common import Blueprint, PageArgs, UtcDateTime, envelope, page_schema, secured
from clausematch.applications import permissions, queries, services
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.errors import DomainError, NotAllowed, refusals
from clausematch.extensions import db

blp = Blueprint("orientations", __name__, url_prefix="/api/v1/orientations",
                description="Orientations (candidatures) : proposer un candidat sur une offre, suivre ses étapes.")
STATUSES = [status.value for status in ApplicationStatus]
ID = validate.Range(min=1, max=2_147_483_647)
API_FIELD = {"candidate": "candidat", "candidate_id": "candidat", "offer": "offre", "offer_id": "offre"}


class ProposalSchema(Schema):
    candidat = fields.Integer(required=True, validate=ID)
    offre = fields.Integer(required=True, validate=ID)
    message = fields.String(load_default="", validate=validate.Length(max=5000))


class EventSchema(Schema):
    de = fields.String(allow_none=True, validate=validate.OneOf(STATUSES))
    vers = fields.String(required=True, validate=validate.OneOf(STATUSES))
    le = UtcDateTime(required=True)
    commentaire = fields.String(required=True)
    par = fields.String(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.Integer(required=True)
    candidat = fields.Integer(required=True)
    offre = fields.Integer(required=True)
    etat = fields.String(required=True, validate=validate.OneOf(STATUSES))
    message = fields.String(required=True)
    creee_le = UtcDateTime(required=True)
    evenements = fields.List(fields.Nested(EventSchema), required=True)


class ApplicationLineSchema(Schema):
    id = fields.Integer(required=True)
    candidat = fields.Integer(required=True)
    prenom = fields.String(required=True)
    nom = fields.String(required=True)
    offre = fields.Integer(required=True)
    titre_offre = fields.String(required=True)
    entreprise = fields.String(required=True)
    etat = fields.String(required=True, validate=validate.OneOf(STATUSES))
    derniere_nouvelle = UtcDateTime(required=True)


class ApplicationListArgs(PageArgs):
    etat = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    offre = fields.Integer(load_default=None, validate=ID)


ApplicationPage = page_schema(ApplicationLineSchema, "PageOrientations")


def _out(application: Application) -> dict:
    events = [{"de": line.event.from_status.value if line.event.from_status else None,
               "vers": line.event.to_status.value, "le": line.event.occurred_at,
               "commentaire": line.event.comment or "", "par": line.actor_name}
              for line in queries.history(application.id)]
    return {"id": application.id, "candidat": application.candidate_id, "offre": application.offer_id,
            "etat": application.status.value, "message": application.message or "",
            "creee_le": application.created_at, "evenements": events}


def _scope():
    user = current_user()
    if has_role(user, Role.FACILITATOR):
        return queries.territory_scope(user)
    if has_role(user, Role.PRESCRIBER):
        return queries.prescriber_scope(user)
    abort(403)


@blp.route("", methods=["GET"])
@secured(blp)
@token_required("applications:read")
@blp.arguments(ApplicationListArgs, location="query")
@blp.response(200, ApplicationPage)
def list_applications(args):
    """Les orientations de l'organisation (prescripteur) ou du territoire (facilitateur), les plus récentes d'abord."""
    filters = queries.ApplicationFilters(status=ApplicationStatus(args["etat"]) if args["etat"] else None,
                                         offer_id=args["offre"])
    page = queries.applications_page(_scope(), filters, args["page"], per_page=args["par_page"])
    items = [{"id": row.id, "candidat": row.candidate_id, "prenom": row.first_name, "nom": row.last_name,
              "offre": row.offer_id, "titre_offre": row.offer_title, "entreprise": row.company_name,
              "etat": row.status.value, "derniere_nouvelle": row.last_event_at} for row in page.items]
    return envelope(page, items)


@blp.route("", methods=["POST"])
@secured(blp)
@token_required("applications:write")
@idempotent
@blp.arguments(ProposalSchema)
@blp.response(201, ApplicationSchema)
def propose(data):
    """Propose un candidat sur une offre publiée (mêmes règles que la page « Proposer »)."""
    try:
        application = services.propose(data["candidat"], data["offre"], data["message"], current_user())
    except NotAllowed:
        abort(403)
    except DomainError as refused:
        champs: dict[str, list[str]] = {}
        for refusal in refusals(refused):
            champs.setdefault(API_FIELD.get(refusal.field, refusal.field or "_"), []).append(refusal.message)
        duplicate = any(r.message == services.ALREADY_PROPOSED for r in refusals(refused))
        abort(409 if duplicate else 422, message=refused.message,
              messages=champs)
    return _out(application)


@blp.route("/<int:application_id>", methods=["GET"])
@secured(blp)
@token_required("applications:read")
@blp.response(200, ApplicationSchema)
def get_application(application_id: int):
    """Une orientation et son historique (ses étapes)."""
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if not permissions.can_view_application(current_user(), application):
        abort(403)
    return _out(application)
