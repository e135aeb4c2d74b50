"""The application's engine: built once, kept current after each commit (session events, see
test_events_index.py), rebuilt on demand; the rankings of the facilitator and prescriber pages, with their filters."""
from datetime import timedelta

import pytest
from factories import ApplicationFactory, PrescriberFactory, UserFactory
from matching_app_support import AUBERVILLIERS, CLEANER, LILLE, candidate, offer_of, ranked_ids

from clausematch.accounts.models import Role
from clausematch.candidates import services as candidate_services
from clausematch.candidates.checks import CandidateInput, DesiredJobInput
from clausematch.candidates.merge import merge_candidates
from clausematch.candidates.validation import validate_criterion
from clausematch.database import today
from clausematch.errors import NotAllowed
from clausematch.matching import services
from clausematch.matching.services import RankingFilters
from clausematch.offers import services as offer_services
from clausematch.offers.models import OfferStatus


@pytest.fixture
def scene(db, personas, territory):
    """A published maçon offer at Saint-Denis, and the persona prescriber's organisation."""
    offer = offer_of(personas["company"].organisation, territory)
    db.session.commit()
    return offer, personas["prescriber"].organisation


def builds() -> int:
    return services.holder().builds


def test_engine_is_built_once_at_first_use(db, personas, scene):
    offer, prescriber = scene
    candidate(prescriber)
    db.session.commit()
    assert not services.is_built() and builds() == 0
    assert len(ranked_ids(offer, personas["facilitator"])) == 1
    ranked_ids(offer, personas["facilitator"])
    assert builds() == 1


