"""/api/v1/candidats: a prescriber organisation's candidates (list, create with the person's
consent, read, update with the version read), through candidates/services.py and the pages'
predicates (can_list_candidates, can_view_candidate, can_edit_candidate). Another
organisation's person is a 403, as on the pages; a missing one a 404."""
from functools import wraps

from flask_smorest import abort
from marshmallow import Schema, fields, validate

from clausematch.api.auth import current_user, idempotent, token_required
from clausematch.api.common import Blueprint, PageArgs, envelope, page_schema, secured
from clausematch.candidates import permissions, services
from clausematch.candidates.checks import CandidateInput, ConsentInput
from clausematch.candidates.eligibility import EligibilityState
from clausematch.candidates.models import Candidate
from clausematch.candidates.queries import CandidateFilters, candidates_page
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed, refusals
from clausematch.extensions import db
from clausematch.versioning import EditConflict
from clausematch.vocabulary import EducationLevel, Gender

blp = Blueprint("candidats", __name__, url_prefix="/api/v1/candidats",
                description="Candidats d'une organisation prescriptrice (jeton d'un prescripteur).")

# API field -> (CandidateInput attribute, Candidate column)
FIELDS = {
    "prenom": "first_name", "nom": "last_name", "date_naissance": "birth_date", "genre": "gender",
    "niveau_etudes": "education_level", "email": "email", "telephone": "phone", "commune_insee": "commune_insee",
    "metiers_recherches": "desired_jobs_text", "competences": "skills", "experience": "experience",
    "mobilite_km": "mobility_km", "permis": "driving_licence", "certificats": "certificates",
    "disponible": "available", "disponible_le": "available_from",
}
API_FIELD = {column: name for name, column in FIELDS.items()} | {
    "commune_text": "commune_insee", "consent_given": "consentement", "consent_given_on": "consentement.date",
    "consent_purposes": "consentement.finalites", "confirm_duplicate": "confirmer_doublon",
    "desired_jobs": "metiers_recherches"}
TEXT = validate.Length(max=5000)


class ConsentSchema(Schema):
    donne = fields.Boolean(required=True, metadata={"description": "La personne a consenti."})
    date = fields.Date(required=True)
    finalites = fields.String(required=True, validate=validate.Length(max=2000))


class CandidateFieldsSchema(Schema):
    prenom = fields.String(validate=validate.Length(max=200))
    nom = fields.String(validate=validate.Length(max=200))
    date_naissance = fields.Date()
    genre = fields.String(validate=validate.OneOf([g.value for g in Gender]))
    niveau_etudes = fields.String(validate=validate.OneOf([e.value for e in EducationLevel]))
    email = fields.String(validate=validate.Length(max=300))
    telephone = fields.String(validate=validate.Length(max=50))
    commune_insee = fields.String(allow_none=True, validate=validate.Length(max=5))
    metiers_recherches = fields.String(validate=validate.Length(max=500))
    competences = fields.String(validate=TEXT)
    experience = fields.String(validate=TEXT)
    mobilite_km = fields.Integer(allow_none=True, validate=validate.Range(min=0, max=10_000))
    permis = fields.Boolean()
    certificats = fields.String(validate=validate.Length(max=300))
    disponible = fields.Boolean()
    disponible_le = fields.Date(allow_none=True)


class CandidateCreateSchema(CandidateFieldsSchema):
    prenom = fields.String(required=True, validate=validate.Length(max=200))
    nom = fields.String(required=True, validate=validate.Length(max=200))
    date_naissance = fields.Date(required=True)
    genre = fields.String(required=True, validate=validate.OneOf([g.value for g in Gender]))
    niveau_etudes = fields.String(required=True, validate=validate.OneOf([e.value for e in EducationLevel]))
    consentement = fields.Nested(ConsentSchema, required=True)
    confirmer_doublon = fields.Boolean(load_default=False,
                                       metadata={"description": "Créer malgré une fiche semblable de la structure."})


class CandidateUpdateSchema(CandidateFieldsSchema):
    version = fields.Integer(required=True, validate=validate.Range(min=1, max=2_147_483_647),
                             metadata={"description": "La version lue (GET) : 409 si la fiche a changé depuis."})


class CandidateSchema(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)
    prenom = fields.String(required=True)
    nom = fields.String(required=True)
    date_naissance = fields.Date(required=True)
    genre = fields.String(required=True)
    niveau_etudes = fields.String(required=True)
    email = fields.String(allow_none=True)
    telephone = fields.String(allow_none=True)
    commune_insee = fields.String(allow_none=True)
    metiers_recherches = fields.String(required=True)
    competences = fields.String(required=True)
    experience = fields.String(required=True)
    mobilite_km = fields.Integer(allow_none=True)
    permis = fields.Boolean(required=True)
    certificats = fields.String(required=True)
    disponible = fields.Boolean(required=True)
    disponible_le = fields.Date(allow_none=True)


class CandidateLineSchema(Schema):
    id = fields.Integer(required=True)
    prenom = fields.String(required=True)
    nom = fields.String(required=True)
    commune = fields.String(allow_none=True)
    eligibilite = fields.String(required=True, validate=validate.OneOf([s.value for s in EligibilityState]))


class CandidateListArgs(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=100), metadata={"description": "Nom cherché."})


CandidatePage = page_schema(CandidateLineSchema, "PageCandidats")


