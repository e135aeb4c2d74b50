"""Merge two records of the same person: a facilitator keeps one, the other points to it.

Everything the dropped record holds moves to the kept one. This module moves what the candidates
feature holds: desired jobs, eligibility criteria and consents. The dropped record stays, with
merged_into_id set, hidden from lists; records merged into it before now point to the kept one.
The kept record's identity stays; its empty contact fields are filled from the dropped one.

The other features' records move when the merge publishes candidates.signals.candidate_merged,
inside the same unit of work, before its single commit: applications (applications/merging.py:
their events follow them; when both records applied to the same offer, the most advanced
application stays with the kept record and the other is withdrawn through the applications
workflow, with an event explaining the merge) and employment contracts and hours entries
(pathways/merging.py). What their handlers report is added to the "candidate.merged" audit event.

When both records hold the same criterion (a unique constraint: one row per criterion), the row
the kept record's organisation declared stays, whatever the other's state: a prescriber keeps
seeing their own declaration and never finds it replaced by another organisation's row (which
they may not see, so their criterion would vanish and reveal the other's). When neither row
comes from that organisation (both from earlier merges), the best one stays (valid, then the
latest validity; then declared; then expired; then refused). The other row is deleted; its
decisions stay in the audit, and the facilitators re-validate the kept row if need be.
"""
import sqlalchemy as sa

from clausematch import audit
from clausematch.accounts.models import User
from clausematch.candidates import permissions
from clausematch.candidates.duplicates import DISMISSED_ACTION, match_reason
from clausematch.candidates.eligibility import is_valid
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.candidates.signals import candidate_merged
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import notify

FILLED_FROM_DROPPED = ("email", "phone", "commune_insee", "referent_id", "available_from")


def merge_candidates(actor: User, keep_id: int, drop_id: int, justification: str = "") -> Candidate:
    """Merge a pair the duplicate finder suspects; any other pair needs the facilitator's written
    justification, kept in the audit event."""
    keep, drop, reason, justification = check_merge(actor, keep_id, drop_id, justification)
    reported = {"reason": reason or "justified", "justification": justification or None}
    for _handler, details in candidate_merged.send(keep, actor=actor, dropped=drop):
        reported.update(details or {})
    _merge_criteria(keep, drop)
    kept_jobs = len(keep.desired_jobs)
    for job in list(drop.desired_jobs):
        if job.appellation_code not in {j.appellation_code for j in keep.desired_jobs}:
            kept_jobs += 1
            job.candidate, job.position = keep, kept_jobs  # after the kept record's own jobs
    for consent in list(drop.consents):
        consent.candidate = keep
    db.session.execute(sa.update(Candidate).where(Candidate.merged_into_id == drop.id)
                       .values(merged_into_id=keep.id))
    for name in FILLED_FROM_DROPPED:
        if getattr(keep, name) in (None, "") and getattr(drop, name) not in (None, ""):
            setattr(keep, name, getattr(drop, name))
    drop.merged_into_id = keep.id
    audit.record("candidate.merged", "candidate", keep.id, actor_id=actor.id, candidate_id=keep.id,
                 merged_id=drop.id, **reported)
    if drop.referent_id is not None and drop.prescriber_id != keep.prescriber_id:
        notify(drop.referent_id, "Une fiche candidat de votre structure a été fusionnée par l'équipe de "
                                 "facilitation avec la fiche de la même personne suivie par une autre structure.")
    db.session.commit()
    return keep


def check_merge(actor: User, keep_id: int, drop_id: int,
                justification: str = "") -> tuple[Candidate, Candidate, str | None, str]:
    """The pair, why it is suspected (None: it is not) and the justification as kept; refuses a
    pair that cannot be merged, then one that needs a justification without it. Writes nothing:
    the merge form runs it at its first submit."""
    keep, drop = _pair(actor, keep_id, drop_id)
    reason, justification = match_reason(keep, drop), (justification or "").strip()
    if reason is None and not justification:
        raise DomainError("Ces deux fiches ne sont pas signalées comme doublon : expliquez pourquoi il s'agit "
                          "de la même personne.", field="justification")
    return keep, drop, reason, justification


def dismiss_pair(actor: User, first_id: int, second_id: int) -> None:
    """The facilitator says two suspected records are two people: the pair leaves the list.
    Kept as an audit event (no table of dismissed pairs yet), on the lower id."""
    low, high = sorted((first_id, second_id))
    first, second = _pair(actor, low, high)
    if match_reason(first, second) is None:
        raise DomainError("Ces deux fiches ne sont pas signalées comme doublon.")
    audit.record(DISMISSED_ACTION, "candidate", low, actor_id=actor.id, candidate_id=low, other_id=high)
    db.session.commit()


def _pair(actor: User, keep_id: int, drop_id: int) -> tuple[Candidate, Candidate]:
    if keep_id == drop_id:
        raise DomainError("Choisissez deux fiches différentes.")
    keep, drop = db.session.get(Candidate, keep_id), db.session.get(Candidate, drop_id)
    if keep is None or drop is None:
        raise DomainError("Une des deux fiches n'existe pas.")
    if not permissions.can_merge(actor, keep, drop):
        raise NotAllowed("Seule l'équipe de facilitation du territoire fusionne des fiches.")
    if keep.merged_into_id is not None or drop.merged_into_id is not None:
        raise DomainError("Une des deux fiches a déjà été fusionnée.")
    return keep, drop


def _criterion_rank(row: EligibilityCriterion) -> tuple:
    """Higher is better: valid (latest validity first), declared, expired, refused."""
    if is_valid(row, today()):
        return (3, row.valid_until)
    order = {EligibilityStatus.DECLARED: 2, EligibilityStatus.VALIDATED: 1, EligibilityStatus.REFUSED: 0}
    return (order[row.status], row.valid_until or row.declared_at.date())


def _precedence(keep: Candidate, row: EligibilityCriterion) -> tuple:
    """Higher stays: declared by the kept record's organisation first, then the best state."""
    return (row.declared_by_organisation_id == keep.prescriber_id, *_criterion_rank(row))


def _merge_criteria(keep: Candidate, drop: Candidate) -> None:
    for row in keep.criteria + drop.criteria:  # who declared each row stays known after the move
        row.declared_by_organisation_id = permissions.declaring_organisation_id(row)
    kept = {row.criterion: row for row in keep.criteria}
    for row in list(drop.criteria):
        rival = kept.get(row.criterion)
        if rival is not None and _precedence(keep, rival) >= _precedence(keep, row):
            db.session.delete(row)
            continue
        if rival is not None:
            db.session.delete(rival)
            db.session.flush()  # the unique (candidate, criterion) row must go before this one moves
        row.candidate_id = keep.id
    db.session.flush()
    db.session.expire(keep, ["criteria", "desired_jobs", "consents"])
    db.session.expire(drop, ["criteria", "desired_jobs", "consents"])