def test_warm_start_builds_the_engine_in_the_background(app, db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    services.warm_start(app).join(timeout=60)
    assert builds() == 1
    assert ranked_ids(offer, personas["facilitator"]) == [person.id]
    assert builds() == 1


def test_changes_before_the_first_build_build_nothing(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    person.available = False
    db.session.commit()
    services.apply_changes([person.id], [offer.id])
    assert not services.is_built()


def test_rebuild_reads_the_database_again_and_says_so(db, personas, scene, monkeypatch):
    offer, prescriber = scene
    first = candidate(prescriber)
    db.session.commit()
    services.engine()
    # Neither applied here nor written to the change log (as a change made outside the app's
    # session, by hand in the database): only a rebuild sees it.
    with monkeypatch.context() as patched:
        patched.setattr(services, "apply_changes", lambda *ids: None)
        patched.setattr(services.changelog, "record", lambda *args: None)
        second = candidate(prescriber)
        db.session.commit()
    assert ranked_ids(offer, personas["facilitator"]) == [first.id]
    summary = services.rebuild_index()
    assert summary == "Index de rapprochement reconstruit : 2 candidat(s) et 1 offre(s) ouverte(s)."
    assert sorted(ranked_ids(offer, personas["facilitator"])) == sorted([first.id, second.id])
    assert builds() == 2


def test_changes_seen_during_a_rebuild_are_replayed_on_the_new_engine(db, personas, scene, monkeypatch):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    services.engine()
    real = services.feed.offer_profiles

    def offers_then_a_change(*args, **kwargs):
        # While the rebuild reads the offers, the candidate becomes unavailable (a commit: the
        # session events hand the change to the index while it is being rebuilt).
        if not args and not kwargs and services.holder().rebuilding:
            person.available = False
            db.session.commit()
        return real(*args, **kwargs)

    monkeypatch.setattr(services.feed, "offer_profiles", offers_then_a_change)
    services.rebuild_index()
    assert ranked_ids(offer, personas["facilitator"]) == []


def _input(person, **changes) -> CandidateInput:
    values = dict(first_name=person.first_name, last_name=person.last_name, birth_date=person.birth_date,
                  gender=person.gender.value, education_level=person.education_level.value,
                  commune_insee=person.commune_insee, commune_text="", mobility_km=person.mobility_km,
                  desired_jobs=[DesiredJobInput("Maçon / Maçonne", "16250")], available=person.available)
    values.update(changes)
    return CandidateInput(**values)


def test_a_candidate_made_unavailable_leaves_the_ranking_at_once(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    facilitator = personas["facilitator"]
    assert ranked_ids(offer, facilitator) == [person.id]

    candidate_services.update_candidate(personas["prescriber"], person.id, _input(person, available=False))
    assert ranked_ids(offer, facilitator) == []

    candidate_services.update_candidate(personas["prescriber"], person.id, _input(person, available=True))
    assert ranked_ids(offer, facilitator) == [person.id]
    assert builds() == 1  # upserts, never a rebuild


def test_a_changed_job_is_upserted(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    assert ranked_ids(offer, personas["facilitator"]) == [person.id]
    cleaner = _input(person, desired_jobs=[DesiredJobInput("Agent / Agente de propreté de locaux", str(CLEANER))])
    candidate_services.update_candidate(personas["prescriber"], person.id, cleaner)
    assert ranked_ids(offer, personas["facilitator"]) == []


def test_validating_a_criterion_lets_the_candidate_in_for_an_offer_with_publics(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, eligible_criteria=["rsa"])
    person = candidate(personas["prescriber"].organisation, criteria=())
    from matching_app_support import add_criterion

    from clausematch.candidates.models import EligibilityStatus

    add_criterion(person, "rsa", status=EligibilityStatus.DECLARED)
    db.session.commit()
    assert ranked_ids(offer, personas["facilitator"]) == []  # declared only: not in the facilitator's ranking
    validate_criterion(personas["facilitator"], person.criteria[0].id)
    assert ranked_ids(offer, personas["facilitator"]) == [person.id]


def test_a_merged_record_leaves_the_index(db, personas, scene):
    offer, prescriber = scene
    keep, drop = candidate(prescriber), candidate(prescriber)
    db.session.commit()
    assert sorted(ranked_ids(offer, personas["facilitator"])) == sorted([keep.id, drop.id])
    merge_candidates(personas["facilitator"], keep.id, drop.id,
                     justification="Même personne : même numéro France Travail, inscrite deux fois.")
    assert ranked_ids(offer, personas["facilitator"]) == [keep.id]


def test_an_offer_closed_leaves_the_prescribers_suggestions(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    db.session.commit()
    assert [s.id for s in services.offers_for_candidate(person, personas["prescriber"])] == [offer.id]
    offer_services.set_offer_status(offer.id, OfferStatus.CLOSED, personas["facilitator"])
    assert services.offers_for_candidate(person, personas["prescriber"]) == []
    assert offer.id not in {p.id for p in services.feed.offer_profiles()}


def test_facilitator_ranking_keeps_the_offers_territory_and_says_why(db, personas, scene):
    offer, prescriber = scene
    near = candidate(prescriber, first_name="Awa", commune_insee=AUBERVILLIERS)
    candidate(PrescriberFactory(), first_name="Ailleurs")  # same job, another territory
    db.session.commit()
    [suggestion] = services.candidates_for_offer(offer, personas["facilitator"])
    assert (suggestion.id, suggestion.first_name, suggestion.prescriber_name) == (near.id, "Awa", prescriber.name)
    assert suggestion.reasons[0] == "Même métier : F1703 Maçonnerie"
    assert any(reason.startswith("à ") and reason.endswith("km") for reason in suggestion.reasons)
    assert 0 < suggestion.score <= 1 and suggestion.can_be_shortlisted


def test_filters_distance_publics_availability_and_already_proposed(db, personas, scene):
    offer, prescriber = scene
    near = candidate(prescriber, commune_insee=AUBERVILLIERS, criteria=("rsa",))
    far = candidate(prescriber, commune_insee=LILLE, mobility_km=200, criteria=("deld",))
    later = candidate(prescriber, criteria=("rsa",), available_from=today() + timedelta(days=60))
    proposed = candidate(prescriber, criteria=("rsa",))
    ApplicationFactory(candidate=proposed, offer=offer)
    db.session.commit()
    facilitator = personas["facilitator"]
    everyone = set(ranked_ids(offer, facilitator, RankingFilters(exclude_proposed=False)))
    assert everyone == {near.id, far.id, later.id, proposed.id}
    assert set(ranked_ids(offer, facilitator)) == {near.id, far.id, later.id}
    assert set(ranked_ids(offer, facilitator, RankingFilters(max_distance_km=20))) == {near.id, later.id}
    assert set(ranked_ids(offer, facilitator, RankingFilters(criteria=frozenset({"deld"})))) == {far.id}
    assert set(ranked_ids(offer, facilitator, RankingFilters(available_within_days=30))) == {near.id, far.id}
    assert len(ranked_ids(offer, facilitator, k=2)) == 2


def test_publics_filter_outside_the_offers_publics_finds_nobody(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, eligible_criteria=["rsa"])
    candidate(personas["prescriber"].organisation, criteria=("rsa", "deld"))
    db.session.commit()
    assert ranked_ids(offer, personas["facilitator"], RankingFilters(criteria=frozenset({"deld"}))) == []


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_the_territorys_facilitators_rank_candidates(db, personas, scene, role):
    with pytest.raises(NotAllowed):
        services.candidates_for_offer(scene[0], personas[role])


def test_facilitator_of_another_territory_may_not_rank(db, personas, scene):
    from factories import FacilitatorTeamFactory

    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory())
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.candidates_for_offer(scene[0], stranger)


def test_suggested_offers_use_declared_criteria_and_skip_proposed_offers(db, personas, territory):
    from matching_app_support import add_criterion

    from clausematch.candidates.models import EligibilityStatus

    company = personas["company"].organisation
    rsa_offer = offer_of(company, territory, eligible_criteria=["rsa"])
    proposed = offer_of(company, territory)
    person = candidate(personas["prescriber"].organisation, criteria=())
    add_criterion(person, "rsa", status=EligibilityStatus.DECLARED)
    ApplicationFactory(candidate=person, offer=proposed)
    db.session.commit()
    suggestions = services.offers_for_candidate(person, personas["prescriber"])
    assert [s.id for s in suggestions] == [rsa_offer.id]
    assert suggestions[0].reasons[0] == "Même métier : F1703 Maçonnerie"
    assert "public éligible : RSA" in suggestions[0].reasons


def test_suggested_offers_are_for_the_owning_organisation_only(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber)
    other = UserFactory(role=Role.PRESCRIBER, organisation=PrescriberFactory(territory=prescriber.territory))
    db.session.commit()
    for user in (other, personas["facilitator"], personas["company"]):
        with pytest.raises(NotAllowed):
            services.offers_for_candidate(person, user)


def test_unavailable_candidate_gets_no_suggested_offer(db, personas, scene):
    offer, prescriber = scene
    person = candidate(prescriber, available=False)
    db.session.commit()
    assert services.offers_for_candidate(person, personas["prescriber"]) == []
