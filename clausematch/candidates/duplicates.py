"""Suspected duplicates: the same person recorded twice in a territory.

Two records are suspected to be one person when
- their birth dates are equal and their names are similar (score >= 85), or
- their e-mail addresses are equal, or
- their phone numbers are equal and their names are somewhat similar (score >= 70).
Names are compared with rapidfuzz's token_sort_ratio on the normalised "first last" (accents,
case and hyphens removed; sorting the words makes swapped first and last names equal), and on the
names written without spaces ("Ben Ali" / "Benali"), so a typo in a name with the same birth
date is still caught.

Retrieval is done in SQL first, on indexed equalities only (birth date, e-mail, phone, all stored
normalised), then rapidfuzz runs on that small set.

Limits of the territory-wide list (`suspected_pairs`): one statement fetches the territory's
active records whose birth date, e-mail or phone another record shares (GROUP BY ... HAVING
count > 1, linear in the territory's size), then every pair within each group is scored in Python
at each page view. With n people born over D distinct days that is about n²/2D comparisons:
~500 for 4 000 people, ~13 000 for 20 000, ~80 000 for 50 000; measured with 20 000 people on a
busy 2-core machine: 1.7 s on SQLite and on PostgreSQL alike, mostly normalising names.
Placeholder birth dates (e.g. 01/01 for people whose exact date is unknown) make groups whose
pairs grow quadratically. Beyond that scale the pairs should be computed by a nightly job into a
table, which the schema does not have yet. Pairs a facilitator dismissed are kept as audit events
("candidate.duplicate_dismissed") and left out.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

import sqlalchemy as sa
from rapidfuzz import fuzz

from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.text import normalise

SAME_BIRTH_DATE_SCORE = 85
SAME_PHONE_SCORE = 70
DISMISSED_ACTION = "candidate.duplicate_dismissed"


def normalise_email(raw: str | None) -> str | None:
    raw = (raw or "").strip().lower()
    return raw or None


def name_key(first_name: str, last_name: str) -> str:
    """The names' normalised words, sorted: the same for "Hélène Martin-Dupont" and "dupont martin helene"."""
    return " ".join(sorted(normalise(f"{first_name} {last_name}").split()))


@dataclass(frozen=True)
class NameForms:
    """A person's names as compared: normalised words sorted, and written without spaces both ways."""

    sorted_words: str
    compact: str
    compact_swapped: str


def name_forms(first_name: str, last_name: str) -> NameForms:
    words = normalise(f"{first_name} {last_name}")
    return NameForms(" ".join(sorted(words.split())), words.replace(" ", ""),
                     normalise(f"{last_name} {first_name}").replace(" ", ""))


def forms_similarity(a: NameForms, b: NameForms) -> float:
    """0–100. The ratio of the sorted words is rapidfuzz's token_sort_ratio (accents, case, hyphens and
    swapped names do not count); the names without spaces, in both orders, catch particles typed
    apart or together ("Ben Ali" / "Benali")."""
    return max(fuzz.ratio(a.sorted_words, b.sorted_words), fuzz.ratio(a.compact, b.compact),
               fuzz.ratio(a.compact_swapped, b.compact))


def name_similarity(a_first: str, a_last: str, b_first: str, b_last: str) -> float:
    return forms_similarity(name_forms(a_first, a_last), name_forms(b_first, b_last))


@dataclass(frozen=True)
class Person:
    """What duplicates are judged on (a Candidate row has these attributes too)."""

    first_name: str
    last_name: str
    birth_date: date
    email: str | None = None
    phone: str | None = None


def match_reason(a, b, a_forms: NameForms | None = None, b_forms: NameForms | None = None) -> str | None:
    """Why `a` and `b` look like the same person ("birth_date", "email", "phone"), or None.
    Pass their NameForms when comparing one record with many (normalising is the costly part)."""
    if a.email and a.email == b.email:
        return "email"
    same_birth_date, same_phone = a.birth_date == b.birth_date, bool(a.phone) and a.phone == b.phone
    if not (same_birth_date or same_phone):
        return None
    score = forms_similarity(a_forms or name_forms(a.first_name, a.last_name),
                             b_forms or name_forms(b.first_name, b.last_name))
    if same_birth_date and score >= SAME_BIRTH_DATE_SCORE:
        return "birth_date"
    if same_phone and score >= SAME_PHONE_SCORE:
        return "phone"
    return None


MATCH_LABELS = {
    "birth_date": "Même date de naissance et noms proches",
    "email": "Même adresse électronique",
    "phone": "Même téléphone et noms proches",
}


def find_duplicates(territory_id: int, person: Person, exclude_id: int | None = None) -> list[Candidate]:
    """Active (not merged) candidates of the territory that look like `person`."""
    same = [Candidate.birth_date == person.birth_date]
    if person.email:
        same.append(Candidate.email == person.email)
    if person.phone:
        same.append(Candidate.phone == person.phone)
    stmt = (sa.select(Candidate)
            .where(Candidate.territory_id == territory_id, Candidate.is_active, sa.or_(*same))
            .order_by(Candidate.id))
    if exclude_id is not None:
        stmt = stmt.where(Candidate.id != exclude_id)
    return [candidate for candidate in db.session.scalars(stmt) if match_reason(person, candidate)]


@dataclass(frozen=True)
class SuspectedPair:
    first_id: int
    second_id: int
    reason: str

    @property
    def reason_label(self) -> str:
        return MATCH_LABELS[self.reason]


def _records_sharing_a_key(territory_id: int) -> sa.Select:
    """Active records of the territory whose birth date, e-mail or phone another record shares."""
    active = (Candidate.territory_id == territory_id, Candidate.is_active)

    def shared(column):
        return sa.select(column).where(*active, column.is_not(None)).group_by(column).having(sa.func.count() > 1)

    return (sa.select(Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.birth_date,
                      Candidate.email, Candidate.phone)
            .where(*active, sa.or_(*(column.in_(shared(column))
                                     for column in (Candidate.birth_date, Candidate.email, Candidate.phone))))
            .order_by(Candidate.id))


def dismissed_pairs(territory_id: int) -> set[tuple[int, int]]:
    stmt = (sa.select(AuditEvent.entity_id, AuditEvent.details)
            .join(Candidate, Candidate.id == AuditEvent.entity_id)
            .where(AuditEvent.entity_type == "candidate", AuditEvent.action == DISMISSED_ACTION,
                   Candidate.territory_id == territory_id))
    return {(entity_id, details.get("other_id")) for entity_id, details in db.session.execute(stmt)}


def suspected_pairs(territory_id: int) -> list[SuspectedPair]:
    """Every suspected pair of the territory, most recent second record first (see the limits above)."""
    groups: dict[tuple, list] = defaultdict(list)
    for row in db.session.execute(_records_sharing_a_key(territory_id)):
        for key in ("birth_date", "email", "phone"):
            if getattr(row, key) is not None:
                groups[key, getattr(row, key)].append(row)
    forms = {row.id: name_forms(row.first_name, row.last_name)
             for members in groups.values() if len(members) > 1 for row in members}
    seen = dismissed_pairs(territory_id)
    pairs = []
    for members in groups.values():
        for a, b in combinations(members, 2):  # rows come ordered by id: a.id < b.id
            if (a.id, b.id) in seen:
                continue
            seen.add((a.id, b.id))
            reason = match_reason(a, b, forms[a.id], forms[b.id])
            if reason:
                pairs.append(SuspectedPair(a.id, b.id, reason))
    return sorted(pairs, key=lambda pair: (-pair.second_id, -pair.first_id))
