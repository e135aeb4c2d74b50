"""`make bench` (`python -m benchmarks`): every benchmark of the project, one after the other, with
their default sizes; `python -m benchmarks offers` runs one family (matching, offers, people, reporting, imports).

- the matching engine (10k, 100k, 1M candidates) and its offline evaluation (nDCG@10, recall@10);
- the public job board search (50 000 offers);
- the facilitators' people search (1 000 000 candidates, PostgreSQL);
- the reports (1 000 000 hours entries);
- the spreadsheet imports (100 000 companies, 100 000 lots, 100 000 lines of hours, 100 000 people).
Each prints its own French summary; see the module of each for its options.
"""
import sys
from importlib import import_module

# (family, title, module)
BENCHMARKS = [
    ("matching", "Moteur de rapprochement", "benchmarks.matching"),
    ("matching", "Évaluation hors ligne du rapprochement", "benchmarks.evaluation"),
    ("matching", "Certificats dans le rapprochement", "benchmarks.certificates_eval"),
    ("offers", "Recherche dans la bourse aux offres", "benchmarks.board"),
    ("people", "Recherche de personnes sur 1 million de candidats", "benchmarks.people"),
    ("reporting", "Rapports sur 1 million de relevés d'heures", "benchmarks.reports"),
    ("imports", "Imports de 100 000 lignes (entreprises, marchés)", "benchmarks.imports"),
    ("imports", "Import de 100 000 lignes d'heures", "benchmarks.imports_hours"),
    ("imports", "Import de 100 000 personnes et de leurs contrats", "benchmarks.imports_people"),
]


def main(argv: list[str] | None = None) -> None:
    only = set(argv if argv is not None else sys.argv[1:])
    unknown = only - {family for family, _, _ in BENCHMARKS}
    if unknown:
        sys.exit(f"Famille de mesures inconnue : {', '.join(sorted(unknown))} "
                 "(matching, offers, people, reporting ou imports).")
    for family, title, module in BENCHMARKS:
        if only and family not in only:
            continue
        sys.stdout.write(f"\n=== {title} ({module}) ===\n")
        sys.stdout.flush()
        import_module(module).main([])


if __name__ == "__main__":
    main()
