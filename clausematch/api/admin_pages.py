"""/admin/api: the administrators list the API tokens, create one (its secret shown once, on the
page that answers the creation) and revoke one. Each creation and revocation is audited."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.api import tokens
from clausematch.errors import DomainError, refusals
from clausematch.formats import parse_int

bp = Blueprint("api_admin", __name__)


def _admin():
    if not tokens.can_manage_tokens(current_user):
        abort(403)
    return current_user._get_current_object()


def _page(errors: dict[str, list[str]] | None = None, created=None, secret: str | None = None, form=None):
    status = 422 if errors else 200
    return render_template("admin/api_tokens.html", tokens=tokens.tokens(), scopes=tokens.SCOPES,
                           organisations=tokens.organisation_choices(), errors=errors or {}, created=created,
                           secret=secret, form=form or {}), status


@bp.get("/admin/api")
@login_required
def token_list():
    _admin()
    return _page()


@bp.post("/admin/api")
@login_required
def create_token():
    actor = _admin()
    form = {"organisation": request.form.get("organisation", ""), "name": request.form.get("name", ""),
            "scopes": request.form.getlist("scopes")}
    try:
        token, secret = tokens.create_token(actor, parse_int(form["organisation"]), form["name"], form["scopes"])
    except DomainError as refused:
        errors: dict[str, list[str]] = {}
        for refusal in refusals(refused):
            errors.setdefault(refusal.field or "_", []).append(refusal.message)
        return _page(errors=errors, form=form)
    return _page(created=token, secret=secret)


@bp.post("/admin/api/<int:token_id>/revoquer")
@login_required
def revoke_token(token_id: int):
    actor = _admin()
    try:
        token = tokens.revoke_token(actor, token_id)
    except DomainError:
        abort(404)
    flash(f"Jeton « {token.name} » révoqué : il ne permet plus aucune requête.", "success")
    return redirect(url_for("api_admin.token_list"))
