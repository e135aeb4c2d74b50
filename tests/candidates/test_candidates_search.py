"""The search of people: facilitators across their territory, prescribers among their own people,
companies never. Names with accents and typos, birth date, phone, e-mail, commune, prescriber,
eligibility state; bounded queries."""
from datetime import date

import pytest
from factories import PrescriberFactory, TerritoryFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.candidates import name_match, search
from clausematch.candidates.eligibility import EligibilityState
from clausematch.candidates.models import CandidateNameWord, EligibilityCriterion, EligibilityStatus
from clausematch.vocabulary import Criterion

TODAY = date(2026, 3, 1)


def _words(db, candidate):
    return sorted(db.session.scalars(
        CandidateNameWord.__table__.select().with_only_columns(CandidateNameWord.word)
        .where(CandidateNameWord.candidate_id == candidate.id)))


def _skeletons(db, candidate):
    return dict(db.session.execute(
        CandidateNameWord.__table__.select().with_only_columns(CandidateNameWord.word, CandidateNameWord.skeleton)
        .where(CandidateNameWord.candidate_id == candidate.id)).all())


def _names(result):
    return [(row.first_name, row.last_name) for row in result.page.items]


def test_name_words_follow_creation_and_renaming(db, prescriber, record):
    person = record(prescriber.organisation, first_name="Benoît", last_name="Martin-Dupont")
    assert _words(db, person) == ["benoit", "dupont", "martin"]
    assert _skeletons(db, person) == {"benoit": "bnt", "martin": "mrtn", "dupont": "dpnt"}
    person.last_name = "Diallo"
    db.session.commit()
    assert _words(db, person) == ["benoit", "diallo"]
    assert _skeletons(db, person) == {"benoit": "bnt", "diallo": "dl"}


@pytest.mark.parametrize("typed, expected", [
    ("Benoit", ("Benoît", "Martin")),           # accents
    ("benoît martin", ("Benoît", "Martin")),
    ("Dialo", ("Aminata", "Diallo")),           # a missing letter
    ("diallo aminta", ("Aminata", "Diallo")),   # two words, one misspelt, in any order
    ("Dupont", ("Hélène", "Martin-Dupont")),    # the second word of a compound name
    ("benali", ("Karim", "Ben Ali")),           # written together
])
def test_facilitator_finds_names_with_accents_and_typos(db, facilitator, prescriber, other_prescriber, record,
                                                       typed, expected):
    record(prescriber.organisation, first_name="Benoît", last_name="Martin")
    record(other_prescriber.organisation, first_name="Aminata", last_name="Diallo")
    record(prescriber.organisation, first_name="Hélène", last_name="Martin-Dupont")
    record(other_prescriber.organisation, first_name="Karim", last_name="Ben Ali")
    record(prescriber.organisation, first_name="Zoé", last_name="Durand")
    result = search.search(facilitator, search.SearchFilters(name=typed), 1, TODAY)
    assert _names(result)[0] == expected
    assert ("Zoé", "Durand") not in _names(result)


@pytest.mark.parametrize("typed, expected", [
    ("Dailo", ("Aminata", "Diallo")),            # the first letters swapped, a letter missing
    ("aminata dailo", ("Aminata", "Diallo")),
    ("Nguyne", ("Thi", "Nguyen")),               # the last letters swapped (found before by prefix too)
    ("Ngyuen", ("Thi", "Nguyen")),               # the third and fourth letters swapped
    ("thi ngyuen", ("Thi", "Nguyen")),
    ("Akmara", ("Ibrahim", "Kamara")),           # the first two letters swapped
    ("Camara ibrahim", ("Ibrahim", "Kamara")),   # a sound-alike first letter
    ("Filipe", ("Philippe", "Moreau")),          # ph / f, a doubled letter
    ("Matrin", ("Benoît", "Martin")),            # two consonants swapped in the first letters
    ("Nartin benoit", ("Benoît", "Martin")),     # the first consonant changed
])
def test_typos_in_the_first_letters_are_found(db, facilitator, prescriber, record, typed, expected):
    record(prescriber.organisation, first_name="Aminata", last_name="Diallo")
    record(prescriber.organisation, first_name="Thi", last_name="Nguyen")
    record(prescriber.organisation, first_name="Ibrahim", last_name="Kamara")
    record(prescriber.organisation, first_name="Philippe", last_name="Moreau")
    record(prescriber.organisation, first_name="Benoît", last_name="Martin")
    record(prescriber.organisation, first_name="Zoé", last_name="Durand")
    result = search.search(facilitator, search.SearchFilters(name=typed), 1, TODAY)
    assert _names(result)[0] == expected
    assert ("Zoé", "Durand") not in _names(result)


