"""Counts of 1 to 4 people read "< 5" for buyers — pages, charts, bilans, CSV, XLSX and JSON —
while facilitators read the exact figures of the same data; 0 and 5 or more stay exact.

On the hand-computed world (conftest), buyer A's scope holds 6 people oriented, 5 validated,
then 4, 4, 3, 2, 1 further down the funnel; 3 participants (2 women); 4 exits."""
import csv
import html
import io
import json
import re
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest

from clausematch.reporting.masking import SMALL, hide_small_counts, masked, people_count
from clausematch.reporting.queries.sql import ratio

MASKED = "&lt; 5"  # "< 5" as written in the HTML


def page_text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def svg_of(page, chart_id):
    return re.search(rf'<svg class="graphique"[^>]*id="{chart_id}">.*?</svg>', page, re.S).group(0)


def cell_after(label, page):
    """The numeric cells of the table row whose header is `label`."""
    row = re.search(rf"{re.escape(label)}</th>(.*?)</tr>", page, re.S).group(1)
    return re.findall(r'<td class="nombre">([^<]*(?:&lt;[^<]*)?)</td>', row)


def csv_rows(response):
    assert response.status_code == 200
    text = response.get_data().decode("utf-8")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def sheet_rows(response):
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_the_rule_masks_1_to_4_and_keeps_0_and_5():
    assert [masked(n) for n in (0, 1, 4, 5, 12)] == [0, SMALL, SMALL, 5, 12]
    assert masked(None) is None and str(SMALL) == "< 5"
    assert ratio(SMALL, 10) is None and ratio(0, SMALL) is None and ratio(3, 6) == Decimal("0.5")

    @dataclass(frozen=True)
    class Line:
        people: int = people_count()
        hours: Decimal = Decimal(0)

    lines = hide_small_counts([Line(3, Decimal(2)), Line(7, Decimal(4))])
    assert lines == [Line(SMALL, Decimal(2)), Line(7, Decimal(4))]  # hours stay exact


def test_funnel_page(world, client, login_as):
    login_as("buyer")
    page = page_text(client, "/rapports/entonnoir")
    assert f"6 → 5 → {MASKED} → {MASKED} → {MASKED}" in page
    assert cell_after("Personnes orientées", page) == ["6", "—", "100\u00a0%"]
    assert cell_after("Éligibilité validée", page) == ["5", "83\u00a0%", "83\u00a0%"]
    assert cell_after("Embauchées sur la clause", page) == [MASKED, "—", "—"]
    svg = svg_of(page, "graphique-entonnoir")
    assert svg.count("<rect x=") == 2 and svg.count(f">{MASKED}</text>") == 5
    assert "moins de 5 personnes" in svg and f"Étapes principales : 6 → 5 → {MASKED}" in svg
    assert not re.search(r">[1-4]( \(|</text>)", svg)

    login_as("facilitator")
    page = page_text(client, f"/rapports/entonnoir?acheteur={world.buyer_a.id}")
    assert "6 → 5 → 3 → 2 → 1" in page
    assert cell_after("Embauchées sur la clause", page) == ["3", "75\u00a0%", "50\u00a0%"]
    svg = svg_of(page, "graphique-entonnoir")
    assert svg.count("<rect x=") == 7 and "moins de 5 personnes" not in svg


def test_publics_page(world, client, login_as):
    login_as("buyer")
    page = page_text(client, "/rapports/publics")
    assert f"<strong>{MASKED}</strong> participants" in page and "affiché « &lt; 5 »" in page
    women = cell_after("Femmes", page)
    assert women[:2] == [MASKED, "—"] and women[2] != "—"  # the hours stay exact
    svg = svg_of(page, "graphique-publics")
    assert f"parmi les {MASKED} participants" in svg and f">{MASKED} personnes (objectif 20\u00a0%)</text>" in svg
    assert "<rect x=" not in svg  # every public of 1 to 4 people: no bar at all

    login_as("facilitator")
    page = page_text(client, f"/rapports/publics?acheteur={world.buyer_a.id}")
    assert "<strong>3</strong> participants" in page and "affiché « &lt; 5 »" not in page
    assert cell_after("Femmes", page)[:3] == ["2", "67\u00a0%", women[2]]


def test_outcomes_page(world, client, login_as):
    login_as("buyer")
    page = page_text(client, "/rapports/sorties")
    assert f"<strong>{MASKED}</strong> sorties" in page
    assert cell_after("Toutes les sorties", page) == [MASKED, "100\u00a0%"]
    assert cell_after("Suivis réalisés", page) == [MASKED, "100\u00a0%"]
    assert cell_after("En emploi au suivi", page) == [MASKED, "—"]
    assert f"sur {MASKED} sorties" in svg_of(page, "graphique-sorties")

    login_as("facilitator")
    page = page_text(client, f"/rapports/sorties?acheteur={world.buyer_a.id}")
    assert "<strong>4</strong> sorties" in page
    assert cell_after("En emploi au suivi", page) == ["2", "50\u00a0%"]


