"""The territory settings page (facilitators): /parametres."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from clausematch.contracts.permissions import can_manage_contracts
from clausematch.errors import DomainError
from clausematch.formats import share_to_percent
from clausematch.settings import services
from clausematch.versioning import EditConflict
from clausematch.web.conflicts import fill_version, show_conflict
from clausematch.web.helpers import me, refused_status, require, show_error, validate_form
from clausematch.web.settings.forms import SettingsForm

bp = Blueprint("settings", __name__)

PERCENT_FIELDS = ("default_labour_share", "default_insertion_rate", *services.TARGET_FIELDS)


@bp.route("/parametres", methods=["GET", "POST"])
@login_required
def edit():
    require(can_manage_contracts(me()))
    territory = services.territory_for(me())
    form = SettingsForm(obj=territory)
    if request.method == "GET":
        for name in PERCENT_FIELDS:  # stored as shares, typed as percentages
            form[name].data = share_to_percent(getattr(territory, name))
        form.exit_convention.data = territory.exit_convention.value
        fill_version(form, territory)
    data = services.SettingsInput(**{name: form[name].data for name in services.SettingsInput.__dataclass_fields__})
    if validate_form(form, lambda: services.check_settings(data)):
        try:
            services.update_settings(me(), data, version=form.version.data)
        except EditConflict as conflict:
            show_conflict(form, conflict)
        except DomainError as error:
            show_error(form, error)
        else:
            flash("Les paramètres du territoire ont été enregistrés.", "success")
            return redirect(url_for("settings.edit"))
    return render_template("settings/edit.html", form=form, territory=territory), refused_status(form)
