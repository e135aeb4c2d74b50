"""The SVG charts: named by their title and description, text for every value, hatching and
dashed lines rather than colour alone, people's text escaped."""
from decimal import Decimal

from clausematch.reporting.charts import Bar, bar_chart, hours_chart
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


def test_long_labels_are_shortened_in_the_chart_only():
    svg = str(bar_chart("g", "T", "D", [Bar("x" * 60, 1, "1")]))
    assert "x" * 35 + "…" in svg and "x" * 36 not in svg


def test_hours_chart_shows_over_achievement_against_the_100_percent_line():
    line = HoursLine(1, "Lot 1", "", Decimal(500), Decimal(570))
    svg = str(hours_chart(HoursReport("lot", [line], line)))
    assert "114\u00a0% (570 h sur 500 h)" in svg and "Objectif (100 %)" in svg
