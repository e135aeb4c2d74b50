"""A report table written as CSV (for French Excel: UTF-8 with BOM, `;` separator, decimal
comma, rates in percent, dates as 31/12/2025), XLSX (a header row, numbers and years stored as
numbers, rates as percentages, dates as dates) or JSON (the command line's machine format: rates
as shares, 1.14 for 114 %).
A masked count of people (masking.py) is the text "< 5" in all three."""
import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

from clausematch.formats import format_date, format_fixed
from clausematch.reporting.masking import is_small
from clausematch.reporting.tables import COUNT, DATE, FTE, HOURS, PERCENT, YEAR, Table
from clausematch.spreadsheets import append_xlsx_row
from clausematch.spreadsheets import csv_text as csv_text_cell

BOM = "\ufeff"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_FORMATS = {COUNT: "#,##0", HOURS: "#,##0.00", FTE: "#,##0.00", PERCENT: "0.0%", YEAR: "0", DATE: "dd/mm/yyyy"}


def csv_text(tables: list[Table], *, bom: bool = True) -> str:
    """Each table: header row first, then its rows and total line; tables apart by an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([csv_text_cell(column.label + (" (%)" if column.kind == PERCENT else ""))
                         for column in table.columns])
        for row in _all_rows(table):
            writer.writerow([_csv_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)])
    return (BOM if bom else "") + out.getvalue()


def _csv_cell(value, kind: str) -> str:
    if is_small(value):
        return str(value)
    if value is None:
        return ""
    if kind == PERCENT:
        return _french(Decimal(value) * 100, 1)
    if kind in (HOURS, FTE):
        return _french(Decimal(value), 2)
    if kind == COUNT:
        return str(int(value))
    if kind == DATE and isinstance(value, date):
        return format_date(value)
    return csv_text_cell(value)


def _french(value: Decimal, places: int) -> str:
    return format_fixed(value, places)


def xlsx_bytes(tables: list[Table], about: list[tuple[str, str]]) -> bytes:
    """A workbook: one sheet per table (header row, numbers as numbers), then what the report
    covers (report, filters, date) on an "Informations" sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    for index, table in enumerate(tables):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = "Rapport" if index == 0 else f"Tableau {index + 1}"
        _fill_sheet(sheet, table)
    info = workbook.create_sheet("Informations")
    for label, value in [("Rapport", tables[0].title), *about,
                         ("Produit le", format_date(datetime.now()))]:
        append_xlsx_row(info, [label, value])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _fill_sheet(sheet, table: Table) -> None:
    from openpyxl.styles import Font

    append_xlsx_row(sheet, [column.label for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _all_rows(table):
        append_xlsx_row(sheet, [_xlsx_cell(value, column.kind)
                                for value, column in zip(row, table.columns, strict=True)])
    for index, column in enumerate(table.columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(14, min(60, len(column.label) + 4))
        if column.kind in XLSX_FORMATS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = XLSX_FORMATS[column.kind]
    sheet.freeze_panes = "A2"


def _xlsx_cell(value, kind: str):
    if is_small(value):
        return str(value)
    if value is None:
        return None
    if kind == COUNT:
        return int(value)
    if kind in (HOURS, FTE, PERCENT):
        return float(value)
    if kind == YEAR and isinstance(value, int):
        return value
    if kind == DATE and isinstance(value, date):
        return value
    return str(value)


def json_text(title: str, tables: list[Table], about: list[tuple[str, str]]) -> str:
    """{"rapport", "perimetre", "tableaux": [{"titre", "lignes", "total"}]}: numbers as
    numbers, rates as shares."""
    def record(table, row):
        return {column.key: _json_cell(value, column.kind) for value, column in zip(row, table.columns, strict=True)}

    payload = {"rapport": title, "perimetre": dict(about), "tableaux": [
        {"titre": table.title, "lignes": [record(table, row) for row in table.rows],
         "total": record(table, table.total) if table.total else None} for table in tables]}
    return json.dumps(payload, ensure_ascii=False, indent=2)


def _json_cell(value, kind: str):
    if is_small(value):
        return str(value)
    if value is None:
        return None
    if kind == COUNT:
        return int(value)
    if kind == PERCENT:
        return round(float(value), 4)
    if kind in (HOURS, FTE):
        return round(float(value), 2)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _all_rows(table: Table) -> list[list]:
    return table.rows + ([table.total] if table.total else [])
