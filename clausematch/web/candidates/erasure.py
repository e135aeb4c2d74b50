"""The anonymisation of a person at their request (right to erasure), by a facilitator of the
territory: a confirmation page, then the service (privacy/services.py), back to the person's page."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from clausematch.candidates.models import Candidate
from clausematch.formats import format_date
from clausematch.privacy import services
from clausematch.privacy.permissions import can_anonymise
from clausematch.web.candidates.forms import ErasureForm
from clausematch.web.helpers import get_allowed_or_404, me, refused_status, validate_form

bp = Blueprint("candidate_erasure", __name__)


def _already_done(candidate: Candidate):
    flash(f"Les données de cette personne ont déjà été anonymisées le "
          f"{format_date(candidate.anonymised_at.date())}.", "info")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))


@bp.route("/candidats/<int:candidate_id>/anonymiser", methods=["GET", "POST"])
@login_required
def erase(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, can_anonymise)
    if candidate.anonymised_at is not None:
        return _already_done(candidate)
    form = ErasureForm()
    if validate_form(form, lambda: None):
        candidate, done = services.erase(me(), candidate.id)
        if not done:
            return _already_done(candidate)
        flash("Les données de cette personne ont été anonymisées. Les chiffres des bilans sont conservés.",
              "success")
        return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    return render_template("candidates/erase.html", candidate=candidate, form=form), refused_status(form)
