"""The applications' part of a merge of two candidate records (candidates.signals.candidate_merged).

The dropped record's applications move to the kept one, with their events. When both applied
to the same offer, the most advanced application stays with the kept record (hired > interview
> sent > shortlisted > validated > submitted > refused > withdrawn; a tie keeps the kept
record's). The other stays on the dropped record, with its whole history, and is withdrawn
through the workflow (event with the merge's comment, audit, prescriber side told) unless it
already ended. Runs inside the merge's unit of work; the merge commits. The applications are
locked (database.locked) before they are compared, so a move made meanwhile is seen.
"""
import sqlalchemy as sa

from clausematch.accounts.models import User
from clausematch.applications import workflow
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.candidates.models import Candidate
from clausematch.candidates.signals import candidate_merged
from clausematch.database import locked
from clausematch.extensions import db

S = ApplicationStatus
PROGRESS = [S.WITHDRAWN, S.REFUSED, S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]
ENDED = frozenset({S.HIRED, S.REFUSED, S.WITHDRAWN})
MERGE_COMMENT = ("Retirée lors de la fusion de deux fiches de la même personne : sa candidature n° {kept} "
                 "à la même offre est conservée.")


def connect() -> None:
    """Handle merges from now on (idempotent: blinker keeps one connection per receiver)."""
    candidate_merged.connect(on_candidate_merged, weak=False)


def on_candidate_merged(kept: Candidate, *, actor: User, dropped: Candidate) -> dict:
    """Move the dropped record's applications; the ids moved and withdrawn, for the merge's audit."""
    moved, withdrawn = merge_applications(kept, dropped, actor)
    return {"applications": moved, "withdrawn_applications": withdrawn}


def merge_applications(keep: Candidate, drop: Candidate, actor: User) -> tuple[list[int], list[int]]:
    """Move the dropped record's applications; returns (moved ids, withdrawn ids)."""
    apps = locked(db.session, sa.select(Application).where(Application.candidate_id.in_((keep.id, drop.id)))
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
            workflow.change_status(app, S.WITHDRAWN, actor, MERGE_COMMENT.format(kept=rival.id))
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
