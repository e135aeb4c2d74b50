"""The person's rights exercised by a user: one service per action, permission re-checked under
the row lock, one unit of work."""
from clausematch.accounts.models import User
from clausematch.candidates.models import Candidate
from clausematch.errors import NotAllowed
from clausematch.extensions import db
from clausematch.privacy import permissions
from clausematch.privacy.erasure import Reason, anonymise_in_session, lock_candidate


def erase(actor: User, candidate_id: int) -> tuple[Candidate, bool]:
    """Anonymise the record at the person's request (right to erasure), as a facilitator of its
    territory. (record, True) when done now; (record, False) when it already was (a second
    submit: nothing written, one audit event in all)."""
    candidate = lock_candidate(candidate_id)
    if candidate is None:
        db.session.rollback()
        raise LookupError(candidate_id)
    if not permissions.can_anonymise(actor, candidate):
        db.session.rollback()
        raise NotAllowed("Seule l'équipe de facilitation du territoire peut anonymiser une personne.")
    done = anonymise_in_session(candidate, actor.id, Reason.ERASURE)
    db.session.commit()
    return candidate, done
