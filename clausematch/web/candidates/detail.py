"""The candidate page, shown by the candidate routes and again by the facilitators' decisions
(a refused criterion re-displays its form with the errors)."""
from flask import render_template

from clausematch.applications import queries as application_queries
from clausematch.candidates import queries
from clausematch.candidates.eligibility import is_expired
from clausematch.candidates.models import Candidate
from clausematch.candidates.permissions import (
    can_edit_candidate,
    can_validate_eligibility,
    can_view_candidate,
    visible_criteria,
    visible_state,
)
from clausematch.database import today
from clausematch.extensions import db
from clausematch.prehire import permissions as prehire_permissions
from clausematch.prehire import queries as prehire_queries
from clausematch.privacy import access_log, withdrawal
from clausematch.privacy.access import can_export
from clausematch.privacy.permissions import can_anonymise
from clausematch.web.candidates.forms import RefusalForm
from clausematch.web.helpers import me


def render_detail(candidate: Candidate, refusal: tuple[int, RefusalForm] | None = None, status: int = 200):
    """The candidate page; `refusal` re-displays a refusal form with its errors."""
    now = today()
    merged_into = db.session.get(Candidate, candidate.merged_into_id) if candidate.merged_into_id else None
    criteria = visible_criteria(me(), candidate)
    return render_template(
        "candidates/detail.html", candidate=candidate, state=visible_state(me(), candidate, now), today=now,
        criteria=criteria, expired={row.id for row in criteria if is_expired(row, now)},
        applications=application_queries.candidate_applications(candidate.id),
        consents=sorted(candidate.consents, key=lambda c: c.recorded_at, reverse=True),
        recorders=queries.user_names({c.recorded_by_id for c in candidate.consents} - {None}),
        can_edit=can_edit_candidate(me(), candidate), can_decide=can_validate_eligibility(me(), candidate),
        merged_into=merged_into if merged_into and can_view_candidate(me(), merged_into) else None,
        can_anonymise=can_anonymise(me(), candidate) and candidate.anonymised_at is None,
        refusal=refusal, can_export_data=can_export(me(), candidate),
        can_withdraw=withdrawal.can_record_withdrawal(me(), candidate),
        withdrawn=withdrawal.last_withdrawal(candidate), channel_label=withdrawal.channel_label,
        access_log=access_log.latest_entries(candidate.id) if can_view_candidate(me(), candidate) else None,
        **_prehire(candidate)), status


def _prehire(candidate: Candidate) -> dict:
    """The person's events and steps, and what the reader may do about them."""
    shown = prehire_permissions.can_view_steps(me(), candidate)
    return {"participations": prehire_queries.candidate_participations(candidate.id) if shown else [],
            "steps": prehire_queries.candidate_steps(candidate.id) if shown else [], "shows_prehire": shown,
            "can_bring_to_events": prehire_permissions.can_bring_to_events(me(), candidate)
            and candidate.is_active,
            "can_record_step": prehire_permissions.can_record_step(me(), candidate)
            and candidate.is_active}
