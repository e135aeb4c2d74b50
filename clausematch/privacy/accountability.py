"""The accountability period (issue 14): an anonymised person whose every contract ended more than
the territory's `accountability_years` ago is reduced to anonymous aggregates.

`reducible` finds them in SQL for a range of records (the retention plan calls it batch by batch);
`reduce_to_aggregates` is one unit of work per person: the record and its contracts locked, the
rule re-checked, the person counted into accountability_archive (by territory, lot and year of
contract end), then every row about them deleted, the lots' hour totals kept. The daily job
"privacy.retention" runs both (privacy/retention.py).
"""
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from clausematch import audit
from clausematch.accounts.models import Territory
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.audit import AuditEvent
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    CandidateNameWord,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.database import add_months, locked
from clausematch.extensions import db
from clausematch.pathways.hours_totals import KEY as TOTALS_KEY
from clausematch.pathways.hours_totals import ArchivedLotMonthHours, LotMonthHours
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursRevision, HoursStatus
from clausematch.prehire.models import EventParticipant, PreHireStep
from clausematch.privacy.models import AccountabilityArchive, ArchiveMeasure


def accountability_cutoff(on: date, years: int) -> date:
    """Contracts that ended before this day ended more than `years` years before `on`."""
    return add_months(on, -12 * years)


def reducible(territory_id: int, years: int, on: date, first: int, last: int) -> list[sa.Row]:
    """Anonymised records of ids first..last whose every contract (at least one) ended more than
    `years` years ago, and into which no other record was merged: rows (id, territory_id,
    prescriber_id, last_end)."""
    cutoff = accountability_cutoff(on, years)
    other = sa.orm.aliased(EmploymentContract)
    merged = sa.orm.aliased(Candidate)
    stmt = (sa.select(Candidate.id, Candidate.territory_id, Candidate.prescriber_id,
                      sa.func.max(EmploymentContract.end_date).label("last_end"))
            .join(EmploymentContract, EmploymentContract.candidate_id == Candidate.id)
            .where(Candidate.territory_id == territory_id, Candidate.id.between(first, last),
                   Candidate.anonymised_at.is_not(None), Candidate.merged_into_id.is_(None),
                   ~sa.exists().where(other.candidate_id == Candidate.id,
                                      sa.or_(other.end_date.is_(None), other.end_date >= cutoff)),
                   ~sa.exists().where(merged.merged_into_id == Candidate.id))
            .group_by(Candidate.id, Candidate.territory_id, Candidate.prescriber_id).order_by(Candidate.id))
    return list(db.session.execute(stmt))


def _upsert_adding(model, key: dict, amounts: dict) -> None:
    """Add `amounts` to the row of `model` at `key` (created when missing), in one statement."""
    dialect = {"postgresql": postgresql, "sqlite": sqlite}[db.session.get_bind().dialect.name]
    insert = dialect.insert(model).values(**key, **amounts)
    table = model.__table__
    db.session.execute(insert.on_conflict_do_update(
        index_elements=list(key), set_={name: table.c[name] + insert.excluded[name] for name in amounts}))


