"""Helpers shared by the applications tests (imported by name: tests/applications is on sys.path)."""
from datetime import date, timedelta

from clausematch.applications.models import ApplicationStatus
from clausematch.candidates.models import EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.vocabulary import Criterion

S = ApplicationStatus
# The path an application took to reach each state (the events its history holds).
PATHS = {
    S.SUBMITTED: [S.SUBMITTED],
    S.VALIDATED: [S.SUBMITTED, S.VALIDATED],
    S.SHORTLISTED: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED],
    S.SENT: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT],
    S.INTERVIEW: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW],
    S.HIRED: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.HIRED],
    S.REFUSED: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.REFUSED],
    S.WITHDRAWN: [S.SUBMITTED, S.WITHDRAWN],
}


def add_criterion(candidate, code: str = "deld", status=EligibilityStatus.VALIDATED, valid_until: date | None = None):
    """A criterion on the candidate: validated (until `valid_until`, default in 3 months) or declared."""
    validated = status == EligibilityStatus.VALIDATED
    criterion = EligibilityCriterion(
        criterion=Criterion(code), status=status, evidence="Attestation vue",
        validated_at=utcnow() if validated else None,
        valid_until=(valid_until or today() + timedelta(days=90)) if validated else None,
        refusal_reason="Justificatif absent" if status == EligibilityStatus.REFUSED else None)
    candidate.criteria.append(criterion)  # the candidate is in the session: the criterion follows
    return criterion


def statements_for(db, count_queries, client, path: str) -> int:
    """How many statements GET `path` runs, nothing served from the session's memory."""
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)
