"""Merging two records of one person keeps every application, event, criterion, consent, contract and hour."""
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import (
    ApplicationFactory,
    EmploymentContractFactory,
    HoursEntryFactory,
    LotInTerritoryFactory,
    OfferInTerritoryFactory,
)

from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.merge import merge_candidates
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed
from clausematch.pathways.models import EmploymentContract, HoursEntry
from clausematch.vocabulary import Criterion

S = ApplicationStatus
BORN = date(1990, 5, 17)


def application(db, candidate, offer, status, events=1):
    app = ApplicationFactory(candidate=candidate, offer=offer, status=status)
    for n in range(events):
        db.session.add(ApplicationEvent(application_id=app.id, to_status=status, comment=f"étape {n}",
                                        occurred_at=datetime(2025, 1, 1) + timedelta(days=n)))
    return app


def criterion(candidate, code, status, valid_until=None):
    extra = {}
    if status == EligibilityStatus.VALIDATED:
        extra["validated_at"] = datetime(2025, 1, 1)
    if status == EligibilityStatus.REFUSED:
        extra["refusal_reason"] = "Justificatif illisible"
    candidate.criteria.append(EligibilityCriterion(criterion=code, status=status, valid_until=valid_until,
                                                   evidence="vu", **extra))


@pytest.fixture
def pair(db, personas, other_prescriber, record):
    """Two records of the same person in two organisations, with applications, hours and criteria."""
    keep = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    drop = record(other_prescriber.organisation, first_name="Helene", last_name="Martinn", birth_date=BORN,
                  email="helene@exemple.fr", referent_id=other_prescriber.id)
    lot = LotInTerritoryFactory(contract__buyer__territory=personas["prescriber"].organisation.territory)
    offers = [OfferInTerritoryFactory(lot=lot) for _ in range(3)]
    apps = {
        "only_drop": application(db, drop, offers[0], S.HIRED, events=3),
        "keep_behind": application(db, keep, offers[1], S.SUBMITTED),
        "drop_ahead": application(db, drop, offers[1], S.INTERVIEW, events=2),
        "keep_ahead": application(db, keep, offers[2], S.SENT, events=2),
        "drop_behind": application(db, drop, offers[2], S.SUBMITTED),
    }
    hire = EmploymentContractFactory(candidate=drop, lot=lot, application_id=apps["only_drop"].id)
    HoursEntryFactory(contract=hire, month=date(2025, 3, 1))
    HoursEntryFactory(contract=hire, month=date(2025, 4, 1))
    criterion(keep, Criterion.RSA, EligibilityStatus.DECLARED)
    criterion(drop, Criterion.RSA, EligibilityStatus.VALIDATED, today() + timedelta(days=30))
    criterion(keep, Criterion.DELD, EligibilityStatus.VALIDATED, today() + timedelta(days=30))
    criterion(drop, Criterion.DELD, EligibilityStatus.REFUSED)
    criterion(drop, Criterion.QPV, EligibilityStatus.DECLARED)
    keep.desired_jobs.append(CandidateDesiredJob(appellation_code=16250))
    drop.desired_jobs.extend([CandidateDesiredJob(appellation_code=16250), CandidateDesiredJob(appellation_code=11573)])
    drop.consents.append(Consent(given_on=date(2025, 1, 2), purposes="Accompagnement"))
    earlier = record(other_prescriber.organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    earlier.merged_into_id = drop.id
    db.session.commit()
    return keep, drop, apps, earlier


def count(db, model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_merge_keeps_everything(db, facilitator, pair):
    keep, drop, apps, earlier = pair
    events_before = count(db, ApplicationEvent)
    merge_candidates(facilitator, keep.id, drop.id)
    db.session.expire_all()

    owner = {name: db.session.get(Application, app.id) for name, app in apps.items()}
    assert {name: (app.candidate_id, app.status) for name, app in owner.items()} == {
        "only_drop": (keep.id, S.HIRED),
        "drop_ahead": (keep.id, S.INTERVIEW),  # the most advanced moves to the kept record
        "keep_behind": (drop.id, S.WITHDRAWN),  # the other stays behind, withdrawn
        "keep_ahead": (keep.id, S.SENT),
        "drop_behind": (drop.id, S.WITHDRAWN),
    }
    assert count(db, ApplicationEvent) == events_before + 2
    for name, expected in (("only_drop", 3), ("drop_ahead", 2), ("keep_ahead", 2), ("keep_behind", 2)):
        assert len(owner[name].events) == expected
    assert "fusion" in owner["keep_behind"].events[-1].comment
    assert count(db, HoursEntry, HoursEntry.candidate_id == keep.id) == 2
    assert count(db, EmploymentContract, EmploymentContract.candidate_id == keep.id) == 1

    kept = db.session.get(Candidate, keep.id)
    statuses = {row.criterion.value: row.status for row in kept.criteria}
    # Both held RSA and DELD: the kept record's organisation's rows stay, even RSA only declared
    # against the other's validated one (merge.py); QPV, held by the dropped record only, moves.
    assert statuses == {"rsa": EligibilityStatus.DECLARED, "deld": EligibilityStatus.VALIDATED,
                        "qpv": EligibilityStatus.DECLARED}
    assert {row.criterion.value: row.declared_by_organisation_id for row in kept.criteria} == {
        "rsa": keep.prescriber_id, "deld": keep.prescriber_id, "qpv": drop.prescriber_id}
    assert count(db, EligibilityCriterion, EligibilityCriterion.candidate_id == drop.id) == 0
    assert sorted(job.appellation_code for job in kept.desired_jobs) == [11573, 16250]
    assert [c.purposes for c in kept.consents] == ["Accompagnement"]
    assert kept.email == "helene@exemple.fr"  # empty field filled from the dropped record
    assert (kept.first_name, kept.last_name) == ("Hélène", "Martin")
    assert db.session.get(Candidate, drop.id).merged_into_id == keep.id
    assert db.session.get(Candidate, earlier.id).merged_into_id == keep.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.merged"))
    assert event.details["merged_id"] == drop.id
    assert sorted(event.details["withdrawn_applications"]) == sorted([apps["keep_behind"].id, apps["drop_behind"].id])
    # No placeholder record is left behind.
    assert count(db, Candidate) == 3


def test_merge_is_for_facilitators_of_the_territory(db, personas, pair):
    keep, drop, _, _ = pair
    for role in ("prescriber", "company", "buyer", "admin"):
        with pytest.raises(NotAllowed):
            merge_candidates(personas[role], keep.id, drop.id)
    assert db.session.get(Candidate, drop.id).merged_into_id is None


def test_merge_refuses_the_same_or_an_already_merged_record(db, facilitator, pair):
    keep, drop, _, earlier = pair
    with pytest.raises(DomainError):
        merge_candidates(facilitator, keep.id, keep.id)
    with pytest.raises(DomainError):
        merge_candidates(facilitator, keep.id, earlier.id)


def test_a_merge_withdraws_the_duplicate_application_through_the_workflow(db, facilitator, pair):
    """The withdrawal is an applications workflow transition (event, audit line, prescriber told);
    the contracts that move are audited by pathways."""
    keep, drop, apps, _ = pair
    merge_candidates(facilitator, keep.id, drop.id)
    db.session.expire_all()

    withdrawn = db.session.get(Application, apps["keep_behind"].id)
    event = withdrawn.events[-1]
    assert (event.from_status, event.to_status, event.actor_id) == (S.SUBMITTED, S.WITHDRAWN, facilitator.id)
    assert event.comment == ("Retirée lors de la fusion de deux fiches de la même personne : sa candidature "
                             f"n° {apps['drop_ahead'].id} à la même offre est conservée.")
    audited = db.session.execute(
        sa.select(AuditEvent.entity_id, AuditEvent.actor_id, AuditEvent.details)
        .where(AuditEvent.action == "application.status_changed").order_by(AuditEvent.entity_id)).all()
    assert [(entity_id, actor_id, details["from_status"], details["to_status"])
            for entity_id, actor_id, details in audited] == [
        (apps["keep_behind"].id, facilitator.id, "submitted", "withdrawn"),
        (apps["drop_behind"].id, facilitator.id, "submitted", "withdrawn")]
    [contract_id] = db.session.scalars(sa.select(EmploymentContract.id))
    moved = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "employment_contract.candidate_merged"))
    assert (moved.entity_id, moved.actor_id, moved.details) == (
        contract_id, facilitator.id, {"from_candidate_id": drop.id, "to_candidate_id": keep.id})
    merged = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.merged"))
    assert merged.details["employment_contracts"] == [contract_id]


def test_merge_handlers_are_connected_once_however_many_apps_are_built(app):
    from clausematch import register_events
    from clausematch.candidates.signals import candidate_merged

    register_events(app)
    register_events(app)
    assert len(candidate_merged.receivers) == 2  # applications and pathways, once each