@pytest.mark.parametrize("path", ["/rapports/bilan/acheteur/{buyer}?annee=2025",
                                  "/rapports/bilan/marche/{a1}?annee=2025"])
def test_bilans(world, client, login_as, path):
    path = path.format(buyer=world.buyer_a.id, a1=world.a1.id)
    login_as("buyer")
    page = page_text(client, path)
    publics = page[page.index('id="publics"'):page.index('id="sorties"')]
    assert cell_after("Ensemble des participants", publics)[0] == MASKED
    assert "moins de 5 personnes" in svg_of(page, "graphique-publics")
    people = page[page.index('id="personnes"'):page.index('id="publics"')]
    assert cell_after("Personnes orientées", people)[0] == "6"  # 5 or more: exact
    assert cell_after("Embauchées sur la clause", people) == [MASKED, "—", "—"]
    outcomes = page[page.index('id="sorties"'):page.index('id="clauses"')]
    assert cell_after("Toutes les sorties", outcomes)[0] == MASKED

    login_as("facilitator")
    page = page_text(client, path)
    publics = page[page.index('id="publics"'):page.index('id="sorties"')]
    assert cell_after("Ensemble des participants", publics)[0] == "3"
    people = page[page.index('id="personnes"'):page.index('id="publics"')]
    assert cell_after("Embauchées sur la clause", people)[0] == "3"


def test_csv_exports(world, client, login_as):
    login_as("buyer")
    funnel = csv_rows(client.get("/rapports/entonnoir/export.csv"))
    assert [row[2] for row in funnel[1:]] == ["6", "5", "< 5", "< 5", "< 5", "< 5", "< 5"]
    assert [row[3] for row in funnel[1:4]] == ["", "83,3", ""]
    publics = csv_rows(client.get("/rapports/publics/export.csv"))
    women = next(row for row in publics if row[0] == "Femmes")
    assert women[1:3] == ["< 5", ""]
    outcomes = csv_rows(client.get("/rapports/sorties/export.csv"))
    assert next(row for row in outcomes if row[0] == "Toutes les sorties")[2] == "< 5"

    login_as("facilitator")
    funnel = csv_rows(client.get(f"/rapports/entonnoir/export.csv?acheteur={world.buyer_a.id}"))
    assert [row[2] for row in funnel[1:]] == ["6", "5", "4", "4", "3", "2", "1"]
    publics = csv_rows(client.get(f"/rapports/publics/export.csv?acheteur={world.buyer_a.id}"))
    assert next(row for row in publics if row[0] == "Femmes")[1:3] == ["2", "66,7"]


def test_xlsx_exports(world, client, login_as):
    login_as("buyer")
    funnel = sheet_rows(client.get("/rapports/entonnoir/export.xlsx"))
    assert [row[2] for row in funnel[1:]] == [6, 5, "< 5", "< 5", "< 5", "< 5", "< 5"]
    outcomes = sheet_rows(client.get("/rapports/sorties/export.xlsx"))
    assert next(row for row in outcomes if row[0] == "Toutes les sorties")[2:4] == ["< 5", 1.0]
    publics = sheet_rows(client.get("/rapports/publics/export.xlsx"))
    assert next(row for row in publics if row[0] == "Femmes")[1:3] == ["< 5", None]

    login_as("facilitator")
    funnel = sheet_rows(client.get(f"/rapports/entonnoir/export.xlsx?acheteur={world.buyer_a.id}"))
    assert [row[2] for row in funnel[1:]] == [6, 5, 4, 4, 3, 2, 1]


def test_json_export(world):
    from clausematch.reporting import exports
    from clausematch.reporting.filters import Scope
    from clausematch.reporting.reports import BY_SLUG, Options

    scope = Scope(territory_id=world.territory.id, buyer_id=world.buyer_a.id)

    def steps(hidden):
        result = BY_SLUG["entonnoir"].run(scope, world.territory, Options(hide_small_counts=hidden))
        payload = json.loads(exports.json_text("Entonnoir", result.tables, []))
        return [(line["personnes"], line["part_des_orientes"]) for line in payload["tableaux"][0]["lignes"]]

    assert steps(True)[:3] == [(6, 1.0), (5, 0.8333), ("< 5", None)]
    assert steps(False)[:3] == [(6, 1.0), (5, 0.8333), (4, 0.6667)]


def test_lot_page_counts(world, client, login_as):
    """The lot page gives buyers counts only (no names): "< 5" there too."""
    login_as("buyer")
    page = html.unescape(page_text(client, f"/lots/{world.lot1.id}"))
    assert re.search(r"Personnes recrutées sur le lot</dt>\s*<dd[^>]*>< 5</dd>", page)
    assert re.search(r"Contrats de travail \(embauches\)</dt>\s*<dd[^>]*>< 5</dd>", page)
    login_as("facilitator")
    page = page_text(client, f"/lots/{world.lot1.id}")
    assert re.search(r"Personnes recrutées sur le lot</dt>\s*<dd[^>]*>2</dd>", page)
    assert re.search(r"Contrats de travail \(embauches\)</dt>\s*<dd[^>]*>3</dd>", page)
