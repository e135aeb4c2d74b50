"""Small counts of people, hidden from those who may not know who they are.

A count of 1 to 4 people (participants, publics, exits, hires, funnel steps, follow-ups) could
single someone out: a buyer reading "1 RQTH" on a small contract may know who that is. So every
such count shown outside the facilitation team becomes `SMALL`, written "< 5" on pages, charts
and exports (CNIL practice for statistics about persons). 0 stays 0: it names nobody. Hours,
objectives and counts of contracts or lots are not counts of people and stay exact.

One mechanism: the figures that count people are declared where they are defined — a
dataclass field made with `people_count()` — and `hide_small_counts(data)` returns the report's data
with those fields masked, whatever the report. It is applied once, where a report is run for a
viewer (`reports.Report.run`, option `hide_small_counts`), so the summary, the chart, the table
and every export read the same masked data. A share computed from a masked count is not shown
either (`queries.sql.ratio` gives None for it, written "—"). Not done: secondary suppression —
where the other cells of a partition and its total are exact (the exits by category, for
instance), a reader can still subtract them to find a masked cell.
"""
from dataclasses import field, fields, is_dataclass, replace

from clausematch.formats import format_number

THRESHOLD = 5
PEOPLE = "counts_people"


class SmallCount:
    """A count of 1 to 4 people: written "< 5", never its value (no arithmetic, no int())."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"< {THRESHOLD}"

    def __repr__(self) -> str:
        return "SMALL"


SMALL = SmallCount()


def people_count(**kwargs):
    """A dataclass field that counts people (masked by `hide_small_counts`)."""
    return field(metadata={PEOPLE: True}, **kwargs)


def is_small(value) -> bool:
    return isinstance(value, SmallCount)


def masked(count):
    """`SMALL` for 1 to 4, the count itself otherwise (0, 5 and more, None)."""
    if isinstance(count, int) and not isinstance(count, bool) and 0 < count < THRESHOLD:
        return SMALL
    return count


def hide_small_counts(data):
    """The same data with every `people_count()` field of 1 to 4 replaced by `SMALL`, in nested
    dataclasses and lists too; the objects are copied only where something changes."""
    if isinstance(data, list):
        items = [hide_small_counts(item) for item in data]
        return items if any(new is not old for new, old in zip(items, data, strict=True)) else data
    if not is_dataclass(data) or isinstance(data, type):
        return data
    changes = {}
    for item in fields(data):
        value = getattr(data, item.name)
        new = masked(value) if item.metadata.get(PEOPLE) else hide_small_counts(value)
        if new is not value:
            changes[item.name] = new
    return replace(data, **changes) if changes else data


def count_text(count) -> str:
    """A count of people as written on a page: "< 5" when masked."""
    return str(count) if is_small(count) else format_number(count)
