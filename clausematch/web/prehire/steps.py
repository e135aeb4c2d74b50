"""From a person's page: bring them to an event (a facilitator invites, their prescriber
registers), record a pre-hire step, and record how a step ended."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from clausematch.accounts.models import Role
from clausematch.candidates.models import Candidate
from clausematch.errors import DomainError
from clausematch.prehire import participation, permissions, queries, steps
from clausematch.prehire.models import PreHireStep
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import (
    get_allowed_or_404,
    me,
    refused_status,
    roles_required,
    show_error,
    validate_form,
)
from clausematch.web.prehire.forms import (
    ChooseEventForm,
    StepEditForm,
    StepForm,
    StepStatusForm,
    kind_choices,
    options,
)

bp = Blueprint("prehire_steps", __name__)


@bp.route("/candidats/<int:candidate_id>/evenements", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def bring_to_event(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, permissions.can_bring_to_events)
    inviting = me().role == Role.FACILITATOR
    events = queries.open_events(me())
    form = ChooseEventForm()
    form.event_id.choices = options("Choisissez un événement", (
        (e.id, f"{e.starts_at:%d/%m/%Y %H:%M} — {e.kind.label} : {e.title}") for e in events))
    if validate_form(form, lambda: None):
        try:
            if form.event_id.data is None:
                raise DomainError("Choisissez un événement.", field="event_id")
            if inviting:
                participation.invite(form.event_id.data, [candidate.id], me())
            else:
                participation.register(form.event_id.data, candidate.id, me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"Invitation de {candidate.full_name} enregistrée : son prescripteur est prévenu." if inviting
                  else f"Inscription de {candidate.full_name} enregistrée.", "success")
            return redirect(url_for("events.detail", event_id=form.event_id.data))
    return render_template("prehire/bring_to_event.html", candidate=candidate, form=form, inviting=inviting,
                           events=events), refused_status(form)


def _step_form(candidate: Candidate, form_class: type[StepForm] = StepForm, keep_offer: int | None = None) -> StepForm:
    form = form_class()
    if "kind" in form:
        form.kind.choices = kind_choices(permissions.step_kinds_for(me(), candidate))
    form.organisation_id.choices = options("Aucune (indiquer un nom ci-dessous)",
                                           queries.company_choices(candidate.territory_id))
    form.programme_id.choices = options("Aucun programme", queries.programme_choices(me()))
    form.offer_id.choices = options("Aucune offre", queries.offer_choices(me(), [keep_offer] if keep_offer else None))
    return form


@bp.route("/candidats/<int:candidate_id>/etapes/nouvelle", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def new_step(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, lambda u, c: permissions.can_record_step(u, c))
    form = _step_form(candidate)
    if request.method == "GET" and request.args.get("type"):
        form.kind.data = request.args.get("type")
    if validate_form(form, lambda: steps.check_step(candidate.id, form.to_data(), me())):
        try:
            steps.record_step(candidate.id, form.to_data(), me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Étape enregistrée : elle apparaît dans le parcours de la personne.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("prehire/step_form.html", candidate=candidate, form=form), refused_status(form)


@bp.route("/etapes/<int:step_id>", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def step(step_id: int):
    item = get_allowed_or_404(PreHireStep, step_id, lambda u, s: permissions.can_view_steps(u, s.candidate))
    can_change = permissions.can_change_step(me(), item) and item.status.value == "planned"
    form = StepStatusForm()
    if request.method == "GET":
        fill_version(form, item)
    elif not can_change:
        flash("Cette étape ne peut plus être modifiée ici.", "warning")
        return redirect(url_for("prehire_steps.step", step_id=item.id))
    elif validate_form(form, lambda: steps.check_status_change(item.id, form.to_data(), me())):
        try:
            steps.change_status(item.id, form.to_data(), me(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Issue de l'étape enregistrée.", "success")
            return redirect(url_for("prehire_steps.step", step_id=item.id))
    return render_template("prehire/step.html", step=item, form=form, can_change=can_change,
                           can_edit=permissions.can_change_step(me(), item)), refused_status(form)


@bp.route("/etapes/<int:step_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def edit_step(step_id: int):
    """A step's dates, organisation, hours, title, programme, offer and comment; version-checked."""
    item = get_allowed_or_404(PreHireStep, step_id, permissions.can_change_step)
    form = _step_form(item.candidate, StepEditForm, keep_offer=item.offer_id)
    if request.method == "GET":
        form.fill_from(item)
        fill_version(form, item)
    elif validate_form(form, lambda: steps.check_edit(item.id, form.to_data(), me())):
        try:
            steps.update_step(item.id, form.to_data(), me(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Étape mise à jour.", "success")
            return redirect(url_for("prehire_steps.step", step_id=item.id))
    return render_template("prehire/step_edit.html", step=item, form=form), refused_status(form)