@pytest.mark.parametrize("typed", ["Wolkowicz", "Odile", "Bertrand", "Sylla"])
def test_a_name_far_from_every_word_finds_nobody(db, facilitator, prescriber, record, typed):
    record(prescriber.organisation, first_name="Aminata", last_name="Diallo")
    record(prescriber.organisation, first_name="Thi", last_name="Nguyen")
    record(prescriber.organisation, first_name="Ibrahim", last_name="Kamara")
    result = search.search(facilitator, search.SearchFilters(name=typed), 1, TODAY)
    assert result.page.items == []


def test_skeleton_keys_are_a_bounded_neighbourhood():
    assert "dl" in name_match.skeleton_keys("dailo")
    assert "ld" in name_match.skeleton_keys("dailo") and "ndl" in name_match.skeleton_keys("dailo")
    assert "fl" not in name_match.skeleton_keys("dailo")  # a two-letter skeleton is never changed
    assert "mrtn" in name_match.skeleton_keys("nartin") and "mrtn" in name_match.skeleton_keys("matrin")
    assert name_match.skeleton_keys("ali") == [] and name_match.skeleton_keys("emma") == []
    assert len(name_match.skeleton_keys("martinez")) <= 200


def test_closest_name_comes_first_and_unrelated_names_are_left_out(db, facilitator, prescriber, record):
    record(prescriber.organisation, first_name="Awa", last_name="Dialo")
    record(prescriber.organisation, first_name="Moussa", last_name="Diallo")
    record(prescriber.organisation, first_name="Fatou", last_name="Diarra")
    result = search.search(facilitator, search.SearchFilters(name="Diallo"), 1, TODAY)
    assert _names(result) == [("Moussa", "Diallo"), ("Awa", "Dialo")]


def test_other_filters_combine_with_the_name(db, facilitator, prescriber, other_prescriber, record):
    target = record(other_prescriber.organisation, first_name="Ana", last_name="Lopes", birth_date=date(1991, 2, 3),
                    phone="0612345678", email="ana@exemple.fr", commune_insee="93066")
    record(prescriber.organisation, first_name="Ana", last_name="Lopes", birth_date=date(1985, 7, 9),
           phone="0700000000", email="autre@exemple.fr", commune_insee="93001")
    cases = [
        search.SearchFilters(name="lopez", birth_date=date(1991, 2, 3)),
        search.SearchFilters(phone="0612345678"),
        search.SearchFilters(email="ana@exemple.fr"),
        search.SearchFilters(name="ana", communes=frozenset({"93066"})),
        search.SearchFilters(name="Lopes", prescriber_id=other_prescriber.organisation.id),
    ]
    for filters in cases:
        result = search.search(facilitator, filters, 1, TODAY)
        assert [row.candidate_id for row in result.page.items] == [target.id], filters


