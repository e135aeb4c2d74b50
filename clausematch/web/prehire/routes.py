"""Events pages: the list, the form, an event's page (participants as the reader may see them,
the prescribers' answers), invitations and the attendance sheet."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from clausematch.accounts.models import Role
from clausematch.candidates.search import SearchFilters, search
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.formats import format_date
from clausematch.prehire import participation, permissions, queries, services
from clausematch.prehire.models import Event, EventKind, EventParticipant
from clausematch.prehire.rules import has_started, local_now, seats_taken
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import (
    bounded_int,
    get_allowed_or_404,
    me,
    page_arg,
    refused_status,
    require,
    roles_required,
    show_error,
    validate_form,
)
from clausematch.web.prehire.forms import (
    AnswerForm,
    CancelForm,
    EventForm,
    InviteForm,
    RemoveForm,
    attendance_form,
    attendance_lines,
    options,
)

bp = Blueprint("events", __name__)


def _filters() -> queries.EventFilters:
    """Filters from the query string; a value that does not parse is ignored, not an error."""
    kind = request.args.get("type", "")
    return queries.EventFilters(kind=EventKind(kind) if kind in {k.value for k in EventKind} else None,
                                programme_id=request.args.get("programme", type=bounded_int))


@bp.get("/evenements")
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def event_list():
    require(permissions.can_list_events(me()))
    filters = _filters()
    return render_template("prehire/event_list.html", page=queries.events_page(me(), filters, page_arg()),
                           filters=filters, kinds=EventKind.choices(), programmes=queries.programme_choices(me()),
                           can_create=permissions.can_manage_events(me()))


def _event_form(event: Event | None) -> EventForm:
    form = EventForm()
    form.programme_id.choices = options("Aucun programme", queries.programme_choices(me()))
    keep = [offer.id for offer in event.offers] if event is not None else []
    form.offer_ids.choices = {str(value): label for value, label in queries.offer_choices(me(), keep)}
    return form


@bp.route("/evenements/nouveau", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def create():
    require(permissions.can_manage_events(me()))
    form = _event_form(None)
    if request.method == "GET" and request.args.get("offre", type=bounded_int):
        form.offer_ids.data = [str(request.args.get("offre", type=bounded_int))]
    if validate_form(form, lambda: services.check_event(form.to_data(), me())):
        try:
            event = services.create_event(form.to_data(), me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Événement enregistré. Invitez maintenant les personnes.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("prehire/event_form.html", form=form, event=None), refused_status(form)


@bp.route("/evenements/<int:event_id>/modifier", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def edit(event_id: int):
    event = get_allowed_or_404(Event, event_id, permissions.can_edit_event)
    if event.cancelled_at is not None:
        flash("Cet événement est annulé : il ne peut plus être modifié.", "warning")
        return redirect(url_for("events.detail", event_id=event.id))
    form = _event_form(event)
    if request.method == "GET":
        form.fill_from(event)
        fill_version(form, event)
    elif validate_form(form, lambda: services.check_event(form.to_data(), me(), event.id)):
        try:
            services.update_event(event.id, form.to_data(), me(), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Événement mis à jour.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("prehire/event_form.html", form=form, event=event), refused_status(form)


@bp.route("/evenements/<int:event_id>/annuler", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def cancel(event_id: int):
    """GET: what cancelling does (who is told); POST: cancel, with the reason the prescribers read."""
    event = get_allowed_or_404(Event, event_id, permissions.can_edit_event)
    if event.cancelled_at is not None:
        flash(f"Cet événement a déjà été annulé le {format_date(event.cancelled_at)}.", "warning")
        return redirect(url_for("events.detail", event_id=event.id))
    form = CancelForm()
    if validate_form(form, lambda: services.check_cancel(event.id, form.reason.data, me())):
        try:
            services.cancel_event(event.id, me(), form.reason.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Événement annulé. Les prescripteurs des personnes invitées ou inscrites sont prévenus.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("prehire/cancel.html", event=event, form=form, told=queries.cancellation_reach(event.id),
                           started=has_started(event, local_now())), refused_status(form)


@bp.post("/evenements/participants/<int:participant_id>/retirer")
@roles_required(Role.FACILITATOR)
def remove(participant_id: int):
    participant = get_allowed_or_404(EventParticipant, participant_id,
                                     lambda u, p: permissions.can_edit_event(u, p.event))
    event_id = participant.event_id
    form = RemoveForm()
    if not form.validate_on_submit() or form.version.data is None:
        abort(400)
    try:
        name = participation.remove(participant.id, me(), version=form.version.data)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(f"{name} ne figure plus parmi les participants : son prescripteur est prévenu.", "success")
    return redirect(url_for("events.detail", event_id=event_id))


@bp.get("/evenements/<int:event_id>")
@roles_required(Role.FACILITATOR, Role.PRESCRIBER)
def detail(event_id: int):
    event = get_allowed_or_404(Event, event_id, permissions.can_view_event)
    participants = queries.visible_participants(me(), event)
    return render_template(
        "prehire/event_detail.html", event=event, participants=participants, seats=seats_taken(event.id),
        started=has_started(event, local_now()), can_edit=permissions.can_edit_event(me(), event),
        answerable={p.id for p in participants if permissions.can_answer_for(me(), p)}, answer_form=AnswerForm(),
        remove_form=RemoveForm())


@bp.route("/evenements/<int:event_id>/inviter", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def invite(event_id: int):
    event = get_allowed_or_404(Event, event_id, permissions.can_edit_event)
    form = InviteForm()
    name = (request.args.get("nom") or "").strip()[:100]
    result = search(me(), SearchFilters(name=name), page_arg(), today()) if name else None
    if validate_form(form, lambda: None):
        try:
            invited = participation.invite(event.id, form.chosen_ids(), me())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(f"{len(invited)} personne(s) invitée(s) : leurs prescripteurs sont prévenus."
                  if not has_started(event) else f"{len(invited)} personne(s) ajoutée(s) à la liste.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("prehire/invite.html", event=event, form=form, name=name, result=result), \
        refused_status(form)


@bp.post("/evenements/participants/<int:participant_id>/reponse")
@roles_required(Role.PRESCRIBER)
def answer(participant_id: int):
    participant = get_allowed_or_404(EventParticipant, participant_id, permissions.can_answer_for)
    form = AnswerForm()
    if not form.validate_on_submit() or form.answer.data not in ("registered", "declined"):
        abort(400)
    try:
        participation.answer(participant.id, form.answer.data, me())
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash("Inscription enregistrée." if form.answer.data == "registered"
              else "Réponse enregistrée : la personne ne viendra pas.", "success")
    return redirect(request.form.get("retour") if request.form.get("retour") == url_for("main.prescriber_home")
                    else url_for("events.detail", event_id=participant.event_id))


@bp.route("/evenements/<int:event_id>/presences", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def attendance(event_id: int):
    event = get_allowed_or_404(Event, event_id, permissions.can_edit_event)
    participants = participation.attendance_list(event.id)
    form = attendance_form(participants)
    if validate_form(form, lambda: participation.check_attendance(
            event.id, attendance_lines(form, participants), me())):
        try:
            participation.record_attendance(event.id, attendance_lines(form, participants), me())
        except participation.AttendanceConflict as conflict:
            show_conflict(form, conflict)
            for participant_id, version in conflict.versions.items():
                if f"version_{participant_id}" in form:
                    form[f"version_{participant_id}"].data = version
                    form[f"version_{participant_id}"].raw_data = [str(version)]
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Présences enregistrées.", "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("prehire/attendance.html", event=event, form=form, participants=participants,
                           started=has_started(event, local_now())), refused_status(form)
