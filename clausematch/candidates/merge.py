"""Merge two records of the same person: a facilitator keeps one, the other points to it.

Everything the dropped record holds moves to the kept one: applications (their events follow them),
desired jobs, eligibility criteria, consents, employment contracts and hours entries. The dropped
record stays, with merged_into_id set, hidden from lists; records merged into it before now point
to the kept one. The kept record's identity stays; its empty contact fields are filled from the
dropped one.

Unique constraints decide two cases:
- both hold the same criterion: the best one stays (valid, then the latest validity; then
  declared; then expired; then refused); the other row is deleted (its decisions stay in the audit);
- both applied to the same offer: the most advanced application stays with the kept record
  (hired > interview > sent > shortlisted > validated > submitted > refused > withdrawn; a tie
  keeps the kept record's). The other stays on the dropped record, with its whole history, and is
  withdrawn with an event explaining the merge (unless it already ended).
"""
import sqlalchemy as sa

from clausematch import audit
from clausematch.accounts.models import User
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.candidates import permissions
from clausematch.candidates.duplicates import DISMISSED_ACTION, match_reason
from clausematch.candidates.eligibility import is_valid
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.notifications import notify
from clausematch.pathways.models import EmploymentContract, HoursEntry

S = ApplicationStatus
PROGRESS = [S.WITHDRAWN, S.REFUSED, S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
ENDED = frozenset({S.HIRED, S.REFUSED, S.WITHDRAWN})
FILLED_FROM_DROPPED = ("email", "phone", "commune_insee", "referent_id", "available_from")
MERGE_COMMENT = ("Retirée lors de la fusion de deux fiches de la même personne : sa candidature n° {kept} "
                 "à la même offre est conservée.")


def merge_candidates(actor: User, keep_id: int, drop_id: int) -> Candidate:
    keep, drop = _pair(actor, keep_id, drop_id)
    moved_applications, withdrawn = _merge_applications(keep, drop, actor)
    _merge_criteria(keep, drop)
    for job in list(drop.desired_jobs):
        if job.appellation_code not in {j.appellation_code for j in keep.desired_jobs}:
            job.candidate = keep
    for consent in list(drop.consents):
        consent.candidate = keep
    for model in (EmploymentContract, HoursEntry):
        db.session.execute(sa.update(model).where(model.candidate_id == drop.id).values(candidate_id=keep.id))
    db.session.execute(sa.update(Candidate).where(Candidate.merged_into_id == drop.id)
                       .values(merged_into_id=keep.id))
    for name in FILLED_FROM_DROPPED:
        if getattr(keep, name) in (None, "") and getattr(drop, name) not in (None, ""):
            setattr(keep, name, getattr(drop, name))
    drop.merged_into_id = keep.id
    audit.record("candidate.merged", "candidate", keep.id, actor_id=actor.id, merged_id=drop.id,
                 applications=moved_applications, withdrawn_applications=withdrawn)
    if drop.referent_id is not None and drop.prescriber_id != keep.prescriber_id:
        notify(drop.referent_id, "Une fiche candidat de votre structure a été fusionnée par l'équipe de "
                                 "facilitation avec la fiche de la même personne suivie par une autre structure.")
    db.session.commit()
    return keep


def dismiss_pair(actor: User, first_id: int, second_id: int) -> None:
    """The facilitator says two suspected records are two people: the pair leaves the list.
    Kept as an audit event (no table of dismissed pairs yet), on the lower id."""
    low, high = sorted((first_id, second_id))
    first, second = _pair(actor, low, high)
    if match_reason(first, second) is None:
        raise DomainError("Ces deux fiches ne sont pas signalées comme doublon.")
    audit.record(DISMISSED_ACTION, "candidate", low, actor_id=actor.id, other_id=high)
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


def _merge_applications(keep: Candidate, drop: Candidate, actor: User) -> tuple[list[int], list[int]]:
    """Move the dropped record's applications; returns (moved ids, withdrawn ids)."""
    apps = db.session.scalars(sa.select(Application).where(Application.candidate_id.in_((keep.id, drop.id)))
                              .order_by(Application.id)).all()
    kept_by_offer = {app.offer_id: app for app in apps if app.candidate_id == keep.id}
    moved, withdrawn = [], []
    for app in (app for app in apps if app.candidate_id == drop.id):
        rival = kept_by_offer.get(app.offer_id)
        if rival is None:
            moved.append(app.id)
            continue
        if PROGRESS.index(app.status) > PROGRESS.index(rival.status):
            _swap_candidates(app, rival, drop)
            app, rival = rival, app
        if app.status not in ENDED:
            _withdraw(app, rival, actor)
            withdrawn.append(app.id)
    if moved:
        db.session.execute(sa.update(Application).where(Application.id.in_(moved)).values(candidate_id=keep.id))
    return moved, withdrawn


def _swap_candidates(a: Application, b: Application, drop: Candidate) -> None:
    """Exchange the candidates of two applications to the same offer.

    (candidate_id, offer_id) is unique and checked row by row on both databases, so the swap goes
    through a placeholder record created and deleted inside this unit of work.
    """
    holder = Candidate(**{column.key: getattr(drop, column.key) for column in Candidate.__table__.columns
                          if column.key not in ("id", "merged_into_id", "created_at", "updated_at")})
    db.session.add(holder)
    db.session.flush()
    a_candidate, b_candidate = a.candidate_id, b.candidate_id
    for app, target in ((a, holder.id), (b, a_candidate), (a, b_candidate)):
        app.candidate_id = target
        db.session.flush()
    db.session.delete(holder)
    db.session.flush()
    db.session.expire(a, ["candidate"])
    db.session.expire(b, ["candidate"])


def _withdraw(app: Application, kept: Application, actor: User) -> None:
    now = utcnow()
    app.events.append(ApplicationEvent(from_status=app.status, to_status=S.WITHDRAWN, actor_id=actor.id,
                                       occurred_at=now, comment=MERGE_COMMENT.format(kept=kept.id)))
    app.status, app.last_event_at = S.WITHDRAWN, now
    if app.proposed_by_id is not None:
        notify(app.proposed_by_id, "Une candidature en double a été retirée lors de la fusion de deux fiches "
                                   "de la même personne.")


def _criterion_rank(row: EligibilityCriterion) -> tuple:
    """Higher is better: valid (latest validity first), declared, expired, refused."""
    if is_valid(row, today()):
        return (3, row.valid_until)
    order = {EligibilityStatus.DECLARED: 2, EligibilityStatus.VALIDATED: 1, EligibilityStatus.REFUSED: 0}
    return (order[row.status], row.valid_until or row.declared_at.date())


def _merge_criteria(keep: Candidate, drop: Candidate) -> None:
    kept = {row.criterion: row for row in keep.criteria}
    for row in list(drop.criteria):
        rival = kept.get(row.criterion)
        if rival is not None and _criterion_rank(rival) >= _criterion_rank(row):
            db.session.delete(row)
            continue
        if rival is not None:
            db.session.delete(rival)
            db.session.flush()  # the unique (candidate, criterion) row must go before this one moves
        row.candidate_id = keep.id
    db.session.flush()
    db.session.expire(keep, ["criteria", "desired_jobs", "consents"])
    db.session.expire(drop, ["criteria", "desired_jobs", "consents"])
