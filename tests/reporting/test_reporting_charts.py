"""The SVG charts: named by their title and description, text for every value, hatching and
dashed lines rather than colour alone, people's text escaped."""
import re
from decimal import Decimal

from clausematch.reporting.charts import Bar, bar_chart, hours_chart, text_width
from clausematch.reporting.queries.hours import HoursLine, HoursReport


def test_chart_is_an_image_named_by_title_and_description():
    svg = str(bar_chart("g", "Titre", "Description", [Bar("Étape", 3, "3 personnes")]))
    assert svg.startswith('<svg class="graphique" role="img" aria-labelledby="g-titre g-desc"')
    assert '<title id="g-titre">Titre</title>' in svg and '<desc id="g-desc">Description</desc>' in svg
    assert ">3 personnes</text>" in svg


def test_hatching_markers_and_escaping():
    svg = str(bar_chart("g", "T", "D", [Bar("<script>", 1, "a & b", hatched=True, marker=2)],
                        reference=(2, "Objectif")))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a &amp; b" in svg
    assert 'fill="url(#g-hachures)"' in svg and "stroke-dasharray" in svg and ">Objectif</text>" in svg


def test_empty_chart_says_so():
    assert "Aucune donnée pour ce périmètre." in str(bar_chart("g", "T", "D", []))


def test_long_labels_wrap_and_their_row_grows_instead_of_being_cut():
    short = str(bar_chart("g", "T", "D", [Bar("Lot 1", 1, "1")]))
    label = "Résidents d'un quartier prioritaire de la politique de la ville"
    svg = str(bar_chart("g", "T", "D", [Bar(label, 1, "1")]))
    assert "…" not in svg
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg) == [
        "Résidents d&#39;un quartier", "prioritaire de la politique de la", "ville"]
    assert viewbox(svg)[1] > viewbox(short)[1]


def test_the_viewbox_widens_to_hold_a_long_value_text():
    """114 % of the objective: the bar reaches the scale's end and its text follows it."""
    text = "114\u00a0% (62\u202f700 h sur 55\u202f000 h)"
    svg = str(bar_chart("g", "T", "D", [Bar("Lot 1", 114, text), Bar("Lot 2", 50, "50 %")], reference=(100, "100 %")))
    width = viewbox(svg)[0]
    x = float(re.search(r'<text x="([\d.]+)"[^>]*>' + re.escape(text), svg).group(1))
    assert x + text_width(text, 14) <= width and width > 800


def viewbox(svg: str) -> tuple[float, float]:
    width, height = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', svg).groups()
    return float(width), float(height)


def test_hours_chart_shows_over_achievement_against_the_100_percent_line():
    line = HoursLine(1, "Lot 1", "", Decimal(500), Decimal(570))
    svg = str(hours_chart(HoursReport("lot", [line], line)))
    assert "114\u00a0% (570 h sur 500 h)" in svg and "Objectif (100 %)" in svg
