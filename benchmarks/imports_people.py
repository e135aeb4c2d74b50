"""Benchmark of the `people` import kind: ``python -m benchmarks.imports_people [--lignes 100000]``.

Builds a throwaway database (SQLite, then PostgreSQL when a server answers) holding one territory,
a prescriber and one contract with 10 lots, then times what the imports page does with a file of
N people, each with one employment contract on a lot (consent date, publics, commune left empty):
the preview (`run(write=False)`), the commit (`run(write=True)` + commit) and the same file again
(every line unchanged). Names are drawn from syllables so that no two people born the same day
have close names (the duplicate check would refuse them). Prints the figures in French (wall
clock, and the process's CPU time); nothing is timed in the test suite.
"""
import argparse
import random
from datetime import date, timedelta

import click

from benchmarks import common
from benchmarks.imports_hours import _world, time_runs

SYLLABLES = ("ba", "ko", "ri", "mu", "sel", "tan", "dor", "vi", "lu", "gar", "pe", "zo", "nac", "fi", "rou",
             "ma", "ti", "bel", "quo", "sa", "den", "lo", "cha", "vre")
FIRST_NAMES = ("Léa", "Moussa", "Fatou", "Karim", "Inès", "Yann", "Aminata", "Paulo", "Sofia", "Omar")


def _rows(lines: int) -> list:
    from clausematch.imports.base import Row

    rng = random.Random(0)
    names: set[tuple[str, date]] = set()
    rows = []
    while len(rows) < lines:
        last = "".join(rng.choice(SYLLABLES) for _ in range(4)).capitalize()
        born = date(1962, 1, 1) + timedelta(days=rng.randrange(40 * 365))
        if (last, born) in names:
            continue
        names.add((last, born))
        rows.append(Row(len(rows) + 2, {
            "last_name": last, "first_name": rng.choice(FIRST_NAMES), "birth_date": born.strftime("%d/%m/%Y"),
            "gender": "F", "education_level": "CAP-BEP", "prescriber": "Prescripteur", "publics": "RSA, QPV",
            "consent_date": "02/01/2025", "contract_reference": "BANC-2025", "lot_number": str(len(rows) % 10 + 1),
            "contract_type": "CDD", "start_date": "06/01/2025", "planned_end_date": "30/06/2025",
            "weekly_hours": "35"}))
    return rows


def run(url: str, lines: int) -> None:
    from clausematch import create_app
    from clausematch.extensions import db
    from clausematch.imports.people import KIND

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        world = _world(db, 0)
        rows = _rows(lines)
        time_runs(KIND, world, rows)
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Mesure l'import des personnes et de leurs contrats.")
    parser.add_argument("--lignes", type=int, default=100_000, help="lignes du fichier (100 000)")
    args = parser.parse_args(argv)
    click.echo(f"Import de personnes : {common.count(args.lignes)} personnes, un contrat chacune")
    common.on_each_database(run, args.lignes)


if __name__ == "__main__":
    main()
