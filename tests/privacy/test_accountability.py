"""The accountability period (privacy/retention.py, reduce_to_aggregates): an anonymised person whose
every contract ended more than the territory's accountability_years ago is counted into
accountability_archive, then every row about them is deleted; the lots' hours totals do not fall
(and stay what the totals' check and rebuild compute). Everyone else is left as it was."""
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    EmploymentContractFactory,
    ExitFactory,
    FollowUpFactory,
    HoursEntryFactory,
    LotInTerritoryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
)

from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.pathways import hours_totals
from clausematch.pathways.hours_totals import ArchivedLotMonthHours, LotMonthHours
from clausematch.pathways.models import (
    EmploymentContract,
    Exit,
    FollowUp,
    HoursEntry,
    HoursKind,
    HoursRevision,
    HoursStatus,
)
from clausematch.prehire.models import PreHireStep, StepKind
from clausematch.privacy.accountability import reduce_to_aggregates
from clausematch.privacy.models import AccountabilityArchive
from clausematch.privacy.retention import Action, plan, run
from clausematch.vocabulary import EXIT_CATEGORY, ContractType, Criterion, ExitDetail

ON = date(2026, 12, 1)  # 5 years: contracts that ended before 01/12/2021
GONE = datetime(2024, 1, 1)


@pytest.fixture
def world(db, territory):
    prescriber = PrescriberFactory(territory=territory, name="PLIE Plaine Commune")
    lot = LotInTerritoryFactory()

    def person(**values):
        values.setdefault("anonymised_at", GONE)
        return CandidateInTerritoryFactory(prescriber=prescriber, created_at=datetime(2018, 1, 1), updated_at=GONE,
                                           **values)

    def contract(candidate, start, end, **values):
        values.setdefault("planned_end_date", end or date(2030, 1, 1))
        return EmploymentContractFactory(candidate=candidate, lot=lot, start_date=start, end_date=end,
                                         created_at=datetime(2018, 1, 1), updated_at=datetime(2018, 1, 1), **values)

    old = person()
    first = contract(old, date(2019, 1, 1), date(2019, 12, 31))
    second = contract(old, date(2020, 1, 1), date(2021, 6, 30), contract_type=ContractType.CDI, planned_end_date=None,
                      previous_contract=first)
    HoursEntryFactory(contract=first, month=date(2019, 3, 1), hours=Decimal("100"))
    HoursEntryFactory(contract=first, month=date(2019, 4, 1), kind=HoursKind.TRAINING, hours=Decimal("20"))
    corrected = HoursEntryFactory(contract=second, month=date(2021, 2, 1), hours=Decimal("150"))
    HoursEntryFactory(contract=second, month=date(2021, 3, 1), hours=Decimal("10"), status=HoursStatus.DECLARED)
    db.session.add(HoursRevision(entry_id=corrected.id, old_hours=Decimal("140"), new_hours=Decimal("150")))
    FollowUpFactory(exit=ExitFactory(contract=second, exit_date=date(2021, 6, 30), detail=ExitDetail.CDI))
    application = ApplicationFactory(candidate=old, offer=OfferInTerritoryFactory(lot=lot),
                                     status=ApplicationStatus.HIRED)
    db.session.add(ApplicationEvent(application=application, to_status=ApplicationStatus.HIRED))
    db.session.add(PreHireStep(candidate=old, kind=StepKind.PMSMP, start_date=date(2018, 10, 1)))
    db.session.add_all([
        EligibilityCriterion(candidate=old, criterion=Criterion.RSA, status=EligibilityStatus.VALIDATED,
                             validated_at=datetime(2018, 12, 1), valid_until=date(2019, 6, 1)),
        EligibilityCriterion(candidate=old, criterion=Criterion.QPV, status=EligibilityStatus.DECLARED),
        Consent(candidate=old, given_on=date(2018, 1, 1), purposes="accompagnement")])

    recent_end = person()
    contract(recent_end, date(2021, 1, 1), date(2021, 12, 1))  # ended exactly 5 years ago: kept
    running = person()
    contract(running, date(2019, 1, 1), None, contract_type=ContractType.CDI, planned_end_date=None)
    not_anonymised = person(anonymised_at=None)
    contract(not_anonymised, date(2019, 1, 1), date(2019, 12, 31))
    no_contract = person()
    merged_target = person()
    contract(merged_target, date(2019, 1, 1), date(2019, 12, 31))
    db.session.flush()
    person(anonymised_at=None, merged_into_id=merged_target.id)
    db.session.commit()
    return {"lot": lot, "old": old.id, "territory": territory, "kept": [recent_end.id, running.id, not_anonymised.id,
                                                                      no_contract.id, merged_target.id]}


def lot_totals(db, lot_id):
    db.session.expire_all()
    return sorted(db.session.execute(sa.select(LotMonthHours.month, LotMonthHours.kind, LotMonthHours.status,
                                               LotMonthHours.entries, LotMonthHours.hours)
                                      .where(LotMonthHours.lot_id == lot_id)).all(), key=str)


