"""The contract every import kind follows.

A kind turns rows (one per data line of the file, values keyed by column) into one `LineResult`
per line. The runner calls `ImportKind.run` twice: for the preview (``write=False``: nothing is
added to the session, the outcomes are what a commit would do) and for the commit (``write=True``:
the kind adds its changes to the session; the runner commits them only when no line is refused,
so an import is all or nothing). A kind never commits.

Natural keys make an import idempotent: a line whose record exists with the same values is
UNCHANGED, and importing the same file twice changes nothing the second time.
"""
from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clausematch.accounts.models import Territory, User


CHUNK = 1000  # keys per bulk query: a kind reads existing records by chunks, never one query per line


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"

    @property
    def label(self) -> str:
        return {"created": "Créée", "updated": "Mise à jour", "unchanged": "Inchangée",
                "refused": "Refusée"}[self.value]


@dataclass(frozen=True)
class Column:
    """One column of a kind's template.

    `key`: the identifier the kind reads (English); `label`: the French header written in the
    template; `synonyms`: other headers accepted (the previous tool's names, common variants),
    compared like the label, accents, case and punctuation aside (see `header_key`)."""
    key: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""  # French: what to write in the column, shown on the page and in the template


@dataclass(frozen=True)
class Row:
    """A data line: its number in the file (the header being line 1 in a CSV) and its values by
    column key, stripped, "" when the column is absent or the cell empty."""
    line: int
    values: dict[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class LineResult:
    line: int
    outcome: Outcome
    key: str  # the record as a person names it: "Marché 2024-015, lot 3", "SIRET 123 456 789 00012"
    message: str = ""  # French: the reason of a refusal, or what an update changes
    refusals: list[str] = field(default_factory=list)  # every reason when a line is refused twice or more

    @classmethod
    def refused(cls, line: int, key: str, reasons: list[str]) -> LineResult:
        """A refused line with every reason (each once, in order)."""
        reasons = list(dict.fromkeys(reasons))
        return cls(line, Outcome.REFUSED, key, " ".join(reasons), reasons)


class ImportKind(Protocol):
    name: str  # the CLI's KIND: "contracts", "companies", "people", "hours", "decp"
    label: str  # French: "Marchés, lots et clauses"
    columns: tuple[Column, ...]  # empty for a kind with its own reader (DECP)
    tables: tuple[str, ...]  # the tables it writes (their statistics refreshed after a large import)

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        """One result per row, in the rows' order. With `write`, add the changes to the session.
        Reads existing records in bulk (a bounded number of queries per 1 000 rows, never one per
        row) and refuses lines whose natural key repeats an earlier line of the file."""


def header_key(text: str) -> str:
    """A header as compared: no accents, lower case, letters and digits separated by single
    spaces ("N° SIRET" → "n siret", "Date_de_début" → "date de debut")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())
