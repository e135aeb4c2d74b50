"""The pathways' part of a merge of two candidate records (candidates.signals.candidate_merged):
the dropped record's employment contracts and hours entries move to the kept one, audited
("employment_contract.candidate_merged" on each contract moved). Runs inside the merge's unit of
work; the merge commits.
"""
import sqlalchemy as sa

from clausematch.accounts.models import User
from clausematch.audit import record
from clausematch.candidates.models import Candidate
from clausematch.candidates.signals import candidate_merged
from clausematch.extensions import db
from clausematch.pathways.models import EmploymentContract, HoursEntry

MOVED_ACTION = "employment_contract.candidate_merged"


def connect() -> None:
    """Handle merges from now on (idempotent: blinker keeps one connection per receiver)."""
    candidate_merged.connect(on_candidate_merged, weak=False)


def on_candidate_merged(kept: Candidate, *, actor: User, dropped: Candidate) -> dict:
    """Move the dropped record's contracts and hours; the contract ids moved, for the merge's audit."""
    contract_ids = list(db.session.scalars(sa.select(EmploymentContract.id)
                                           .where(EmploymentContract.candidate_id == dropped.id)
                                           .order_by(EmploymentContract.id)))
    for model in (EmploymentContract, HoursEntry):
        db.session.execute(sa.update(model).where(model.candidate_id == dropped.id).values(candidate_id=kept.id))
    for contract_id in contract_ids:
        record(MOVED_ACTION, "employment_contract", contract_id, actor_id=actor.id, candidate_id=kept.id,
               from_candidate_id=dropped.id, to_candidate_id=kept.id)
    return {"employment_contracts": contract_ids}
