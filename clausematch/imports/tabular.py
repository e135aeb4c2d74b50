"""Reading an uploaded spreadsheet into the rows of an import kind, and the values its cells hold.

CSV (UTF-8 with or without BOM, else Windows-1252; ";" or "," detected on the header line) or
XLSX (first sheet; dates and numbers of the cells turned into the text a person would type:
dates as JJ/MM/AAAA, numbers without float noise). The first line names the columns; each
header is compared with the kind's labels and synonyms by `header_key` (accents, case and
punctuation aside). Unknown headers are kept aside as ignored columns (the preview shows them);
a missing required column, two headers naming the same column, an unreadable, empty, too big or
too long file is refused with one French message (DomainError) before any line is looked at.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache

from clausematch.errors import DomainError
from clausematch.formats import format_number, parse_decimal
from clausematch.imports.base import Column, ImportKind, Row, header_key
from clausematch.spreadsheets import csv_separator, decode_text, is_formula_like

MAX_BYTES = 50 * 1024 * 1024  # a 100 000-line contracts file is about 30 Mo
MAX_LINES = 100_000
MAX_CELL = 2000  # characters in one cell: far more than any column needs
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    rows: list[Row]
    ignored: list[str] = field(default_factory=list)  # headers matching no column, as written
    format: str = "csv"  # "csv" or "xlsx"
    notes: list[str] = field(default_factory=list)  # French: what the reader left out, and why


def read_table(kind: ImportKind, data: bytes, filename: str = "") -> Table:
    """The data lines of `data` as rows of `kind`; DomainError (French) when the file cannot be read."""
    if not data or not data.strip():
        raise DomainError("Le fichier est vide.")
    if len(data) > MAX_BYTES:
        raise DomainError(f"Le fichier dépasse {format_number(MAX_BYTES // (1024 * 1024))} Mo : découpez-le en "
                          "plusieurs fichiers.")
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm"))
    records = _xlsx_records(data) if is_xlsx else _csv_records(data)
    table = _table(kind, records)
    table.format = "xlsx" if is_xlsx else "csv"
    return table


def _table(kind: ImportKind, records: Iterator[tuple[int, list[str]]]) -> Table:
    first = next(records, None)
    if first is None:
        raise DomainError("Le fichier est vide.")
    keys, ignored = match_headers(kind.columns, first[1])
    rows = []
    for line, cells in records:
        cells = [_unprotected(cell) if cell[:1] == "'" else cell for cell in cells]
        values = {key: cell.strip() for key, cell in zip(keys, cells, strict=False) if key}
        if not any(values.values()) and not any(cell.strip() for cell in cells):
            continue  # a blank line
        if len(rows) == MAX_LINES:
            raise DomainError(f"Le fichier dépasse {format_number(MAX_LINES)} lignes : découpez-le en plusieurs "
                              "fichiers.")
        rows.append(Row(line, values))
    if not rows:
        raise DomainError("Le fichier ne contient aucune ligne sous la ligne des colonnes.")
    return Table(rows, ignored)


def _unprotected(cell: str) -> str:
    """A text our templates protected from being read as a formula ("'=x", spreadsheets.csv_text)
    read back as written ("=x"), as a spreadsheet shows it."""
    return cell[1:] if cell.startswith("'") and is_formula_like(cell[1:]) else cell


def match_headers(columns: Iterable[Column], headers: list[str]) -> tuple[list[str | None], list[str]]:
    """The column key of each header (None: ignored) and the ignored headers as written.
    Refuses two headers naming the same column and missing required columns."""
    columns = tuple(columns)
    names: dict[str, str] = {}
    for column in columns:
        for text in (column.label, column.key, *column.synonyms):
            names.setdefault(header_key(text), column.key)
    keys: list[str | None] = []
    ignored: list[str] = []
    first_header: dict[str, str] = {}
    for header in headers:
        text = (header or "").strip()
        key = names.get(header_key(text))
        if key is None:
            if text:
                ignored.append(text)
            keys.append(None)
            continue
        if key in first_header:
            label = next(c.label for c in columns if c.key == key)
            raise DomainError(f"Les colonnes « {first_header[key]} » et « {text} » désignent toutes deux "
                              f"« {label} » : gardez-en une seule.")
        first_header[key] = text
        keys.append(key)
    missing = [column.label for column in columns if column.required and column.key not in first_header]
    if missing:
        raise DomainError("Colonnes obligatoires manquantes : " + ", ".join(f"« {m} »" for m in missing)
                          + ". La première ligne du fichier doit nommer les colonnes (voir le modèle).")
    return keys, ignored


# --- CSV ---------------------------------------------------------------------------------------

def _csv_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = decode_text(data)
    if text is None or "\x00" in text:
        raise DomainError("Le fichier n'est ni un fichier CSV lisible ni un classeur XLSX : enregistrez-le au "
                          "format CSV (UTF-8 ou Windows) ou XLSX.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_separator(text))
    return _checked_csv(reader)


def _checked_csv(reader) -> Iterator[tuple[int, list[str]]]:
    try:
        for cells in reader:
            if any(len(cell) > MAX_CELL for cell in cells):
                raise DomainError(f"Ligne {reader.line_num} : une cellule dépasse {format_number(MAX_CELL)} "
                                  "caractères ; rien n'a été importé.")
            yield reader.line_num, cells
    except csv.Error:  # a cell over the csv module's limit, quotes left open…: the line is unreadable
        raise DomainError(f"Ligne {reader.line_num} : ligne illisible (guillemets mal placés ou cellule trop "
                          "longue) ; rien n'a été importé.") from None


# --- XLSX --------------------------------------------------------------------------------------

_BAD_XLSX = ("Le classeur XLSX est illisible (fichier abîmé, protégé par un mot de passe ou d'un autre format) : "
             "ouvrez-le et enregistrez-le de nouveau au format XLSX ou CSV.")


def _xlsx_records(data: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook  # loaded only when a workbook is read

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error on a damaged file
        raise DomainError(_BAD_XLSX) from None
    return _sheet_records(workbook, sheet)


def _sheet_records(workbook, sheet) -> Iterator[tuple[int, list[str]]]:
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in values]
            if any(len(cell) > MAX_CELL for cell in cells):
                raise DomainError(f"Ligne {number} : une cellule dépasse {format_number(MAX_CELL)} caractères ; "
                                  "rien n'a été importé.")
            yield number, cells
    except DomainError:
        raise
    except Exception:  # noqa: BLE001 - a damaged sheet fails while streamed
        raise DomainError(_BAD_XLSX) from None
    finally:
        workbook.close()


def cell_text(value) -> str:
    """What a person would have typed in the cell: 05/03/2025 for a date, 151.67 for a number
    (never 151.66999999999999), 73282932000074 for a SIRET stored as a number."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return f"{value:%d/%m/%Y}"
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = format(value, ".15g")
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


