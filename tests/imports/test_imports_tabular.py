"""Reading CSV and XLSX files into a kind's rows: encodings, separators, headers, limits."""
from datetime import date, datetime

import pytest
from import_files import COMPANY_HEADER, company_line, csv_bytes, xlsx_bytes

from clausematch.errors import DomainError
from clausematch.imports import tabular
from clausematch.imports.companies import KIND as COMPANIES
from clausematch.imports.tabular import cell_text, read_table


def test_csv_utf8_with_bom_and_semicolons():
    table = read_table(COMPANIES, csv_bytes([COMPANY_HEADER, company_line(1, "Bâtir Ensemble")], bom=True))
    assert table.format == "csv"
    assert [row.line for row in table.rows] == [2]
    assert table.rows[0].get("name") == "Bâtir Ensemble"
    assert table.rows[0].get("company_kind") == "EI"


def test_csv_windows_1252_with_commas():
    data = csv_bytes([["siret", "nom"], [company_line(1)[0], "Société Générale du Bâtiment"]], ",", "cp1252")
    table = read_table(COMPANIES, data)
    assert table.rows[0].get("name") == "Société Générale du Bâtiment"


def test_headers_matched_whatever_the_accents_case_and_synonyms():
    data = csv_bytes([["N° SIRET", "DÉNOMINATION", "ville", "Courriel", "Colonne inconnue"],
                      [company_line(1)[0], "Alpha", "Saint-Denis", "a@exemple.fr", "x"]])
    table = read_table(COMPANIES, data)
    assert table.rows[0].values["siret"] == company_line(1)[0]
    assert table.rows[0].get("name") == "Alpha"
    assert table.rows[0].get("commune") == "Saint-Denis"
    assert table.rows[0].get("email") == "a@exemple.fr"
    assert table.ignored == ["Colonne inconnue"]


def test_missing_required_columns_named_in_one_message():
    with pytest.raises(DomainError) as error:
        read_table(COMPANIES, csv_bytes([["Commune"], ["Saint-Denis"]]))
    assert "« SIRET »" in error.value.message and "« Raison sociale »" in error.value.message


def test_two_headers_for_one_column_are_refused():
    with pytest.raises(DomainError) as error:
        read_table(COMPANIES, csv_bytes([["SIRET", "Raison sociale", "Nom"], ["1", "a", "b"]]))
    assert "« Raison sociale » et « Nom »" in error.value.message


@pytest.mark.parametrize("data, words", [
    (b"", "vide"),
    (b"   \r\n", "vide"),
    (b"SIRET;Raison sociale\r\n", "aucune ligne"),
    (b"\x81\x8d\x8f\x90\x9d\x00binary", "ni un fichier CSV"),
    (b"PK\x03\x04 not really a zip", "XLSX est illisible"),
])
def test_unreadable_files_refused_in_french(data, words):
    with pytest.raises(DomainError) as error:
        read_table(COMPANIES, data, "fichier.csv")
    assert words in error.value.message


def test_an_xlsx_name_on_a_text_file_is_refused():
    with pytest.raises(DomainError, match="XLSX est illisible"):
        read_table(COMPANIES, b"SIRET;Nom\r\n1;2\r\n", "entreprises.xlsx")


def test_oversize_and_too_many_lines(monkeypatch):
    monkeypatch.setattr(tabular, "MAX_BYTES", 100)
    with pytest.raises(DomainError, match="dépasse"):
        read_table(COMPANIES, csv_bytes([COMPANY_HEADER] + [company_line(n) for n in range(5)]))
    monkeypatch.setattr(tabular, "MAX_BYTES", 10_000)
    monkeypatch.setattr(tabular, "MAX_LINES", 3)
    with pytest.raises(DomainError, match="dépasse 3 lignes"):
        read_table(COMPANIES, csv_bytes([COMPANY_HEADER] + [company_line(n) for n in range(4)]))


def test_the_limits_allow_100_000_lines():
    assert tabular.MAX_LINES >= 100_000


def test_xlsx_first_sheet_with_dates_and_numbers_as_typed():
    data = xlsx_bytes([["SIRET", "Raison sociale", "Adresse"],
                       [73282932000074, "Alpha", datetime(2025, 3, 5)],
                       [None, None, None],
                       ["73282932000074", "Beta", 151.67]])
    table = read_table(COMPANIES, data, "entreprises.xlsx")
    assert table.format == "xlsx"
    assert [row.line for row in table.rows] == [2, 4]
    assert table.rows[0].get("siret") == "73282932000074"
    assert table.rows[0].get("address") == "05/03/2025"
    assert table.rows[1].get("address") == "151.67"


@pytest.mark.parametrize("value, text", [
    (None, ""), (0.1 + 0.2, "0.3"), (1234.0, "1234"), (date(2025, 1, 2), "02/01/2025"),
    (datetime(2025, 1, 2, 0, 0), "02/01/2025"), (True, "oui"), (" a ", " a "), (1e-7, "0.0000001"),
])
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_templates_read_back():
    for data, name in ((tabular.template_csv(COMPANIES, [{"siret": "1", "name": "=A1"}]), "m.csv"),
                       (tabular.template_xlsx(COMPANIES, [{"siret": "1", "name": "=A1"}]), "m.xlsx")):
        table = read_table(COMPANIES, data, name)
        assert table.ignored == []
        assert table.rows[0].get("siret") == "1"
        assert table.rows[0].get("name") in ("'=A1", "=A1")  # CSV: protected from formulas
