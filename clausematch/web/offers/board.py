"""The public job board: published offers, searchable without an account (no personal data).

Filters live in the query string so that a search can be shared as a link; a wrong value never
breaks the page: it is dropped or defaulted, with a French notice on its field.
"""
from collections.abc import Mapping
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from wtforms import Form, SelectField, StringField

from clausematch.applications.permissions import may_propose_to
from clausematch.formats import parse_int
from clausematch.offers.search import (
    DEFAULT_RADIUS,
    MAX_RADIUS,
    MAX_TEXT,
    MIN_RADIUS,
    RADIUS_CHOICES,
    BoardFilters,
    BoardSearch,
    hours_text,
    labelled_rome_code,
    public_offer,
    search_offers,
    text_query,
)
from clausematch.vocabulary import ContractType, Sector
from clausematch.web.place_filter import read_place_filter

bp = Blueprint("board", __name__)


def read_filters(args: Mapping[str, str]) -> tuple[BoardFilters, dict[str, str]]:
    """Check the raw query-string values: the filters, and a French notice per wrong field."""
    notices: dict[str, str] = {}
    where = read_place_filter(args, notices, everywhere="toute la France", default_radius=DEFAULT_RADIUS,
                              min_radius=MIN_RADIUS, max_radius=MAX_RADIUS)
    contract_type = _choice(ContractType, args.get("type"))
    if contract_type is False:
        notices["type"] = "Type de contrat inconnu : ce filtre n'a pas été appliqué."
    sector = _choice(Sector, args.get("secteur"))
    if sector is False:
        notices["secteur"] = "Secteur inconnu : ce filtre n'a pas été appliqué."
    page = args.get("page") or ""
    filters = BoardFilters(q=(args.get("q") or "").strip()[:MAX_TEXT], commune_text=where.commune_text,
                           place=where.place, radius_km=where.radius_km, contract_type=contract_type or None,
                           sector=sector or None, page=parse_int(page, 1) or 1)
    return filters, notices


def _choice(enum_cls, text: str | None):
    """The enum member, None when empty, False when the value is unknown."""
    if not text:
        return None
    try:
        return enum_cls(text)
    except ValueError:
        return False


def board_search(args: Mapping[str, str]) -> BoardSearch:
    """The board's service: read the query string, run the search (two SQL statements). Words
    read otherwise (typos) are said on the page; a text of little words only is said ignored."""
    filters, notices = read_filters(args)
    corrections = ()
    if filters.q and labelled_rome_code(filters.q) is None:
        query = text_query(filters.q)
        corrections = query.corrections
        if not query.concepts:
            notices["q"] = (f"« {filters.q} » ne contient que des mots trop courants (articles, prépositions) : "
                            "la recherche porte sur tous les métiers.")
    return BoardSearch(filters=filters, notices=notices, page=search_offers(filters), corrections=corrections)


class BoardSearchForm(Form):
    """The GET search form. It only renders: `read_filters` checks the query string, and its
    notices become the fields' errors."""

    q = StringField("Métier ou mot-clé", description="Par exemple : maçon, agent d'entretien, cuisine.")
    commune = StringField("Commune", description="Nom de la commune, code postal ou code INSEE.")
    rayon = SelectField("Distance maximale autour de la commune")
    type = SelectField("Type de contrat")
    secteur = SelectField("Secteur")

    @classmethod
    def for_search(cls, result: BoardSearch) -> "BoardSearchForm":
        filters = result.filters
        form = cls(data={"q": filters.q, "commune": filters.commune_text, "rayon": str(filters.radius_km),
                         "type": filters.contract_type.value if filters.contract_type else "",
                         "secteur": filters.sector.value if filters.sector else ""})
        form.rayon.choices = [(str(km), f"{km} km") for km in sorted({*RADIUS_CHOICES, filters.radius_km})]
        form.type.choices = [("", "Tous les types de contrat"), *ContractType.choices()]
        form.secteur.choices = [("", "Tous les secteurs"), *Sector.choices()]
        for name, notice in result.notices.items():
            form[name].errors = [notice]
        return form


def _has_autocomplete() -> bool:
    """The offers' autocomplete script is there (it enhances the job and commune fields)."""
    return (Path(current_app.static_folder) / "js" / "autocomplete.js").is_file()


@bp.get("/offres")
def search():
    result = board_search(request.args)
    return render_template("offers/board.html", result=result, form=BoardSearchForm.for_search(result),
                           autocomplete=_has_autocomplete())


@bp.get("/offres/<int:offer_id>")
def detail(offer_id: int):
    public = public_offer(offer_id)
    if public is None:
        abort(404)
    # A prescriber or facilitator of the offer's territory proposes from here; everyone else reads
    # how to be proposed.
    proposer = may_propose_to(current_user, public.offer)
    return render_template("offers/board_detail.html", public=public, offer=public.offer, hours_text=hours_text,
                           proposer=proposer)
