"""The page "Enregistrer le retrait du consentement" of a person (privacy/withdrawal.py does the work)."""
from flask import flash, redirect, render_template, request, url_for

from clausematch.candidates.models import Candidate
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.privacy import withdrawal
from clausematch.web.candidates.forms import WithdrawalForm
from clausematch.web.helpers import get_allowed_or_404, me, refused_status, show_error, validate_form


def withdrawal_page(candidate_id: int):
    candidate = get_allowed_or_404(Candidate, candidate_id, withdrawal.may_see_withdrawal)
    form = WithdrawalForm()
    blocked = withdrawal.blocked_reason(candidate, me())  # merged, already withdrawn: nothing to record
    if blocked is None and validate_form(form, lambda: withdrawal.check_withdrawal(
            candidate, form.withdrawn_on.data, form.channel.data, today(), me())):
        try:
            outcome = withdrawal.record_withdrawal(me(), candidate.id, form.withdrawn_on.data, form.channel.data)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_done(outcome), "success")
            return redirect(url_for("candidates.detail", candidate_id=outcome.candidate_id))
    status = 409 if blocked and request.method == "POST" else refused_status(form)
    return render_template("candidates/withdrawal.html", candidate=candidate, form=form, blocked=blocked), status


def _done(outcome: withdrawal.WithdrawalOutcome) -> str:
    closed = outcome.closed_applications
    text = "Le retrait du consentement a été enregistré et les données de la personne ont été anonymisées."
    if closed:
        text += f" {closed} candidature{'s' if closed > 1 else ''} en cours close{'s' if closed > 1 else ''}."
    if outcome.removed_invitations:
        text += f" Retirée de {outcome.removed_invitations} événement(s) à venir."
    return text