def rows_of(db, candidate_id) -> dict[str, int]:
    db.session.expire_all()
    contract_ids = sa.select(EmploymentContract.id).where(EmploymentContract.candidate_id == candidate_id)
    queries = {
        "candidate": sa.select(Candidate.id).where(Candidate.id == candidate_id),
        "contracts": contract_ids,
        "hours": sa.select(HoursEntry.id).where(HoursEntry.candidate_id == candidate_id),
        "exits": sa.select(Exit.id).where(Exit.contract_id.in_(contract_ids)),
        "applications": sa.select(Application.id).where(Application.candidate_id == candidate_id),
        "steps": sa.select(PreHireStep.id).where(PreHireStep.candidate_id == candidate_id),
        "criteria": sa.select(EligibilityCriterion.id).where(EligibilityCriterion.candidate_id == candidate_id),
        "consents": sa.select(Consent.id).where(Consent.candidate_id == candidate_id),
    }
    return {name: len(db.session.execute(query).all()) for name, query in queries.items()}


def test_only_the_person_past_the_accountability_period_is_planned(db, world):
    the_plan = plan(ON)
    assert [(d.candidate_id, d.action, d.last_activity) for d in the_plan.reductions] == [
        (world["old"], Action.REDUCE, date(2021, 6, 30))]
    assert (f"candidat n° {world['old']} — PLIE Plaine Commune — fin du dernier contrat le 30/06/2021 — "
            "réduire aux agrégats") in the_plan.lines()


def test_the_person_becomes_counts_and_the_lot_totals_do_not_fall(db, world):
    lot = world["lot"]
    before = lot_totals(db, lot.id)
    kept_before = {candidate_id: rows_of(db, candidate_id) for candidate_id in world["kept"]}

    done = run(ON)

    assert done.reduced == [world["old"]]
    assert rows_of(db, world["old"]) == dict.fromkeys(rows_of(db, world["old"]), 0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursRevision)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApplicationEvent)) == 0
    assert {candidate_id: rows_of(db, candidate_id) for candidate_id in world["kept"]} == kept_before
    assert lot_totals(db, lot.id) == before
    assert hours_totals.mismatches() == []
    hours_totals.rebuild()
    db.session.commit()
    assert lot_totals(db, lot.id) == before
    assert db.session.scalar(sa.select(sa.func.sum(ArchivedLotMonthHours.hours))) == Decimal("280")

    archive = {(row.lot_id, row.year, row.measure, row.key): row.value
               for row in db.session.scalars(sa.select(AccountabilityArchive))}
    archived = db.session.scalars(sa.select(AccountabilityArchive))
    assert all(row.territory_id == world["territory"].id for row in archived)
    category = EXIT_CATEGORY[ExitDetail.CDI].value
    assert archive == {
        (lot.id, 2019, "people", ""): 1, (lot.id, 2021, "people", ""): 1,
        (lot.id, 2019, "hires", "cdd"): 1, (lot.id, 2021, "hires", "cdi"): 1,
        (lot.id, 2019, "hours", "work"): Decimal("100"), (lot.id, 2019, "hours", "training"): Decimal("20"),
        (lot.id, 2021, "hours", "work"): Decimal("150"),  # the declared 10 h never counted
        (lot.id, 2021, "exits", category): 1,
        (lot.id, 2019, "publics", "rsa"): 1, (lot.id, 2021, "publics", "rsa"): 1}  # QPV was only declared
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "candidate.reduced_to_aggregates"))
    assert (event.entity_id, event.actor_id, event.details) == (
        world["old"], None, {"territory_id": world["territory"].id, "contracts": 2, "hours_entries": 4})

    again = run(ON)  # nothing left to reduce; a second reduction of the same id finds no record
    assert again.reduced == [] and reduce_to_aggregates(world["old"], ON) is False


def test_a_record_no_longer_due_under_the_lock_is_left_whole(db, world):
    """The plan saw the person; a contract was reopened meanwhile: nothing is counted or deleted."""
    contract = db.session.scalars(sa.select(EmploymentContract).where(
        EmploymentContract.candidate_id == world["old"]).order_by(EmploymentContract.id.desc())).first()
    contract.end_date = None
    db.session.commit()
    assert reduce_to_aggregates(world["old"], ON) is False
    assert rows_of(db, world["old"])["hours"] == 4
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountabilityArchive)) == 0


@pytest.mark.postgres
def test_two_reductions_at_once_count_the_person_once(app, db, world):
    from concurrency import failures, race

    outcomes = race([app, app], [lambda: reduce_to_aggregates(world["old"], ON)] * 2)

    assert failures(outcomes) == [] and sorted(outcomes) == [False, True]
    db.session.expire_all()
    assert db.session.scalar(sa.select(AccountabilityArchive.value).where(
        AccountabilityArchive.measure == "people", AccountabilityArchive.year == 2019)) == 1
    assert hours_totals.mismatches() == []
