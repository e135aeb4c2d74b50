"""Helpers of the `people` and `hours` kind tests: CSV text to rows (what the file reader of the
imports page does, kept tiny here), and a territory with a lot to import onto."""
import csv
import io
from dataclasses import dataclass

from factories import ClauseFactory, ContractInTerritoryFactory, LotFactory

from clausematch.imports.base import Row, header_key


def rows_from_csv(kind, text: str) -> list[Row]:
    """Rows of a CSV written with the template's French headers (or a synonym), `;`-separated;
    the header is line 1."""
    names = {}
    for column in kind.columns:
        for header in (column.label, *column.synonyms):
            names[header_key(header)] = column.key
    lines = list(csv.reader(io.StringIO(text.strip()), delimiter=";"))
    keys = [names[header_key(header)] for header in lines[0]]
    return [Row(number, {key: value.strip() for key, value in zip(keys, values, strict=True)})
            for number, values in enumerate(lines[1:], start=2)]


def rows_from_dicts(dicts: list[dict[str, str]]) -> list[Row]:
    return [Row(number, dict(values)) for number, values in enumerate(dicts, start=2)]


@dataclass
class World:
    territory: object
    facilitator: object
    prescriber: object
    company: object
    lot: object
    other_lot: object


def build_world(db, personas, territory) -> World:
    """Marché « 2025-015 » lots 3 (the persona company's) and 4, both with a clause."""
    contract = ContractInTerritoryFactory(buyer=personas["buyer"].organisation, reference="2025-015")
    lot = LotFactory(contract=contract, company=personas["company"].organisation, number=3)
    other = LotFactory(contract=contract, company=personas["company"].organisation, number=4, title="Second œuvre")
    ClauseFactory(lot=lot)
    ClauseFactory(lot=other)
    db.session.commit()
    return World(territory, personas["facilitator"], personas["prescriber"].organisation,
                 personas["company"].organisation, lot, other)


def outcomes(results) -> list[str]:
    return [result.outcome.value for result in results]
