"""The board benchmark still runs (on a few offers; no timing is asserted)."""
import re

from benchmarks import board as bench


def test_bench_fills_a_database_and_reports_percentiles_in_french(tmp_path, capsys):
    bench.run(f"sqlite:///{tmp_path / 'bench.sqlite'}", offers=300, searches=6)

    out = capsys.readouterr().out
    assert "Préparation : 300 offres" in out
    for kind in ("rayon", "mot-clé", "combinée"):
        assert re.search(rf"Recherche {kind} \(2\) : service p50 [\d,]+\u00a0ms, p95 [\d,]+\u00a0ms", out), kind
    labelled = len(bench.read_queries())
    assert re.search(rf"Recherche requête étiquetée \({labelled}\) : service p50 [\d,]+\u00a0ms", out)
    assert re.search(rf"Toutes \({6 + labelled}\) : service p50 [\d,]+\u00a0ms", out)
    assert re.search(rf"Rappel@10 des {labelled} requêtes étiquetées \(board_queries.csv\) : [01],\d\d", out)
