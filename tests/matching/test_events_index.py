"""The index follows committed changes through session events (matching/events.py): the services of
candidates and offers call nothing of matching, yet their changes reach the index after the commit,
and never after a rollback."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from matching_app_support import MASON, add_criterion, candidate, offer_of

from clausematch.candidates import services as candidate_services
from clausematch.candidates.checks import CandidateInput, ConsentInput, DesiredJobInput
from clausematch.candidates.models import Candidate, EligibilityStatus
from clausematch.candidates.validation import refuse_criterion, validate_criterion
from clausematch.database import today
from clausematch.matching import events, feed, services
from clausematch.offers import services as offer_services
from clausematch.offers.jobs import expire_offers
from clausematch.offers.models import Offer, OfferStatus


@pytest.fixture
def scene(db, personas, territory):
    """A published maçon offer and a maçon candidate, both indexed (the index is built)."""
    offer = offer_of(personas["company"].organisation, territory)
    person = candidate(personas["prescriber"].organisation)
    db.session.commit()
    services.engine()
    return offer, person


def indexed_candidates(offer) -> set[int]:
    return {match.id for match in services.engine().candidates_for(feed.offer_profile(offer), k=100)}


def indexed_offers(person) -> set[int]:
    profile = next(feed.candidate_profiles(Candidate.id == person.id))
    return {match.id for match in services.engine().offers_for(profile, k=100)}


def form(person=None, **changes) -> CandidateInput:
    values = dict(first_name="Awa", last_name="Diallo", birth_date=date(1992, 3, 4), gender="f",
                  education_level="cap_bep", commune_text="", commune_insee="93066", mobility_km=20,
                  desired_jobs=[DesiredJobInput("Maçon / Maçonne", str(MASON))], available=True)
    if person is not None:
        values.update(first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date,
                      gender=person.gender.value, education_level=person.education_level.value,
                      commune_insee=person.commune_insee, mobility_km=person.mobility_km)
    values.update(changes)
    return CandidateInput(**values)


def test_a_candidate_created_through_the_service_is_indexed(db, personas, scene):
    offer, person = scene
    created = candidate_services.create_candidate(
        personas["prescriber"], form(), ConsentInput(True, today(), candidate_services.STANDARD_PURPOSES)).candidate
    assert indexed_candidates(offer) == {person.id, created.id}


def test_an_edited_candidate_is_upserted_and_an_unavailable_one_removed(db, personas, scene):
    offer, person = scene
    cleaner = form(person, desired_jobs=[DesiredJobInput("Agent / Agente de propreté de locaux", "10571")])
    candidate_services.update_candidate(personas["prescriber"], person.id, cleaner)
    assert indexed_candidates(offer) == set()
    candidate_services.update_candidate(personas["prescriber"], person.id, form(person))
    assert indexed_candidates(offer) == {person.id}
    candidate_services.update_candidate(personas["prescriber"], person.id, form(person, available=False))
    assert indexed_candidates(offer) == set()
    assert services.holder().builds == 1


def test_a_validated_or_refused_criterion_reaches_the_index(db, personas, territory, scene):
    _, person = scene
    rsa_only = offer_of(personas["company"].organisation, territory, eligible_criteria=["deld"])
    add_criterion(person, "deld", status=EligibilityStatus.DECLARED)
    db.session.commit()
    assert rsa_only.id not in indexed_offers(person)
    criterion = next(row for row in person.criteria if row.criterion.value == "deld")
    validate_criterion(personas["facilitator"], criterion.id)
    assert rsa_only.id in indexed_offers(person)
    refuse_criterion(personas["facilitator"], criterion.id, "Attestation illisible")
    assert rsa_only.id not in indexed_offers(person)


def test_an_offer_published_then_closed_enters_then_leaves_the_index(db, personas, territory, scene):
    _, person = scene
    submitted = offer_of(personas["company"].organisation, territory, status=OfferStatus.SUBMITTED)
    db.session.commit()
    assert submitted.id not in indexed_offers(person)
    offer_services.set_offer_status(submitted.id, OfferStatus.PUBLISHED, personas["facilitator"])
    assert submitted.id in indexed_offers(person)
    offer_services.set_offer_status(submitted.id, OfferStatus.CLOSED, personas["facilitator"])
    assert submitted.id not in indexed_offers(person)


def test_expired_offers_leave_the_index_with_the_nightly_job(db, personas, scene):
    offer, person = scene
    offer.publication_end = today() - timedelta(days=1)
    db.session.commit()
    assert offer.id not in indexed_offers(person)  # an edit is an upsert: no longer open, so removed
    services.rebuild_index()
    offer.publication_end = today() + timedelta(days=1)
    db.session.commit()
    assert offer.id in indexed_offers(person)
    assert expire_offers(today() + timedelta(days=2)) == 1
    assert offer.id not in indexed_offers(person)


def test_nothing_is_applied_after_a_rollback(db, personas, scene, monkeypatch):
    offer, person = scene
    applied = []
    monkeypatch.setattr(services, "apply_changes", lambda *ids: applied.append(ids))
    person.available = False
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert applied == [] and events.CHANGES_KEY not in db.session.info
    assert indexed_candidates(offer) == {person.id}


def test_a_released_savepoint_waits_for_the_outer_commit(db, personas, scene, monkeypatch):
    offer, person = scene
    applied, apply = [], services.apply_changes
    monkeypatch.setattr(services, "apply_changes", lambda *ids: applied.append(ids) or apply(*ids))
    with db.session.begin_nested():
        db.session.get(Candidate, person.id).available = False
    db.session.rollback()
    # The index as it stands, without the change log's catch-up (that reads the database, where
    # pysqlite's released SAVEPOINT, outside any BEGIN, has already committed).
    held = {match.id for match in services.holder().engine.candidates_for(feed.offer_profile(offer), k=100)}
    assert applied == [] and held == {person.id}
    with db.session.begin_nested():
        db.session.get(Candidate, person.id).available = False
    assert applied == []
    db.session.commit()
    assert applied == [({person.id}, set())] and indexed_candidates(offer) == set()


def test_bulk_updates_are_seen_too(db, personas, scene):
    offer, person = scene
    db.session.execute(sa.update(Candidate).where(Candidate.id == person.id).values(available=False))
    db.session.execute(sa.update(Offer).where(Offer.id == offer.id).values(status=OfferStatus.CLOSED))
    db.session.commit()
    assert indexed_candidates(offer) == set() and services.engine().offer_count == 0


def test_a_commit_never_builds_the_index(db, personas, territory):
    person = candidate(personas["prescriber"].organisation)
    db.session.commit()
    person.available = False
    db.session.commit()
    assert not services.is_built()


def test_bulk_inserts_are_seen_too(db, personas, scene):
    """An ORM bulk INSERT of candidates returning their ids (the imports), with their desired jobs
    and criteria inserted in bulk too, reaches the index and the change log after the commit; one
    that does not return the ids is refused (the index would never see those people)."""
    from clausematch.candidates.models import CandidateDesiredJob, EligibilityCriterion
    from clausematch.matching.changelog import MatchingChange

    offer, person = scene
    columns = {column.key for column in Candidate.__table__.columns} - {"id", "created_at", "updated_at"}
    values = {key: getattr(person, key) for key in columns} | {"first_name": "Awa", "name_key": "awa bulk"}
    with pytest.raises(RuntimeError, match="returning"):
        db.session.execute(sa.insert(Candidate), [values])
    db.session.rollback()
    (new_id,) = db.session.scalars(sa.insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True),
                                   [values]).all()
    db.session.execute(sa.insert(CandidateDesiredJob), [{"candidate_id": new_id, "appellation_code": MASON}])
    criterion = person.criteria[0]
    db.session.execute(sa.insert(EligibilityCriterion), [
        {"candidate_id": new_id, "criterion": criterion.criterion, "status": criterion.status,
         "evidence": "Attestation vue", "validated_at": criterion.validated_at, "valid_until": criterion.valid_until}])
    assert new_id not in indexed_candidates(offer)  # not before the commit
    db.session.commit()
    assert indexed_candidates(offer) == {person.id, new_id}
    # Ids given by the caller (the demo seed) are noted without RETURNING.
    given = new_id + 100
    db.session.execute(sa.insert(Candidate.__table__), [values | {"id": given, "name_key": "awa given"}])
    db.session.execute(sa.insert(CandidateDesiredJob), [{"candidate_id": given, "appellation_code": MASON}])
    db.session.execute(sa.insert(EligibilityCriterion), [
        {"candidate_id": given, "criterion": criterion.criterion, "status": criterion.status,
         "evidence": "Attestation vue", "validated_at": criterion.validated_at, "valid_until": criterion.valid_until}])
    db.session.commit()
    assert indexed_candidates(offer) == {person.id, new_id, given}
    logged = db.session.scalars(sa.select(MatchingChange.entity_id).where(MatchingChange.side == "candidate")).all()
    assert new_id in logged
