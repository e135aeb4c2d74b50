"""`make bench`: every benchmark of the project, one after the other, with their default sizes.

- the matching engine (10k, 100k, 1M candidates) and its offline evaluation (nDCG@10, recall@10);
- the public job board search (50 000 offers);
- the reports (1 000 000 hours entries).
Each prints its own French summary; see the module of each for its options.
"""
import sys
from importlib import import_module

BENCHMARKS = [
    ("Moteur de rapprochement", "clausematch.matching.bench"),
    ("Évaluation hors ligne du rapprochement", "clausematch.matching.evaluation"),
    ("Recherche dans la bourse aux offres", "clausematch.offers.bench"),
    ("Rapports sur 1 million de relevés d'heures", "clausematch.reporting.bench"),
]


def main(argv: list[str] | None = None) -> None:
    only = set(argv if argv is not None else sys.argv[1:])
    for title, module in BENCHMARKS:
        if only and module.rsplit(".", 2)[-2] not in only:
            continue
        sys.stdout.write(f"\n=== {title} ({module}) ===\n")
        sys.stdout.flush()
        import_module(module).main([])


if __name__ == "__main__":
    main()
