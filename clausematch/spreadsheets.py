"""Text written into CSV and XLSX files is never read back as a formula (OWASP "CSV injection").

A spreadsheet runs a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return as a
formula (`=HYPERLINK(…)` in a person's name becomes a live link). Every writer passes its text
cells through here, and only its text cells: numbers stay numbers, negative ones included.
- CSV: such a text gets a leading apostrophe, which spreadsheets show as text;
- XLSX: the cell keeps the text as it is, stored with the string data type (never a formula).
"""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def csv_text(value) -> str:
    """A text cell for a CSV file ("" for None)."""
    text = "" if value is None else str(value)
    return "'" + text if is_formula_like(text) else text


def append_xlsx_row(sheet, values: list) -> None:
    """`sheet.append(values)`, with every text cell stored as a string (openpyxl would otherwise
    store a text starting with "=" as a formula)."""
    sheet.append(values)
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"


def decode_text(data: bytes) -> str | None:
    """A text file's content: UTF-8 (a BOM is dropped), else Windows-1252 (Excel's French
    default); None when it is neither (a binary file)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def csv_separator(text: str) -> str:
    """";" or ",", whichever the first line (the header) holds more of (";" on a tie: French Excel)."""
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") >= first.count(",") else ","
