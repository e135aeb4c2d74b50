"""GET /api/v1/offres and /api/v1/offres/<id>: the public job board (published offers only, no
token), with the board's filters (offers/search.py)."""
from flask_smorest import abort
from marshmallow import Schema, fields, validate

from clausematch.api.common import Blueprint, PageArgs, UtcDateTime, envelope, page_schema
from clausematch.errors import DomainError
from clausematch.offers.search import MAX_RADIUS, MAX_TEXT, MIN_RADIUS, BoardFilters, public_offer, resolve_place
from clausematch.offers.search import search_offers as run_search
from clausematch.vocabulary import ContractType, Sector

blp = Blueprint("offres", __name__, url_prefix="/api/v1/offres",
                description="Offres publiées (tableau public des offres, sans jeton).")


class BoardArgs(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT),
                      metadata={"description": "Métier ou mot-clé."})
    commune = fields.String(load_default="", validate=validate.Length(max=MAX_TEXT),
                            metadata={"description": "Nom, code postal ou code INSEE de la commune."})
    rayon = fields.Integer(load_default=None, validate=validate.Range(min=MIN_RADIUS, max=MAX_RADIUS),
                           metadata={"description": "Distance maximale autour de la commune, en km."})
    type = fields.String(load_default=None, validate=validate.OneOf([c.value for c in ContractType]))
    secteur = fields.String(load_default=None, validate=validate.OneOf([s.value for s in Sector]))


class BoardOfferSchema(Schema):
    id = fields.Integer(required=True)
    titre = fields.String(required=True, attribute="title")
    metier = fields.String(allow_none=True, attribute="appellation_label")
    entreprise = fields.String(required=True, attribute="company_name")
    commune = fields.String(required=True, attribute="commune_label")
    type_contrat = fields.String(required=True, attribute="contract_type.value")
    heures_hebdomadaires = fields.Float(required=True, attribute="weekly_hours")
    date_debut = fields.Date(allow_none=True, attribute="start_date")
    fin_publication = fields.Date(allow_none=True, attribute="publication_end")
    publiee_le = UtcDateTime(allow_none=True, attribute="published_at")
    distance_km = fields.Float(allow_none=True)


class OfferSchema(Schema):
    id = fields.Integer(required=True)
    titre = fields.String(required=True)
    metier = fields.String(allow_none=True)
    code_rome = fields.String(allow_none=True)
    libelle_rome = fields.String(allow_none=True)
    secteur = fields.String(required=True)
    description = fields.String(required=True)
    competences = fields.String(required=True)
    entreprise = fields.String(required=True)
    commune = fields.String(required=True)
    code_insee = fields.String(required=True)
    type_contrat = fields.String(required=True)
    heures_hebdomadaires = fields.Float(required=True)
    postes = fields.Integer(required=True)
    date_debut = fields.Date(allow_none=True)
    fin_publication = fields.Date(allow_none=True)
    publics = fields.List(fields.String(), required=True)
    permis_requis = fields.Boolean(required=True)


BoardPage = page_schema(BoardOfferSchema, "PageOffres")


@blp.route("")
@blp.arguments(BoardArgs, location="query")
@blp.response(200, BoardPage)
def search_offers(args):
    """Offres publiées, filtrées comme le tableau public ; pagination `page`/`par_page`."""
    place = None
    if args["commune"].strip():
        try:
            place = resolve_place(args["commune"])
        except DomainError as refused:
            abort(422, messages={"query": {"commune": [refused.message]}})
    filters = BoardFilters(q=args["q"].strip(), commune_text=args["commune"].strip(), place=place,
                           contract_type=ContractType(args["type"]) if args["type"] else None,
                           sector=Sector(args["secteur"]) if args["secteur"] else None, page=args["page"])
    if args["rayon"] is not None:
        filters = BoardFilters(**{**filters.__dict__, "radius_km": args["rayon"]})
    return envelope(run_search(filters, per_page=args["par_page"]))


@blp.route("/<int:offer_id>")
@blp.response(200, OfferSchema)
def get_offer(offer_id: int):
    """Une offre publiée (404 si elle n'existe pas ou n'est plus publiée)."""
    public = public_offer(offer_id)
    if public is None:
        abort(404)
    offer = public.offer
    return {"id": offer.id, "titre": offer.title, "metier": offer.appellation.label if offer.appellation else None,
            "code_rome": offer.rome_code, "libelle_rome": public.rome_label, "secteur": offer.sector.value,
            "description": offer.description or "", "competences": offer.skills or "",
            "entreprise": offer.company.name, "commune": offer.commune.name if offer.commune else "",
            "code_insee": offer.commune_insee, "type_contrat": offer.contract_type.value,
            "heures_hebdomadaires": offer.weekly_hours, "postes": offer.positions, "date_debut": offer.start_date,
            "fin_publication": offer.publication_end, "publics": public.publics,
            "permis_requis": offer.driving_licence_required}
