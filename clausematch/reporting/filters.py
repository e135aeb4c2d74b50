"""The scope every report reads: one territory, narrowed by buyer, contract, lot, company,
programme, offer, period and mode. Read from a query string (web) or from options (CLI) with
the same French names, so a filtered page can be shared and replayed from the command line."""
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from clausematch.formats import parse_id
from clausematch.vocabulary import Mode

FIRST_YEAR, LAST_YEAR = 1990, 2099

# Scope field → query-string name (French, as people share links).
PARAMS = {
    "buyer_id": "acheteur", "contract_id": "marche", "lot_id": "lot", "company_id": "entreprise",
    "programme_id": "programme", "offer_id": "offre", "year": "annee", "date_from": "du", "date_to": "au",
    "mode": "mode",
}


@dataclass(frozen=True)
class Scope:
    """What a report covers. `company_id` is the lot's titulaire (the company owing the hours);
    `year` and `date_from`/`date_to` combine into one period (their intersection)."""

    territory_id: int
    buyer_id: int | None = None
    contract_id: int | None = None
    lot_id: int | None = None
    company_id: int | None = None
    programme_id: int | None = None
    offer_id: int | None = None
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    mode: Mode | None = None

    @property
    def period(self) -> tuple[date | None, date | None]:
        """(first day, last day) of the period, either end None when open."""
        start, end = self.date_from, self.date_to
        if self.year:
            start = max(start, date(self.year, 1, 1)) if start else date(self.year, 1, 1)
            end = min(end, date(self.year, 12, 31)) if end else date(self.year, 12, 31)
        return start, end

    @property
    def narrows_people(self) -> bool:
        """Programme, offer and mode pick people within lots rather than lots themselves."""
        return bool(self.programme_id or self.offer_id or self.mode)

    def query_args(self) -> dict[str, str]:
        """The scope as query-string arguments (territory excluded: it is the user's)."""
        args = {}
        for name, param in PARAMS.items():
            value = getattr(self, name)
            if value is not None:
                args[param] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    def with_buyer(self, buyer_id: int) -> "Scope":
        return replace(self, buyer_id=buyer_id)


def scope_from_args(args: Mapping[str, str], territory_id: int) -> Scope:
    """A scope from query-string arguments; a value that does not parse is ignored, not an error
    (filters are links people edit by hand)."""
    values: dict = {"territory_id": territory_id}
    for name in ("buyer_id", "contract_id", "lot_id", "company_id", "programme_id", "offer_id"):
        values[name] = positive_int(args.get(PARAMS[name]))
    year = positive_int(args.get("annee"))
    values["year"] = year if year and FIRST_YEAR <= year <= LAST_YEAR else None
    values["date_from"] = _date(args.get("du"))
    values["date_to"] = _date(args.get("au"))
    mode = args.get("mode") or ""
    values["mode"] = Mode(mode) if mode in {m.value for m in Mode} else None
    return Scope(**values)


def forced_for_buyer(scope: Scope, buyer_id: int | None) -> Scope:
    """A buyer user's scope: always their own buyer, whatever the link asked for."""
    return scope.with_buyer(buyer_id) if buyer_id is not None else scope


def restricted(scope: Scope, params: tuple[str, ...]) -> Scope:
    """The scope keeping only the filters a report reads (query-string names in `params`)."""
    return replace(scope, **{name: None for name, param in PARAMS.items() if param not in params})


def positive_int(raw) -> int | None:
    """An id, year or page from a link: 1 to the integer columns' maximum, else None."""
    return parse_id(raw)


def _date(raw) -> date | None:
    try:
        value = date.fromisoformat(str(raw).strip())
    except (TypeError, ValueError):
        return None
    return value if FIRST_YEAR <= value.year <= LAST_YEAR else None