def _out(candidate: Candidate) -> dict:
    data = {name: getattr(candidate, column) for name, column in FIELDS.items()}
    data["genre"], data["niveau_etudes"] = candidate.gender.value, candidate.education_level.value
    return {"id": candidate.id, "version": candidate.version, **data,
            "metiers_recherches": candidate.desired_jobs_text or "", "competences": candidate.skills or "",
            "experience": candidate.experience or "", "certificats": candidate.certificates or ""}


def _input(values: dict, current: Candidate | None = None) -> CandidateInput:
    """The service's input: the sent fields over the current record's (PATCH), or the defaults."""
    base = {}
    if current is not None:
        base = {column: getattr(current, column) for column in FIELDS.values()}
        base["gender"], base["education_level"] = current.gender.value, current.education_level.value
        base["email"], base["phone"] = current.email or "", current.phone or ""
        base["desired_jobs"] = [_job(job) for job in current.desired_jobs]
    for name, column in FIELDS.items():
        if name in values:
            base[column] = values[name]
    for text in ("email", "phone", "desired_jobs_text", "skills", "experience", "certificates"):
        base[text] = base.get(text) or ""
    commune = base.get("commune_insee")
    return CandidateInput(**{**base, "commune_text": commune or "", "commune_insee": commune or None,
                             "criteria": _criteria(current)})


def _job(job):
    from clausematch.candidates.checks import DesiredJobInput

    return DesiredJobInput(job.appellation.label, str(job.appellation_code))


def _criteria(current: Candidate | None) -> list:
    """The criteria declared stay as they are (the API does not declare eligibility)."""
    from clausematch.candidates.checks import CriterionInput

    if current is None:
        return []
    return [CriterionInput(row.criterion.value, row.evidence or "", row.evidence_date) for row in current.criteria
            if row.declared_by_organisation_id in (None, current.prescriber_id)]


def _refused(error: DomainError):
    champs: dict[str, list[str]] = {}
    for refusal in refusals(error):
        champs.setdefault(API_FIELD.get(refusal.field, refusal.field or "_"), []).append(refusal.message)
    status = 409 if isinstance(error, services.PossibleDuplicate) else 422
    abort(status, message=error.message, messages=champs)


def _visible(candidate_id: int) -> Candidate:
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        abort(404)
    if not permissions.can_view_candidate(current_user(), candidate):
        abort(403)
    return candidate


@blp.route("", methods=["GET"])
@secured(blp)
@token_required("candidates:read")
@blp.arguments(CandidateListArgs, location="query")
@blp.response(200, CandidatePage)
def list_candidates(args):
    """Les candidats actifs de l'organisation (« Mes candidats »), triés par nom."""
    user = current_user()
    if not permissions.can_list_candidates(user):
        abort(403)
    page = candidates_page(user.organisation_ids, CandidateFilters(q=args["q"].strip()), args["page"], today(),
                           per_page=args["par_page"])
    items = [{"id": row.candidate.id, "prenom": row.candidate.first_name, "nom": row.candidate.last_name,
              "commune": row.commune, "eligibilite": row.state.value} for row in page.items]
    return envelope(page, items)


@blp.route("", methods=["POST"])
@secured(blp)
@token_required("candidates:write")
@idempotent
@blp.arguments(CandidateCreateSchema)
@blp.response(201, CandidateSchema)
def create_candidate(data):
    """Enregistre une personne avec son consentement (refusé sans). 409 si une fiche semblable de la
    structure existe et que `confirmer_doublon` n'est pas vrai."""
    consent = data["consentement"]
    try:
        created = services.create_candidate(current_user(), _input(data), ConsentInput(
            given=consent["donne"], given_on=consent["date"], purposes=consent["finalites"]),
            confirm_duplicate=data["confirmer_doublon"])
    except NotAllowed:
        abort(403)
    except DomainError as refused:
        _refused(refused)
    return _out(created.candidate)


@blp.route("/<int:candidate_id>", methods=["GET"])
@secured(blp)
@token_required("candidates:read")
@blp.response(200, CandidateSchema)
def get_candidate(candidate_id: int):
    """Une fiche de l'organisation (403 : la personne est suivie par une autre structure)."""
    return _out(_visible(candidate_id))


def editable_first(view):
    """The record is checked (404, 403) before the body is: another organisation's person is a
    403 whatever was sent, as on the pages."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        candidate = _visible(kwargs["candidate_id"])
        if not permissions.can_edit_candidate(current_user(), candidate):
            abort(403)
        return view(*args, **kwargs)
    return wrapper


@blp.route("/<int:candidate_id>", methods=["PATCH"])
@secured(blp)
@token_required("candidates:write")
@editable_first
@blp.arguments(CandidateUpdateSchema)
@blp.response(200, CandidateSchema)
def update_candidate(data, candidate_id: int):
    """Modifie les champs envoyés ; `version` est celle lue : 409 si quelqu'un a modifié la fiche depuis."""
    candidate = _visible(candidate_id)
    if not permissions.can_edit_candidate(current_user(), candidate):
        abort(403)
    try:
        updated = services.update_candidate(current_user(), candidate.id, _input(data, candidate),
                                            version=data["version"])
    except EditConflict as conflict:
        abort(409, message=conflict.message)
    except NotAllowed:
        abort(403)
    except DomainError as refused:
        _refused(refused)
    return _out(updated)
