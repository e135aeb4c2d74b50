"""/admin/utilisateurs: the accounts and pending invitations, an account's page and history, its
edit form (name, role, organisation), deactivation and reactivation; /admin/invitations/<id>: a
pending invitation, sent again or cancelled. Administrators only."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from clausematch.accounts.models import Invitation, Role, User
from clausematch.accounts.services import invitation_status
from clausematch.admin import users
from clausematch.admin.account_checks import AccountInput, check_account
from clausematch.database import utcnow
from clausematch.errors import DomainError
from clausematch.formats import plural
from clausematch.versioning import EditConflict
from clausematch.web.admin.forms import AccountForm
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import get_or_404, me, page_arg, roles_required, show_error, validate_form

bp = Blueprint("admin_users", __name__)

ROLE_VALUES = {role.value: role for role in Role}


def _filters() -> users.PeopleFilters:
    """The list's filters from the query string; an unknown value is ignored, like other lists."""
    return users.PeopleFilters(
        q=request.args.get("q", "").strip()[:100],
        role=ROLE_VALUES.get(request.args.get("role", "")),
        organisation=request.args.get("organisation", "").strip()[:100],
        state=request.args.get("etat", "") if request.args.get("etat", "") in users.STATES else "")


@bp.get("/admin/utilisateurs")
@roles_required(Role.ADMIN)
def people():
    filters = _filters()
    page = users.people_page(me(), filters, page_arg())
    return render_template("admin/users.html", page=page, filters=filters, roles=Role, states=users.STATES,
                           now=utcnow())


@bp.get("/admin/utilisateurs/<int:user_id>")
@roles_required(Role.ADMIN)
def user(user_id: int):
    account = get_or_404(User, user_id)
    history = users.user_history(me(), account, page_arg())
    return render_template("admin/user.html", account=account, changes=history)


@bp.route("/admin/utilisateurs/<int:user_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def edit_user(user_id: int):
    account = get_or_404(User, user_id)
    current_organisation = account.organisation
    form = AccountForm(obj=account)
    form.set_organisations(users.organisation_choices(current_organisation.id if current_organisation else None))
    if request.method == "GET":
        form.organisation_id.data = current_organisation.id if current_organisation else None
        fill_version(form, account)
    elif validate_form(form, lambda: check_account(me(), account.id, _account_input(form))):
        try:
            change = users.update_user(me(), account.id, _account_input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_saved_message(change), "success")
            return redirect(url_for("admin_users.user", user_id=account.id))
    return render_template("admin/user_form.html", form=form, account=account)


def _account_input(form: AccountForm) -> AccountInput:
    return AccountInput(full_name=form.full_name.data or "", role=form.role.data,
                        organisation_id=form.organisation_id.data)


def _saved_message(change: users.AccountChange) -> str:
    if not change.changed:
        return "Aucune modification : le compte est inchangé."
    text = "Le compte a été modifié."
    if change.sessions_ended:
        text += " Ses sessions ouvertes ont été fermées : la personne devra se reconnecter."
    if change.referents_cleared:
        text += (f" La personne n'est plus conseiller référent de {plural(change.referents_cleared, 'candidat')} "
                 "de son ancienne organisation.")
    if change.notifications_deleted:
        text += (f" {plural(change.notifications_deleted, 'notification')} de son ancien poste "
                 f"{'ont' if change.notifications_deleted > 1 else 'a'} été supprimée"
                 f"{'s' if change.notifications_deleted > 1 else ''}.")
    return text


@bp.post("/admin/utilisateurs/<int:user_id>/desactiver")
@roles_required(Role.ADMIN)
def deactivate(user_id: int):
    account = get_or_404(User, user_id)
    name = account.full_name
    try:
        users.deactivate_user(me(), account.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Le compte de {name} est désactivé : ses sessions ont été fermées et il ne peut plus se connecter.",
              "success")
    return redirect(url_for("admin_users.user", user_id=user_id))


@bp.post("/admin/utilisateurs/<int:user_id>/reactiver")
@roles_required(Role.ADMIN)
def reactivate(user_id: int):
    account = get_or_404(User, user_id)
    name = account.full_name
    try:
        users.reactivate_user(me(), account.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"Le compte de {name} est réactivé : la personne peut de nouveau se connecter.", "success")
    return redirect(url_for("admin_users.user", user_id=user_id))


@bp.get("/admin/invitations/<int:invitation_id>")
@roles_required(Role.ADMIN)
def invitation(invitation_id: int):
    pending = get_or_404(Invitation, invitation_id)
    history = users.invitation_history(me(), pending, page_arg())
    return render_template("admin/invitation.html", invitation=pending, changes=history,
                           status=invitation_status(pending), now=utcnow())


@bp.post("/admin/invitations/<int:invitation_id>/renvoyer")
@roles_required(Role.ADMIN)
def resend_invitation(invitation_id: int):
    pending = get_or_404(Invitation, invitation_id)
    try:
        users.resend_invitation(me(), pending.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("L'invitation a été renvoyée avec un nouveau lien ; le lien précédent ne fonctionne plus.", "success")
    return redirect(url_for("admin_users.invitation", invitation_id=invitation_id))


@bp.post("/admin/invitations/<int:invitation_id>/annuler")
@roles_required(Role.ADMIN)
def cancel_invitation(invitation_id: int):
    pending = get_or_404(Invitation, invitation_id)
    try:
        users.cancel_invitation(me(), pending.id)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("L'invitation est annulée : son lien ne permet plus de créer un compte.", "success")
    return redirect(url_for("admin_users.invitation", invitation_id=invitation_id))
