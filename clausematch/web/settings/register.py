"""The public register of the processing of personal data: /donnees-personnelles (no login).

One page per territory, built from its settings. With one territory the page shows it; with
several, `?territoire=<id>` names it and the page without it lists them to choose from. A
malformed id is ignored, like the other query-string values; an unknown one is a 404.
"""
from flask import Blueprint, abort, render_template, request

from clausematch.settings import queries
from clausematch.web.helpers import bounded_int

bp = Blueprint("register", __name__)


@bp.get("/donnees-personnelles")
def page():
    territories = queries.register_territories()
    chosen = request.args.get("territoire", type=bounded_int)
    if chosen is None and len(territories) == 1:
        chosen = territories[0][0]
    if chosen is None:
        return render_template("settings/register_choice.html", territories=territories)
    territory = queries.register_territory(chosen)
    if territory is None:
        abort(404)
    return render_template("settings/register.html", territory=territory, several=len(territories) > 1)
