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

Limits of the territory-wide list (`suspected_pairs`): it self-joins the territory's candidates on
birth date, e-mail and phone, then scores every pair in Python at each page view. With n people
born over D distinct days the birth-date join returns about n²/2D pairs: ~500 for 4 000 people,
~80 000 for 50 000 (a second or more). Placeholder birth dates (e.g. 01/01 for people whose exact
date is unknown) make clusters that grow quadratically. Beyond that scale the pairs should be
computed by a nightly job into a table, which the schema does not have yet. Pairs a facilitator
dismissed are kept as audit events ("candidate.duplicate_dismissed") and left out.
"""
import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from rapidfuzz import fuzz
from sqlalchemy.orm import aliased

from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.extensions import db
from clausematch.text import normalise

SAME_BIRTH_DATE_SCORE = 85
SAME_PHONE_SCORE = 70
DISMISSED_ACTION = "candidate.duplicate_dismissed"

_NOT_DIGITS = re.compile(r"\D")


def normalise_phone(raw: str | None) -> str | None:
    """Digits only, French international prefix written the national way: "+33 6 12-34" → "0612…".
    Other international numbers keep their "+"."""
    raw = (raw or "").strip()
    if not raw:
        return None
    digits = _NOT_DIGITS.sub("", raw)
    if raw.startswith("+") or raw.startswith("00"):
        digits = digits[2:] if raw.startswith("00") else digits
        if digits.startswith("33"):
            return "0" + digits[2:].removeprefix("0")
        return "+" + digits if digits else None
    return digits or None


def normalise_email(raw: str | None) -> str | None:
    raw = (raw or "").strip().lower()
    return raw or None


def name_key(first_name: str, last_name: str) -> str:
    """The names' normalised words, sorted: the same for "Hélène Martin-Dupont" and "dupont martin helene"."""
    return " ".join(sorted(normalise(f"{first_name} {last_name}").split()))


def name_similarity(a_first: str, a_last: str, b_first: str, b_last: str) -> float:
    """0–100. token_sort_ratio handles accents, case, hyphens and swapped names; the names written
    without spaces, in both orders, catch particles typed apart or together ("Ben Ali" / "Benali")."""
    a, b = normalise(f"{a_first} {a_last}"), normalise(f"{b_first} {b_last}")
    compact_b = b.replace(" ", "")
    return max(fuzz.token_sort_ratio(a, b),
               fuzz.ratio(a.replace(" ", ""), compact_b),
               fuzz.ratio(normalise(f"{a_last} {a_first}").replace(" ", ""), compact_b))


@dataclass(frozen=True)
class Person:
    """What duplicates are judged on (a Candidate row has these attributes too)."""

    first_name: str
    last_name: str
    birth_date: date
    email: str | None = None
    phone: str | None = None


def match_reason(a, b) -> str | None:
    """Why `a` and `b` look like the same person ("birth_date", "email", "phone"), or None."""
    if a.email and a.email == b.email:
        return "email"
    score = name_similarity(a.first_name, a.last_name, b.first_name, b.last_name)
    if a.birth_date == b.birth_date and score >= SAME_BIRTH_DATE_SCORE:
        return "birth_date"
    if a.phone and a.phone == b.phone and score >= SAME_PHONE_SCORE:
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
            .where(Candidate.territory_id == territory_id, Candidate.merged_into_id.is_(None), sa.or_(*same))
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


_PAIR_COLUMNS = ("id", "first_name", "last_name", "birth_date", "email", "phone")


def _pairs_joined_on(column: str, territory_id: int) -> sa.Select:
    a, b = aliased(Candidate), aliased(Candidate)
    return (sa.select(*(getattr(a, c).label(f"a_{c}") for c in _PAIR_COLUMNS),
                      *(getattr(b, c).label(f"b_{c}") for c in _PAIR_COLUMNS))
            .join(b, getattr(b, column) == getattr(a, column))
            .where(a.territory_id == territory_id, b.territory_id == territory_id, a.id < b.id,
                   a.merged_into_id.is_(None), b.merged_into_id.is_(None)))


def dismissed_pairs(territory_id: int) -> set[tuple[int, int]]:
    stmt = (sa.select(AuditEvent.entity_id, AuditEvent.details)
            .join(Candidate, Candidate.id == AuditEvent.entity_id)
            .where(AuditEvent.entity_type == "candidate", AuditEvent.action == DISMISSED_ACTION,
                   Candidate.territory_id == territory_id))
    return {(entity_id, details.get("other_id")) for entity_id, details in db.session.execute(stmt)}


def suspected_pairs(territory_id: int) -> list[SuspectedPair]:
    """Every suspected pair of the territory, most recent second record first (see the limits above)."""
    union = sa.union(*(_pairs_joined_on(column, territory_id) for column in ("birth_date", "email", "phone")))
    dismissed = dismissed_pairs(territory_id)
    pairs = []
    for row in db.session.execute(sa.select(union.subquery())).mappings():
        a = Person(*(row[f"a_{c}"] for c in _PAIR_COLUMNS[1:]))
        b = Person(*(row[f"b_{c}"] for c in _PAIR_COLUMNS[1:]))
        reason = match_reason(a, b)
        if reason and (row["a_id"], row["b_id"]) not in dismissed:
            pairs.append(SuspectedPair(row["a_id"], row["b_id"], reason))
    return sorted(pairs, key=lambda pair: (-pair.second_id, -pair.first_id))
