"""Anonymisation: a person's identity wiped, the statistics kept.

The candidate row stays (its id carries the counts, hours, publics and exits of every report);
what identifies the person is replaced or emptied: names, contacts, free texts and evidence.
The birth year is kept. `anonymised_at` marks the record: nobody can act on it any more, it
leaves every list and the matching index. Irreversible; audited without the erased data.
"""
from datetime import date

import sqlalchemy as sa

from clausematch import audit
from clausematch.candidates.duplicates import name_key
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.database import utcnow
from clausematch.extensions import db

ERASED_TEXT = ""
ERASED_REASON = "Motif effacé (données anonymisées)"


class Reason:
    """Why a record was anonymised (kept in the audit event, never the erased data)."""
    ERASURE = "erasure"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    RETENTION = "retention"


def anonymous_names(candidate_id: int) -> tuple[str, str]:
    return "Personne", f"anonymisée n° {candidate_id}"


def anonymise_in_session(candidate: Candidate, actor_id: int | None, reason: str) -> bool:
    """Wipe the identity of a candidate already locked by the caller, inside its unit of work
    (the caller commits). False when the record was already anonymised (nothing written)."""
    if candidate.anonymised_at is not None:
        return False
    first_name, last_name = anonymous_names(candidate.id)
    candidate.first_name, candidate.last_name = first_name, last_name
    candidate.name_key = name_key(first_name, last_name)
    candidate.birth_date = date(candidate.birth_date.year, 1, 1)
    candidate.email = candidate.phone = None
    candidate.desired_jobs_text = candidate.skills = candidate.experience = candidate.certificates = ERASED_TEXT
    candidate.available, candidate.available_from = False, None
    candidate.anonymised_at = utcnow()
    db.session.execute(
        sa.update(EligibilityCriterion).where(EligibilityCriterion.candidate_id == candidate.id)
        .values(evidence=ERASED_TEXT,
                refusal_reason=sa.case((EligibilityCriterion.status == EligibilityStatus.REFUSED, ERASED_REASON),
                                       else_=None)))
    audit.record("candidate.anonymised", "candidate", candidate.id, actor_id=actor_id, reason=reason)
    return True


def lock_candidate(candidate_id: int) -> Candidate | None:
    """The candidate row, locked until the end of the unit of work (re-read under the lock)."""
    return db.session.scalars(sa.select(Candidate).where(Candidate.id == candidate_id)
                              .with_for_update().execution_options(populate_existing=True)).one_or_none()


def anonymise(candidate_id: int, actor_id: int | None, reason: str) -> bool:
    """One unit of work: lock the record, wipe it, commit. False when it was already anonymised."""
    candidate = lock_candidate(candidate_id)
    if candidate is None:
        db.session.rollback()
        raise LookupError(candidate_id)
    done = anonymise_in_session(candidate, actor_id, reason)
    db.session.commit()
    return done
