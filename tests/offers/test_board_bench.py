"""The board benchmark still runs (on a few offers; no timing is asserted)."""
import re

from benchmarks import board as bench


def test_bench_fills_a_database_and_reports_percentiles_in_french(tmp_path, capsys):
    bench.run(f"sqlite:///{tmp_path / 'bench.sqlite'}", offers=300, searches=6)

    out = capsys.readouterr().out
    assert "Préparation : 300 offres" in out
    for kind in ("rayon", "mot-clé", "combinée"):
        assert re.search(rf"Recherche {kind} \(2\) : service p50 [\d,]+\u00a0ms, p95 [\d,]+\u00a0ms", out), kind
    assert re.search(r"Toutes \(6\) : service p50 [\d,]+\u00a0ms", out)
