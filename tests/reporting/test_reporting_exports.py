"""CSV (UTF-8 with BOM, `;`, decimal comma, rates in percent) and XLSX (header row, numbers as
numbers) exports of the hand-computed world, through the pages' download links."""
import csv
import io

import openpyxl
import pytest


def csv_rows(response):
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def test_funnel_csv(world, client, login_as):
    login_as("facilitator")
    response = client.get(f"/rapports/entonnoir/export.csv?programme={world.programme.id}")
    assert response.mimetype == "text/csv" and response.headers["Content-Disposition"].startswith("attachment;")
    rows = csv_rows(response)
    assert rows[0] == ["Étape", "Étape principale", "Personnes", "Taux depuis l'étape précédente (%)",
                       "Part des personnes orientées (%)"]
    assert [row[2] for row in rows[1:]] == ["6", "5", "4", "4", "3", "2", "1"]
    assert rows[2][3] == "83,3" and rows[1][3] == ""


def test_hours_csv_keeps_over_100_percent_and_decimal_commas(world, client, login_as):
    login_as("facilitator")
    rows = csv_rows(client.get("/rapports/heures/export.csv?par=lot"))
    lot2 = next(row for row in rows if row[0] == "A1 – lot 2")
    assert lot2[2:5] == ["500,00", "590,00", "118,0"]
    assert rows[-1][0] == "Total" and rows[-1][3] == "950,00"


def test_funnel_xlsx_header_row_and_numbers(world, client, login_as):
    login_as("facilitator")
    response = client.get(f"/rapports/entonnoir/export.xlsx?programme={world.programme.id}")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = workbook(response)
    sheet = book["Rapport"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Étape", "Étape principale", "Personnes")
    assert [row[2] for row in rows[1:]] == [6, 5, 4, 4, 3, 2, 1]
    assert rows[1][3] is None and rows[2][3] == pytest.approx(5 / 6)
    assert sheet.cell(row=3, column=4).number_format == "0.0%"
    info = dict(book["Informations"].iter_rows(values_only=True))
    assert info["Rapport"] == "Entonnoir de recrutement" and info["Programme"] == "Parcours test"


def test_outcomes_xlsx_has_one_sheet_per_table(world, client, login_as):
    login_as("facilitator")
    book = workbook(client.get("/rapports/sorties/export.xlsx"))
    assert book.sheetnames == ["Rapport", "Tableau 2", "Informations"]
    follow_ups = list(book["Tableau 2"].iter_rows(values_only=True))
    assert follow_ups[2][:3] == ("En emploi au suivi", 2, 0.5)


def test_hours_xlsx_exports_every_line_not_one_page(world, client, login_as, app):
    app.config["PAGE_SIZE"] = 1
    login_as("facilitator")
    rows = list(workbook(client.get("/rapports/heures/export.xlsx?par=lot"))["Rapport"].iter_rows(values_only=True))
    assert len(rows) == 1 + 4 + 1  # header, four lots, total
    assert rows[-1][0] == "Total" and rows[-1][3] == 950 and not isinstance(rows[-1][3], str)


def test_unknown_format_or_report_is_404(world, client, login_as):
    login_as("facilitator")
    assert client.get("/rapports/entonnoir/export.pdf").status_code == 404
    assert client.get("/rapports/inconnu/export.csv").status_code == 404


def test_xlsx_years_are_numbers_and_dates_are_dates(world, client, login_as):
    """Years and counts are numbers, a lot's end a real date (sortable and filterable in a
    spreadsheet), never text; the CSV writes them the French way."""
    from datetime import datetime

    login_as("facilitator")
    shares = list(workbook(client.get("/rapports/clauses/export.xlsx"))["Rapport"].iter_rows(values_only=True))
    assert [row[0] for row in shares[1:-1]] == [2023, 2024]
    assert shares[-1][0] == "Toutes les années"
    years = workbook(client.get("/rapports/heures/export.xlsx?par=annee"))["Rapport"]
    assert [row[0] for row in years.iter_rows(min_row=2, values_only=True)][:-1] == [2025, 2026]
    assert years.cell(row=2, column=1).number_format == "0"

    sheet = workbook(client.get("/rapports/alertes/export.xlsx?tolerance=0"))["Rapport"]
    ends = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert ends and all(isinstance(end, datetime) for end in ends), ends
    assert sheet.cell(row=2, column=4).number_format == "dd/mm/yyyy"
    rows = csv_rows(client.get("/rapports/alertes/export.csv?tolerance=0"))
    assert rows[1][3] == f"{ends[0]:%d/%m/%Y}"
