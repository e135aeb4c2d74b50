"""Right of access: everything ClauseMatch holds about a person, as a page to print
(`/candidats/<id>/donnees`) and as JSON (`/candidats/<id>/donnees.json`), both built from
privacy.access.personal_data and both logged. Who: the members of the owning prescriber
organisation and the facilitators of the person's territory (privacy.access.can_export)."""
from datetime import date, datetime

from flask import Blueprint, Response, render_template
from flask_login import login_required

from clausematch.candidates.models import Candidate
from clausematch.formats import format_date, format_hours, month_label
from clausematch.privacy import access
from clausematch.web.helpers import get_allowed_or_404, me

bp = Blueprint("privacy", __name__)


def french(value) -> str:
    """An ISO date, moment or month of the export ("2025-03-01", "2025-03-01T10:00:00", "2025-03")
    in French ("01/03/2025", "01/03/2025 10:00", "mars 2025"); "—" when empty."""
    if value in (None, ""):
        return "—"
    text = str(value)
    try:
        if len(text) == 7:
            return month_label(date.fromisoformat(text + "-01"))
        if len(text) == 10:
            return format_date(date.fromisoformat(text))
        return format_date(datetime.fromisoformat(text))
    except ValueError:
        return text


@bp.get("/candidats/<int:candidate_id>/donnees")
@login_required
def page(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, access.can_export)
    data = access.export(candidate.id, me().id, "page")
    return render_template("privacy/access.html", data=data, french=french, hours_text=format_hours,
                           labels=access.SECTION_LABELS)


@bp.get("/candidats/<int:candidate_id>/donnees.json")
@login_required
def download(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, access.can_export)
    data = access.export(candidate.id, me().id, "json")
    return Response(access.to_json(data).encode("utf-8"), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="donnees-{candidate.id}.json"'})
