"""Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is written as text in
every CSV and XLSX export; numbers, negative ones included, stay numbers (clausematch/spreadsheets.py)."""
import csv
import io

import openpyxl
import pytest

from clausematch.spreadsheets import append_xlsx_row, csv_text

PAYLOAD = '=HYPERLINK("http://evil.example","clic")'


@pytest.mark.parametrize("text", ["=1+1", "+33 6", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_text_prefixes_formula_starts(text):
    assert csv_text(text) == "'" + text


def test_csv_text_leaves_plain_text_alone():
    assert csv_text("Awa Diallo") == "Awa Diallo" and csv_text(None) == ""


def test_xlsx_row_stores_text_as_string_and_numbers_as_numbers():
    book = openpyxl.Workbook()
    append_xlsx_row(book.active, [PAYLOAD, -12.5, 3, "texte"])
    out = io.BytesIO()
    book.save(out)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    cells = list(sheet.iter_rows())[0]
    assert [cell.data_type for cell in cells] == ["s", "n", "n", "s"]
    assert [cell.value for cell in cells] == [PAYLOAD, -12.5, 3, "texte"]


def _hostile_titles(db, world):
    world.lot2.title = PAYLOAD
    world.offer1.title = "+cmd|' /C calc'!A0"
    db.session.commit()


def test_reports_csv_writes_lot_titles_as_text(db, world, client, login_as):
    _hostile_titles(db, world)
    login_as("facilitator")
    text = client.get("/rapports/heures/export.csv?par=lot").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert any(cell.startswith("'" + PAYLOAD) for cell in cells)


def test_reports_xlsx_writes_lot_and_offer_titles_as_text(db, world, client, login_as):
    _hostile_titles(db, world)
    login_as("facilitator")
    book = openpyxl.load_workbook(io.BytesIO(client.get("/rapports/heures/export.xlsx?par=lot").get_data()))
    cells = [cell for row in book["Rapport"].iter_rows() for cell in row]
    hostile = [cell for cell in cells if isinstance(cell.value, str) and cell.value.startswith("=")]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
    assert not [cell for cell in cells if cell.data_type == "f"]
    funnel = client.get(f"/rapports/entonnoir/export.xlsx?offre={world.offer1.id}").get_data()
    info = openpyxl.load_workbook(io.BytesIO(funnel))["Informations"]
    offer = next(row[1] for row in info.iter_rows() if row[0].value == "Offre")
    assert offer.value.startswith("+cmd") and offer.data_type == "s"
