"""Login, logout, invitations, password reset and change. No open sign-up: accounts come
from invitations only."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from clausematch.accounts import login as logins
from clausematch.accounts import services
from clausematch.accounts.models import Role
from clausematch.errors import DomainError
from clausematch.web import sessions
from clausematch.web.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    LoginForm,
    NewPasswordForm,
)
from clausematch.web.helpers import bounded_int, roles_required, show_error, validate_form

bp = Blueprint("accounts", __name__)

RESET_REQUESTED = ("Si un compte actif existe pour cette adresse, un e-mail contenant un lien pour choisir "
                   "un nouveau mot de passe vient de lui être envoyé. Pensez à vérifier vos courriers indésirables.")


def _unusable_link(error: services.UnusableLink):
    return render_template("accounts/link_unusable.html", message=error.message), error.status


def _me():
    """The logged-in User itself (services and the ORM want the object, not Flask-Login's proxy)."""
    return current_user._get_current_object()


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    next_url = sessions.safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = logins.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            sessions.start_session(user)
            return redirect(next_url or url_for("main.home"))
    return render_template("accounts/login.html", form=form, next_url=next_url)


@bp.post("/deconnexion")
def logout():
    if current_user.is_authenticated:
        logins.record_logout(_me())
        sessions.end_session()
    flash("Vous êtes déconnecté. À bientôt sur ClauseMatch.", "success")
    return redirect(url_for("accounts.login"))


@bp.get("/invitations")
@roles_required(Role.FACILITATOR, Role.ADMIN)
def invitations():
    page = services.list_invitations(_me(), request.args.get("page", 1, type=bounded_int))
    return render_template("accounts/invitations.html", page=page, status_of=services.invitation_status)


@bp.route("/invitations/nouvelle", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.ADMIN)
def new_invitation():
    form = InvitationForm(organisation_id=request.args.get("organisation", type=bounded_int))
    form.set_organisations(services.invitable_organisations(_me()),
                           several_territories=current_user.role == Role.ADMIN)
    if validate_form(form, lambda: services.check_invitation(
            _me(), None if form.organisation_id.errors else form.organisation_id.data,
            form.email.data or "", form.full_name.data or "")):
        try:
            services.invite_user(_me(), form.organisation_id.data, form.email.data, form.full_name.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Invitation envoyée à {form.full_name.data.strip()}.", "success")
            return redirect(url_for("accounts.invitations"))
    return render_template("accounts/invitation_new.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except services.UnusableLink as error:
        return _unusable_link(error)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(token, form.password.data)
        except services.UnusableLink as error:
            return _unusable_link(error)
        except DomainError as error:
            show_error(form, error)
        else:
            sessions.start_session(user)
            flash(f"Bienvenue sur ClauseMatch ! Votre compte est créé dans « {invitation.organisation.name} ».",
                  "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(RESET_REQUESTED, "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.reset_token_for(token)
    except services.UnusableLink as error:
        return _unusable_link(error)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(token, form.password.data)
        except services.UnusableLink as error:
            return _unusable_link(error)
        except DomainError as error:
            show_error(form, error)
        else:
            sessions.end_session()
            flash("Votre mot de passe a été modifié. Connectez-vous avec ce nouveau mot de passe.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/mon-compte/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(_me(), form.current_password.data,
                                            form.new_password.data)
        except DomainError as error:
            show_error(form, error)
        else:
            sessions.start_session(user, fresh=False)
            flash("Votre mot de passe a été modifié. Vos autres sessions ouvertes ont été fermées.", "success")
            return redirect(url_for("main.home"))
    return render_template("accounts/change_password.html", form=form)