def reduce_to_aggregates(candidate_id: int, on: date) -> bool:
    """One unit of work: an anonymised person whose every contract ended more than the territory's
    `accountability_years` ago is counted into accountability_archive (by territory, lot and year
    of contract end), then every row about them is deleted. The amounts of their hours entries go
    to archived_lot_month_hours and stay in the lots' totals (added back after the triggers took
    them off): no lot total falls. False (nothing written) when the rule no longer holds."""
    candidate = locked(db.session, sa.select(Candidate).where(Candidate.id == candidate_id)).one_or_none()
    if candidate is None or candidate.anonymised_at is None or candidate.merged_into_id is not None:
        db.session.rollback()
        return False
    years = db.session.scalar(sa.select(Territory.accountability_years).where(Territory.id == candidate.territory_id))
    cutoff = accountability_cutoff(on, years)
    contracts = list(locked(db.session, sa.select(EmploymentContract)
                            .where(EmploymentContract.candidate_id == candidate_id).order_by(EmploymentContract.id)))
    merged_into_it = db.session.scalar(sa.select(sa.exists().where(Candidate.merged_into_id == candidate_id)))
    if not contracts or merged_into_it or any(c.end_date is None or c.end_date >= cutoff for c in contracts):
        db.session.rollback()
        return False
    contract_ids = [c.id for c in contracts]
    entries = list(locked(db.session, sa.select(HoursEntry).where(
        sa.or_(HoursEntry.candidate_id == candidate_id, HoursEntry.contract_id.in_(contract_ids)))
        .order_by(HoursEntry.id)))
    exits = list(db.session.scalars(sa.select(Exit).where(Exit.contract_id.in_(contract_ids))))
    publics = sorted(db.session.scalars(sa.select(EligibilityCriterion.criterion).where(
        EligibilityCriterion.candidate_id == candidate_id, EligibilityCriterion.status == EligibilityStatus.VALIDATED)))

    group = {c.id: (c.lot_id, c.end_date.year) for c in contracts}
    counts: Counter = Counter()
    for lot_year in set(group.values()):
        counts[(*lot_year, ArchiveMeasure.PEOPLE, "")] += 1
        for criterion in publics:
            counts[(*lot_year, ArchiveMeasure.PUBLICS, criterion.value)] += 1
    for contract in contracts:
        counts[(*group[contract.id], ArchiveMeasure.HIRES, contract.contract_type.value)] += 1
    for exit_ in exits:
        counts[(*group[exit_.contract_id], ArchiveMeasure.EXITS, exit_.category.value)] += 1
    totals: dict[tuple, list] = defaultdict(lambda: [0, Decimal(0)])
    for entry in entries:
        if entry.status == HoursStatus.VALIDATED and entry.contract_id in group:
            counts[(*group[entry.contract_id], ArchiveMeasure.HOURS, entry.kind.value)] += entry.hours
        total = totals[tuple(getattr(entry, column) for column in TOTALS_KEY)]
        total[0] += 1
        total[1] += entry.hours
    for (lot_id, year, measure, key), value in sorted(counts.items(), key=str):
        _upsert_adding(AccountabilityArchive, {"territory_id": candidate.territory_id, "lot_id": lot_id,
                                               "year": year, "measure": measure, "key": key}, {"value": value})

    entry_ids = [entry.id for entry in entries]
    application_ids = sa.select(Application.id).where(Application.candidate_id == candidate_id).scalar_subquery()
    if entry_ids:
        db.session.execute(sa.delete(HoursRevision).where(HoursRevision.entry_id.in_(entry_ids)))
        db.session.execute(sa.delete(HoursEntry).where(HoursEntry.id.in_(entry_ids)))  # the triggers take them off
    for key, (number, hours) in sorted(totals.items(), key=str):
        values = dict(zip(TOTALS_KEY, key, strict=True))
        _upsert_adding(ArchivedLotMonthHours, values, {"entries": number, "hours": hours})
        _upsert_adding(LotMonthHours, values, {"entries": number, "hours": hours})  # … and they stay in the totals
    exit_ids = [exit_.id for exit_ in exits]
    if exit_ids:
        db.session.execute(sa.delete(FollowUp).where(FollowUp.exit_id.in_(exit_ids)))
        db.session.execute(sa.delete(Exit).where(Exit.id.in_(exit_ids)))
    db.session.execute(sa.update(EmploymentContract).where(EmploymentContract.id.in_(contract_ids))
                       .values(previous_contract_id=None))
    db.session.execute(sa.delete(EmploymentContract).where(EmploymentContract.id.in_(contract_ids)))
    db.session.execute(sa.delete(ApplicationEvent).where(ApplicationEvent.application_id.in_(application_ids)))
    for model in (Application, EventParticipant, PreHireStep, EligibilityCriterion, Consent, CandidateDesiredJob,
                  CandidateNameWord):
        db.session.execute(sa.delete(model).where(model.candidate_id == candidate_id))
    # The log keeps its lines (who did what, when) without the person, who no longer exists.
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.candidate_id == candidate_id)
                       .values(candidate_id=None).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(Candidate).where(Candidate.id == candidate_id))
    audit.record("candidate.reduced_to_aggregates", "candidate", candidate_id, actor_id=None,
                 territory_id=candidate.territory_id, contracts=len(contracts), hours_entries=len(entry_ids))
    db.session.expunge(candidate)
    db.session.commit()
    return True
