"""Shared machinery of the demo seed: the in-memory plan, ids, dates, SIRETs, name keys.

Every builder appends plain dicts to `Plan.rows[Model]` with ids allocated here, so the whole
territory is inserted in bulk at the end (see `seeds.demo.__init__`).
"""
import random
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from clausematch.database import add_months

SEED = 2024


class Plan:
    """The territory being built: rows per model, id counters, and lookups shared by builders."""

    def __init__(self, anchor: date):
        # Generic activity is laid out relative to `anchor` (today) so the demo looks alive;
        # the story figures use fixed dates and never depend on it.
        self.anchor = anchor
        self.last_month = add_months(anchor.replace(day=1), -1)
        self.window_start = add_months(self.last_month, -23)
        self.rows: dict[type, list[dict]] = defaultdict(list)
        self._next_id: dict[type, int] = defaultdict(lambda: 1)
        self.refs: dict[str, object] = {}

    def rng(self, section: str) -> random.Random:
        """One generator per section: changing one builder does not reshuffle the others."""
        return random.Random(f"{SEED}:{section}")

    def add(self, model: type, **values) -> dict:
        """Queue one row of `model`, giving it the next id; returns the row (a dict)."""
        values["id"] = self._next_id[model]
        self._next_id[model] += 1
        self.rows[model].append(values)
        return values

    def row(self, model: type, row_id: int) -> dict:
        """A queued row by id (ids are allocated 1, 2, 3… in queue order)."""
        row = self.rows[model][row_id - 1]
        assert row["id"] == row_id
        return row


def month_starts(first: date, last: date) -> list[date]:
    """First days of every month from `first`'s month to `last`'s month, inclusive."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months


def at(day: date, rng: random.Random) -> datetime:
    """A working-hours timestamp on `day`."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)))


def between(rng: random.Random, start: date, end: date) -> date:
    """A random day in [start, end] (start when the range is empty)."""
    span = (end - start).days
    return start + timedelta(days=rng.randint(0, span)) if span > 0 else start


def weighted(rng: random.Random, table: dict):
    """Pick a key of `table` with probability proportional to its value."""
    keys = list(table)
    return rng.choices(keys, weights=[table[k] for k in keys])[0]


def siret(n: int) -> str:
    """A 14-digit SIRET with a valid Luhn checksum, from a 13-digit body `n`."""
    body = f"{n:013d}"
    total = 0
    for i, char in enumerate(reversed(body)):
        # The check digit will sit at position 0, so body digits start at position 1.
        digit = int(char) * 2 if i % 2 == 0 else int(char)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def plain(text: str) -> str:
    """Lower case, no accents, no punctuation: 'Jean-Éric' → 'jean eric'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", stripped).split())


def name_key(first_name: str, last_name: str) -> str:
    """The duplicate-blocking key: name words without accents, case or punctuation, sorted."""
    return " ".join(sorted(plain(f"{first_name} {last_name}").split()))


def slug(text: str) -> str:
    return plain(text).replace(" ", "-")