def test_eligibility_state_filter(db, facilitator, prescriber, record):
    waiting = record(prescriber.organisation, first_name="Inès", last_name="Roux")
    waiting.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="vu"))
    valid = record(prescriber.organisation, first_name="Inès", last_name="Rouxel")
    valid.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="vu",
                                               status=EligibilityStatus.VALIDATED,
                                               validated_at=date(2026, 2, 1), valid_until=date(2026, 8, 1)))
    db.session.commit()
    result = search.search(facilitator, search.SearchFilters(state=EligibilityState.TO_VALIDATE), 1, TODAY)
    assert [(r.candidate_id, r.state) for r in result.page.items] == [(waiting.id, EligibilityState.TO_VALIDATE)]
    result = search.search(facilitator, search.SearchFilters(name="ines", state=EligibilityState.VALID), 1, TODAY)
    assert [r.candidate_id for r in result.page.items] == [valid.id]


def test_merged_records_and_other_territories_are_not_found(db, facilitator, prescriber, record):
    kept = record(prescriber.organisation, first_name="Léa", last_name="Moreau")
    dropped = record(prescriber.organisation, first_name="Lea", last_name="Moreau")
    dropped.merged_into_id = kept.id
    elsewhere = PrescriberFactory(territory=TerritoryFactory(name="Ailleurs"))
    record(elsewhere, first_name="Léa", last_name="Moreau")
    db.session.commit()
    result = search.search(facilitator, search.SearchFilters(name="lea moreau"), 1, TODAY)
    assert [row.candidate_id for row in result.page.items] == [kept.id]


def test_prescriber_searches_only_their_organisation(db, prescriber, other_prescriber, record):
    own = record(prescriber.organisation, first_name="Sami", last_name="Haddad")
    record(other_prescriber.organisation, first_name="Sami", last_name="Hadad")
    result = search.search(prescriber, search.SearchFilters(name="Haddad"), 1, TODAY)
    assert [row.candidate_id for row in result.page.items] == [own.id]
    result = search.search(prescriber, search.SearchFilters(phone=None, name="hadad",
                                                            prescriber_id=other_prescriber.organisation.id), 1, TODAY)
    assert result.page.items == []


@pytest.mark.parametrize("role", ["company", "buyer", "admin"])
def test_other_roles_cannot_search(db, personas, role):
    with pytest.raises(search.NotAllowed):
        search.search(personas[role], search.SearchFilters(name="x"), 1, TODAY)


def test_name_results_paginate(app, db, facilitator, prescriber, record):
    app.config["PAGE_SIZE"] = 2
    for first in ("Anne", "Annie", "Anna", "Annette", "Ann"):
        record(prescriber.organisation, first_name=first, last_name="Petit")
    first_page = search.search(facilitator, search.SearchFilters(name="petit"), 1, TODAY)
    last_page = search.search(facilitator, search.SearchFilters(name="petit"), 3, TODAY)
    assert first_page.page.total == 5 and first_page.page.pages == 3
    assert len(first_page.page.items) == 2 and len(last_page.page.items) == 1
    shown = {row.candidate_id for page in (1, 2, 3)
             for row in search.search(facilitator, search.SearchFilters(name="petit"), page, TODAY).page.items}
    assert len(shown) == 5


def test_commune_is_named_exactly_or_refused(db):
    assert search.communes_named("93200") == frozenset({"93066"})
    assert search.communes_named("saint denis (93200)") == frozenset({"93066"})
    assert "93066" in search.communes_named("Saint-Denis")
    assert search.communes_named("93066") == frozenset({"93066"})
    with pytest.raises(search.DomainError) as error:
        search.communes_named("Zzzzville")
    assert error.value.field == "commune"


# --- The page ------------------------------------------------------------------------------------

def test_facilitator_page_shows_what_they_need(db, client, login_as, prescriber, record):
    login_as("facilitator")
    person = record(prescriber.organisation, first_name="Benoît", last_name="Lefèvre", birth_date=date(1988, 4, 12))
    html = client.get("/candidats?nom=benoit+lefevre").get_data(as_text=True)
    assert "Rechercher une personne" in html
    assert "1 candidat" in html
    assert f'href="/candidats/{person.id}"' in html and f'href="/parcours/{person.id}"' in html
    assert "12/04/1988" in html and "Saint-Denis" in html and prescriber.organisation.name in html
    assert "Aucun critère d&#39;éligibilité" in html or "Aucun critère d'éligibilité" in html
    assert 'href="/candidats"' in html  # the reset link


