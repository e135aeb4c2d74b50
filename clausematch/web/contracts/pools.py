"""Pooling agreements of a lot's hours with other lots of the same titulaire (blueprint `pools`;
the rules are in clausematch/contracts/pools.py): recorded, changed and dissolved by the
territory's facilitators from the lot's page."""
from flask import Blueprint, flash, redirect, render_template, url_for
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from clausematch.accounts.models import Role
from clausematch.contracts import pools
from clausematch.contracts.models import HoursPool, Lot
from clausematch.contracts.permissions import can_manage_pools
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict, version_field
from clausematch.web.contracts.forms import FrenchDateField
from clausematch.web.fields import CheckboxListField, FrenchForm
from clausematch.web.helpers import get_allowed_or_404, me, refused_status, roles_required, show_error, validate_form

bp = Blueprint("pools", __name__)


class PoolForm(FrenchForm):
    version = version_field()
    lots = CheckboxListField("Lots dont les heures sont mutualisées",
                             description="Au moins 2 lots de la même entreprise titulaire, chacun avec sa clause, "
                                         "même sur des marchés différents.")
    agreed_on = FrenchDateField("Date de l'accord de mutualisation", validators=[Optional()],
                                description="La date à laquelle l'acheteur a accepté la globalisation, par exemple "
                                            "15/03/2025.")
    note = TextAreaField("Remarques (facultatif)", validators=[Optional(), Length(max=pools.NOTE_MAX_LENGTH)],
                         description="Par exemple la référence de l'avenant ou du courrier qui l'autorise.")


class DissolveForm(FrenchForm):
    version = HiddenField(validators=[InputRequired("La page n'était plus à jour : rechargez-la.")])


def _input(form: PoolForm) -> pools.PoolInput:
    lot_ids = [int(value) for value in form.lots.data or [] if str(value).isdigit() and len(str(value)) < 10]
    return pools.PoolInput(lot_ids=lot_ids, agreed_on=form.agreed_on.data,
                           note=form.note.data or "")


def _choices(lot: Lot, pool: HoursPool | None) -> list[tuple[int, str]]:
    choices = []
    for other, pool_id in pools.lot_choices(lot):
        label = f"{pools.lot_label(other)} — {other.title}"
        if pool_id is not None and (pool is None or pool_id != pool.id):
            label += " (déjà couvert par une autre mutualisation)"
        choices.append((str(other.id), label))
    return choices


@bp.route("/lots/<int:lot_id>/mutualisation", methods=["GET", "POST"])
@roles_required(Role.FACILITATOR)
def lot_pool(lot_id: int):
    lot = get_allowed_or_404(Lot, lot_id, can_manage_pools)
    pool = pools.pool_of_lot(lot.id)
    form = PoolForm(obj=pool)
    form.lots.choices = _choices(lot, pool)
    if not form.is_submitted():
        form.lots.data = [str(member.lot_id) for member in pool.members] if pool else [str(lot.id)]
        if pool is not None:
            fill_version(form, pool)
    if validate_form(form, lambda: pools.check_pool(me(), lot, _input(form), pool.id if pool else None)):
        try:
            if pool is None:
                pools.create_pool(me(), lot.id, _input(form))
            else:
                pools.update_pool(me(), pool.id, _input(form), version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("La mutualisation des heures a été enregistrée : les lots sont désormais jugés sur l'ensemble.",
                  "success")
            return redirect(url_for("contracts.lot", lot_id=lot.id))
    dissolve = DissolveForm(formdata=None)
    if pool is not None:
        dissolve.version.data = pool.version
    return _render(lot, pool, form, dissolve), refused_status(form)


def _render(lot: Lot, pool: HoursPool | None, form: PoolForm, dissolve: DissolveForm):
    return render_template("contracts/pool_form.html", lot=lot, contract=lot.contract, pool=pool, form=form,
                           dissolve=dissolve, applied=lot.contract.territory.globalise_across_lots)


def _pool_lot(user, pool: HoursPool) -> bool:
    """A pool is managed by the facilitators of its lots' territory."""
    member = db.session.get(Lot, min(m.lot_id for m in pool.members)) if pool.members else None
    return member is not None and can_manage_pools(user, member)


@bp.post("/mutualisations/<int:pool_id>/dissoudre")
@roles_required(Role.FACILITATOR)
def dissolve(pool_id: int):
    pool = get_allowed_or_404(HoursPool, pool_id, _pool_lot)
    lot = db.session.get(Lot, min(m.lot_id for m in pool.members))
    form = DissolveForm()
    if validate_form(form, lambda: None):
        try:
            pools.dissolve_pool(me(), pool.id, version=int(form.version.data) if form.version.data.isdigit() else -1)
        except EditConflict:
            flash("Quelqu'un d'autre a modifié cette mutualisation entre-temps : rien n'a été dissous. Vérifiez-la "
                  "ci-dessous puis recommencez si besoin.", "error")
            return redirect(url_for("pools.lot_pool", lot_id=lot.id))
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("contracts.lot", lot_id=lot.id))
        flash("La mutualisation a été dissoute : chaque lot est de nouveau jugé sur ses seules heures.", "success")
        return redirect(url_for("contracts.lot", lot_id=lot.id))
    edit = PoolForm(formdata=None, obj=pool)
    edit.lots.choices = _choices(lot, pool)
    edit.lots.data = [str(member.lot_id) for member in pool.members]
    fill_version(edit, pool)
    return _render(lot, pool, edit, form), 422

