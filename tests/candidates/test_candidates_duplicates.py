"""Duplicate detection: names compared after normalising, birth date, e-mail, phone; warnings and pairs."""
from datetime import date

import pytest
import sqlalchemy as sa
from candidate_inputs import make_consent, make_input

from clausematch.audit import AuditEvent
from clausematch.candidates.duplicates import (
    Person,
    find_duplicates,
    match_reason,
    name_similarity,
    suspected_pairs,
)
from clausematch.candidates.merge import dismiss_pair
from clausematch.candidates.models import Candidate
from clausematch.candidates.services import PossibleDuplicate, create_candidate
from clausematch.errors import DomainError
from clausematch.formats import normalise_phone
from clausematch.notifications import Notification

BORN = date(1988, 2, 29)


def person(first, last, born=BORN, email=None, phone=None):
    return Person(first, last, born, email, phone)


@pytest.mark.parametrize(("a", "b", "reason"), [
    (person("Hélène", "Martin"), person("HELENE", "martin"), "birth_date"),  # accents and case
    (person("Jean-Pierre", "Dupont"), person("Jean Pierre", "Dupont"), "birth_date"),  # hyphens
    (person("Martin", "Hélène"), person("Hélène", "Martin"), "birth_date"),  # swapped first and last names
    (person("Fatoumata", "Diallo"), person("Fatoumata", "Dialo"), "birth_date"),  # typo in the last name
    (person("Mohamed", "Benali"), person("Mohammed", "Ben Ali"), "birth_date"),  # spellings of the same name
    (person("A", "B", email="x@exemple.fr"), person("C", "D", date(1970, 1, 1), email="x@exemple.fr"), "email"),
    (person("Karim", "Haddad", phone="0612345678"), person("Karim", "Hadad", date(1970, 1, 1), phone="0612345678"),
     "phone"),
])
def test_same_person_is_suspected(a, b, reason):
    assert match_reason(a, b) == reason


@pytest.mark.parametrize(("a", "b"), [
    (person("Hélène", "Martin"), person("Sophie", "Durand")),  # same birth date, another person
    (person("Hélène", "Martin"), person("Hélène", "Martin", date(1988, 3, 1))),  # same name, another birth date
    (person("Karim", "Haddad", phone="0612345678"), person("Lucie", "Petit", phone="0612345678")),  # shared phone
])
def test_different_people_are_not_suspected(a, b):
    assert match_reason(a, b) is None


def test_name_similarity_ignores_accents_order_and_hyphens():
    assert name_similarity("Hélène", "Martin-Durand", "durand martin", "helene") == 100


@pytest.mark.parametrize(("raw", "stored"), [
    ("06 12 34 56 78", "0612345678"), ("06.12.34.56.78", "0612345678"), ("+33 6 12 34 56 78", "0612345678"),
    ("+33 (0)6 12 34 56 78", "0612345678"), ("0033612345678", "0612345678"), ("+44 20 7946 0958", "+442079460958"),
    ("", None), (None, None),
])
def test_phones_are_compared_as_digits(raw, stored):
    assert normalise_phone(raw) == stored


def test_find_duplicates_stays_in_the_territory_and_skips_merged(db, personas, record):
    from factories import PrescriberFactory

    organisation = personas["prescriber"].organisation
    same = record(organisation, first_name="Helene", last_name="Martin", birth_date=BORN)
    record(PrescriberFactory(), first_name="Hélène", last_name="Martin", birth_date=BORN)  # another territory
    merged = record(organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    merged.merged_into_id = same.id
    db.session.commit()
    found = find_duplicates(organisation.territory_id, person("Hélène", "Martin"))
    assert [c.id for c in found] == [same.id]


def test_another_organisation_is_warned_and_facilitators_told(db, prescriber, other_prescriber, facilitator, record):
    existing = record(other_prescriber.organisation, first_name="Helene", last_name="Martinn",
                      birth_date=date(1990, 5, 17), phone="0799999999")
    created = create_candidate(prescriber, make_input(), make_consent())
    assert created.flagged_elsewhere is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 2
    [notification] = db.session.scalars(sa.select(Notification)).all()
    assert notification.user_id == facilitator.id and notification.link == "/candidats/doublons"
    assert "Martin" not in notification.message
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.duplicate_suspected"))
    assert (event.entity_id, event.details) == (created.candidate.id, {"other_id": existing.id})


def test_own_organisation_must_confirm(db, prescriber, record):
    existing = record(prescriber.organisation, first_name="Hélène", last_name="Martin", birth_date=date(1990, 5, 17))
    with pytest.raises(PossibleDuplicate) as asked:
        create_candidate(prescriber, make_input(email=None, phone=None), make_consent())
    assert [c.id for c in asked.value.matches] == [existing.id]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1
    created = create_candidate(prescriber, make_input(), make_consent(), confirm_duplicate=True)
    assert created.flagged_elsewhere is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 2


def test_suspected_pairs_of_the_territory(db, personas, other_prescriber, record):
    mine, theirs = personas["prescriber"].organisation, other_prescriber.organisation
    a = record(mine, first_name="Hélène", last_name="Martin", birth_date=BORN)
    b = record(theirs, first_name="Martin", last_name="Helene", birth_date=BORN)
    c = record(theirs, first_name="Sophie", last_name="Durand", birth_date=BORN)  # same day, another person
    d = record(mine, first_name="Karim", last_name="Haddad", birth_date=date(1980, 1, 1), email="k@exemple.fr")
    e = record(theirs, first_name="K.", last_name="Haddad", birth_date=date(1981, 1, 1), email="k@exemple.fr")
    f = record(mine, first_name="Lucie", last_name="Petit", birth_date=date(1999, 1, 1), phone="0611111111")
    g = record(theirs, first_name="Lucy", last_name="Petit", birth_date=date(1998, 1, 1), phone="0611111111")
    pairs = suspected_pairs(personas["prescriber"].organisation.territory_id)
    assert {(p.first_id, p.second_id, p.reason) for p in pairs} == {
        (a.id, b.id, "birth_date"), (d.id, e.id, "email"), (f.id, g.id, "phone")}
    assert c.id not in {p.first_id for p in pairs} | {p.second_id for p in pairs}


def test_a_dismissed_pair_leaves_the_list(db, personas, facilitator, record):
    mine = personas["prescriber"].organisation
    a = record(mine, first_name="Hélène", last_name="Martin", birth_date=BORN)
    b = record(mine, first_name="Hélène", last_name="Martins", birth_date=BORN)
    assert len(suspected_pairs(mine.territory_id)) == 1
    dismiss_pair(facilitator, b.id, a.id)
    assert suspected_pairs(mine.territory_id) == []
    c = record(mine, first_name="Sophie", last_name="Durand", birth_date=BORN)
    with pytest.raises(DomainError):
        dismiss_pair(facilitator, a.id, c.id)