def test_page_without_criteria_lists_the_territory_by_name(db, client, login_as, prescriber, other_prescriber,
                                                          record):
    login_as("facilitator")
    record(prescriber.organisation, first_name="Zoé", last_name="Vidal")
    record(other_prescriber.organisation, first_name="Benoît", last_name="Lefèvre")
    record(PrescriberFactory(territory=TerritoryFactory(name="Ailleurs")), first_name="Paul", last_name="Ailleurs")
    html = client.get("/candidats").get_data(as_text=True)
    assert "2 candidats" in html and "AILLEURS" not in html
    assert html.index("LEFÈVRE Benoît") < html.index("VIDAL Zoé")


@pytest.mark.parametrize("args, field, message", [
    ("naissance=31/02/1990", "naissance", "JJ/MM/AAAA"),
    ("naissance=01/01/2999", "naissance", "date de naissance passée"),
    ("telephone=abc", "telephone", "chiffres"),
    ("courriel=ana", "courriel", "adresse électronique complète"),
    ("commune=Zzzzville", "commune", "Aucune commune"),
])
def test_bad_filters_are_field_errors_and_find_nobody(db, client, login_as, prescriber, record, args, field, message):
    login_as("facilitator")
    record(prescriber.organisation, first_name="Zoé", last_name="Durand")
    response = client.get(f"/candidats?nom=durand&{args}")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and f'href="#{field}"' in html and 'aria-invalid="true"' in html
    assert "DURAND" not in html


def test_prescriber_keeps_my_candidates_and_company_is_refused(db, client, login_as, prescriber, other_prescriber,
                                                               record):
    record(prescriber.organisation, first_name="Sami", last_name="Haddad")
    record(other_prescriber.organisation, first_name="Yanis", last_name="Haddad")
    login_as("prescriber")
    html = client.get("/candidats?q=haddad").get_data(as_text=True)
    assert "Mes candidats" in html and "Sami" in html and "Yanis" not in html
    login_as("company")
    assert client.get("/candidats?nom=haddad").status_code == 403


def _search_statements(db, count_queries, client, path):
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/candidats?nom=martin", "/candidats?eligibilite=none&commune=93200",
                                  "/candidats?nom=martn&prescripteur={org}&naissance=17/05/1990"])
def test_search_query_count_does_not_grow(db, count_queries, client, login_as, prescriber, record, path):
    login_as("facilitator")
    path = path.format(org=prescriber.organisation.id)
    for _ in range(3):
        record(prescriber.organisation, first_name="Jean", last_name="Martin")
    few = _search_statements(db, count_queries, client, path)
    for _ in range(27):
        record(prescriber.organisation, first_name="Jean", last_name="Martin")
    many = _search_statements(db, count_queries, client, path)
    assert many == few
    assert few <= 10


def test_facilitator_in_no_territory_is_refused(db, client, login_as):
    user = UserFactory(role=Role.FACILITATOR, email="seul@exemple.fr", organisation=None)
    db.session.commit()
    login_as(user)
    assert client.get("/candidats?nom=x").status_code == 403


def test_rebuild_name_words_restores_what_bulk_inserts_skip(db, prescriber, record):
    from clausematch.candidates.name_words import rebuild_name_words

    person = record(prescriber.organisation, first_name="Éloïse", last_name="N'Diaye")
    db.session.execute(CandidateNameWord.__table__.delete())
    assert _words(db, person) == []
    assert rebuild_name_words(db.session.connection()) >= 3
    assert _words(db, person) == ["diaye", "eloise", "n"]
    assert _skeletons(db, person) == {"diaye": "d", "eloise": "ls", "n": "n"}
