"""Autocomplete endpoints for ROME appellations and communes."""
from flask import Blueprint

bp = Blueprint("referential", __name__, url_prefix="/referentiel")