# --- Values of the cells -----------------------------------------------------------------------

class CellError(ValueError):
    """A cell that does not hold what its column asks for; the message is French and complete."""


def parse_date(text: str, label: str) -> date | None:
    """JJ/MM/AAAA (or AAAA-MM-JJ, or JJ-MM-AAAA); None when empty."""
    text = text.strip()
    if not text:
        return None
    found = _date_of(text)
    if found is None:
        raise CellError(f"{label} : « {text[:30]} » n'est pas une date, écrivez-la JJ/MM/AAAA.")
    return found


@lru_cache(maxsize=100_000)  # a file repeats its dates: each distinct text is parsed once
def _date_of(text: str) -> date | None:
    head = text.split(" ")[0].split("T")[0]
    parts = head.split("/")
    if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[2]) == 4:
        try:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(head, pattern).date()
        except ValueError:
            continue
    return None


def parse_number(text: str, label: str) -> Decimal | None:
    """A French number ("1 234,50", "1234.5"); None when empty."""
    try:
        return _number_of(text)
    except ValueError:
        raise CellError(f"{label} : « {text[:30]} » n'est pas un nombre.") from None


@lru_cache(maxsize=100_000)
def _number_of(text: str) -> Decimal | None:
    return parse_decimal(text.replace("€", "").replace("%", ""))


def parse_whole(text: str, label: str) -> int | None:
    value = parse_number(text, label)
    if value is None:
        return None
    if value != value.to_integral_value():
        raise CellError(f"{label} : « {text[:30]} » n'est pas un nombre entier.")
    return int(value)


class Choices:
    """The members of a LabelledEnum named by their code, their French label or the abbreviation
    in the label's parentheses ("ei", "Entreprise d'insertion (EI)", "EI"), plus `extra` words."""

    def __init__(self, enum_cls, extra: dict[str, object] | None = None):
        self.enum_cls = enum_cls
        self.names: dict[str, object] = {}
        for member in enum_cls:
            self.names[header_key(member.value)] = member
            self.names[header_key(member.label)] = member
            if "(" in member.label:
                inside = member.label[member.label.index("(") + 1:member.label.rindex(")")]
                self.names.setdefault(header_key(inside), member)
        for word, member in (extra or {}).items():
            self.names[header_key(word)] = member

    def parse(self, text: str, label: str):
        if not text.strip():
            return None
        member = self.names.get(_cached_key(text))
        if member is None:
            known = ", ".join(m.label for m in self.enum_cls)
            raise CellError(f"{label} : « {text[:40]} » inconnu ; valeurs possibles : {known}.")
        return member

    def parse_list(self, text: str, label: str) -> list[str]:
        """Several codes separated by "," or ";" or "|" (the order of the vocabulary is kept by the services)."""
        parts = [part for part in text.replace(";", ",").replace("|", ",").split(",") if part.strip()]
        return [self.parse(part, label).value for part in parts]


@lru_cache(maxsize=10_000)
def _cached_key(text: str) -> str:
    return header_key(text)


def format_date_cell(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value else ""


def format_number_cell(value) -> str:
    """A number as the templates write it: comma decimals, no thousands separator, no trailing zeros."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


# --- Writing a kind's template (empty, or filled with exported records) ------------------------

def template_csv(kind: ImportKind, rows: Iterable[dict[str, str]] = ()) -> bytes:
    """The kind's template: its labels on the first line, then `rows` (values by column key);
    UTF-8 with BOM and ";" so that French Excel opens it as is. Text cells are protected from
    being read as formulas (spreadsheets.csv_text)."""
    from clausematch.spreadsheets import csv_text

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.label for column in kind.columns])
    for row in rows:
        writer.writerow([csv_text(row.get(column.key, "")) for column in kind.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx(kind: ImportKind, rows: Iterable[dict[str, str]] = ()) -> bytes:
    """The same template as a workbook: one sheet, every cell stored as text (SIRET numbers keep
    their leading zeros, nothing is read as a formula)."""
    from openpyxl import Workbook

    from clausematch.spreadsheets import append_xlsx_row

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = kind.label[:31]
    append_xlsx_row(sheet, [column.label for column in kind.columns])
    for row in rows:
        append_xlsx_row(sheet, [row.get(column.key, "") for column in kind.columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
