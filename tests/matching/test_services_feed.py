"""Profiles read from the database for the engine (matching/feed.py): what each holds, which
records are indexed, and the streamed merge of the three candidate tables."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, PrescriberFactory
from matching_app_support import CLEANER, LILLE, MASON, SAINT_DENIS, add_criterion, candidate, offer_of

from clausematch.candidates.models import Candidate, EligibilityStatus
from clausematch.database import today
from clausematch.matching import feed
from clausematch.matching.engine import CandidateProfile
from clausematch.offers.models import Offer, OfferStatus
from clausematch.referential.models import Commune


@pytest.fixture
def prescriber(personas):
    return personas["prescriber"].organisation


def test_pieces_cut_free_text_at_separators():
    assert feed.pieces("maçon, coffreur / boiseur ;ferrailleur\n\n  chef   d'équipe ") == [
        "maçon", "coffreur", "boiseur", "ferrailleur", "chef d'équipe"]
    assert feed.pieces("") == [] and feed.pieces(None) == []
    assert feed.pieces("a, a, b") == ["a", "b"]


def test_candidate_profile_holds_jobs_skills_position_and_valid_criteria_only(db, prescriber):
    person = candidate(prescriber, appellations=(MASON,), criteria=("rsa",), desired_jobs_text="coffreur, boiseur",
                       skills="Lecture de plans; port des EPI", commune_insee=SAINT_DENIS, mobility_km=15)
    add_criterion(person, "qpv")  # residence in a QPV: the criterion, as for every public
    add_criterion(person, "deld", status=EligibilityStatus.DECLARED)
    add_criterion(person, "aah", valid_until=today() - timedelta(days=1))  # expired yesterday
    add_criterion(person, "rqth", status=EligibilityStatus.REFUSED)
    db.session.commit()
    commune = db.session.get(Commune, SAINT_DENIS)

    [profile] = feed.candidate_profiles()

    assert profile == CandidateProfile(
        id=person.id, job_titles=["Maçon / Maçonne", "coffreur", "boiseur"], rome_codes=["F1703"],
        skills=["Lecture de plans", "port des EPI"], latitude=commune.latitude, longitude=commune.longitude,
        mobility_km=15.0, criteria=frozenset({"rsa", "qpv"}), available=True)
    [with_declared] = feed.candidate_profiles(with_declared=True)
    assert with_declared.criteria == {"rsa", "deld", "qpv"}  # still neither expired nor refused


def test_criterion_valid_until_today_counts_and_qpv_only_from_its_criterion(db, prescriber):
    person = candidate(prescriber, criteria=())
    add_criterion(person, "rsa", valid_until=today())
    db.session.commit()
    [profile] = feed.candidate_profiles()
    assert profile.criteria == {"rsa"}


def test_unknown_commune_means_unknown_position(db, prescriber):
    candidate(prescriber, commune_insee=None)
    db.session.commit()
    [profile] = feed.candidate_profiles()
    assert (profile.latitude, profile.longitude) == (None, None)


def test_merged_and_unavailable_candidates_are_not_indexed(db, prescriber):
    kept = candidate(prescriber)
    unavailable = candidate(prescriber, available=False)
    merged = candidate(prescriber)
    db.session.flush()
    merged.merged_into_id = kept.id
    elsewhere = candidate(PrescriberFactory())  # another territory: indexed (rankings filter territory)
    db.session.commit()
    assert [p.id for p in feed.candidate_profiles()] == [kept.id, elsewhere.id]
    # Asked for explicitly, the unavailable one comes with its flag.
    [profile] = feed.candidate_profiles(Candidate.id == unavailable.id)
    assert profile.available is False


def test_streamed_merge_gives_each_candidate_its_own_rows(db, prescriber):
    people = []
    for n in range(40):
        # Every third has no desired job, every fourth no criterion: the streams skip around.
        appellations = () if n % 3 == 0 else ((MASON,) if n % 2 else (CLEANER,))
        criteria = () if n % 4 == 0 else (("rsa",) if n % 2 else ("deld", "over_50"))
        people.append(candidate(prescriber, appellations=appellations, criteria=criteria))
    db.session.commit()
    old_batch, feed.BATCH = feed.BATCH, 7  # several round trips per stream
    try:
        profiles = {p.id: p for p in feed.candidate_profiles()}
    finally:
        feed.BATCH = old_batch
    assert len(profiles) == 40
    for n, person in enumerate(people):
        profile = profiles[person.id]
        assert profile.rome_codes == ([] if n % 3 == 0 else (["F1703"] if n % 2 else ["K2204"]))
        assert profile.criteria == (set() if n % 4 == 0 else ({"rsa"} if n % 2 else {"deld", "over_50"}))


def test_offer_profiles_are_the_open_published_offers(db, personas, territory):
    company = personas["company"].organisation
    open_offer = offer_of(company, territory, title="Maçon coffreur", skills="Coffrage, banches",
                          eligible_criteria=["rsa", "deld"], qpv_required=True, description="Chantier ANRU")
    offer_of(company, territory, status=OfferStatus.DRAFT)
    offer_of(company, territory, status=OfferStatus.CLOSED)
    offer_of(company, territory, publication_end=today() - timedelta(days=1))
    no_end = offer_of(company, territory, publication_end=None, commune_insee=LILLE)
    db.session.commit()

    profiles = list(feed.offer_profiles())

    assert [p.id for p in profiles] == [open_offer.id, no_end.id]
    first = profiles[0]
    assert (first.title, first.rome_code, first.skills, first.description) == (
        "Maçon coffreur", "F1703", ["Coffrage", "banches"], "Chantier ANRU")
    assert first.eligible_criteria == {"rsa", "deld"} and first.required_criteria == {"qpv"}
    assert profiles[1].required_criteria == frozenset()
    assert (first.latitude, first.longitude) == (open_offer.latitude, open_offer.longitude)


def test_offer_profile_of_a_loaded_offer_matches_the_streamed_one(db, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, eligible_criteria=["rsa"])
    db.session.commit()
    [streamed] = feed.offer_profiles(Offer.id == offer.id)
    assert feed.offer_profile(db.session.get(Offer, offer.id)) == streamed


def test_profiles_cost_one_query_per_table_whatever_the_number(db, count_queries, prescriber):
    for _ in range(25):
        candidate(prescriber, criteria=("rsa", "deld"))
    CandidateInTerritoryFactory(prescriber=prescriber)
    db.session.commit()
    with count_queries() as statements:
        assert len(list(feed.candidate_profiles())) == 26
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 26
