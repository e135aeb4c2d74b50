"""Benchmark of the spreadsheet imports: ``python -m benchmarks.imports [--lines N]``.

Builds a throwaway database holding one territory (SQLite, then PostgreSQL when a server
answers), writes a companies file and a contracts file of N lines each (100 000 by default: the
issue's target is under 60 s for each), then times, for each, the preview (read + plan, nothing
written), the commit into the empty territory (read + plan + bulk writes) and the re-import of
the same file (all lines unchanged).
Prints seconds in French, elapsed and CPU (this process's: on a machine shared with other work,
the elapsed time is the CPU time plus the waits for a core and for the disk). Nothing is timed in
the test suite: figures depend on the machine.
"""
import argparse
import csv
import io
import time
from datetime import date

from benchmarks import common


def _siret(n: int) -> str:
    body = f"{73282932000000 // 10 + n:013d}"
    total = 0
    for i, digit in enumerate(reversed([int(d) for d in body])):
        digit = digit * 2 if i % 2 == 0 else digit
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def _csv(header: list[str], rows) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def files(lines: int) -> tuple[bytes, bytes]:
    """A companies file of `lines` companies, a contracts file of `lines` lots (3 per contract,
    20 buyers, the titulaires among those companies)."""
    from clausematch.imports.companies import KIND as COMPANIES
    from clausematch.imports.contracts import KIND as CONTRACTS

    def company(n: int) -> list[str]:
        values = {"siret": _siret(n), "name": f"Entreprise {n}", "company_kind": ("EI", "Titulaire", "ETTI")[n % 3],
                  "email": f"c{n}@exemple.fr", "phone": "01 48 13 00 00"}
        return [values.get(column.key, "") for column in COMPANIES.columns]

    companies = _csv([c.label for c in COMPANIES.columns], (company(n) for n in range(lines)))
    header = [c.label for c in CONTRACTS.columns]
    start = date(2024, 1, 1)

    def lot(n: int) -> list[str]:
        values = {"buyer_name": f"Acheteur {n // 3 % 20}", "buyer_kind": "Commune", "reference": f"M-{n // 3}",
                  "object": f"Travaux {n // 3}", "sector": "BTP", "amount_ht": "1 500 000,00",
                  "notified_on": "15/12/2023", "start_date": f"{start:%d/%m/%Y}", "end_date": "31/12/2027",
                  "clause_kind": "Condition d'exécution", "lot_number": str(n % 3 + 1), "lot_title": f"Lot {n % 3 + 1}",
                  "company_siret": _siret(n % lines), "lot_amount": "500 000", "hours_objective": str(300 + n % 500)}
        return [values.get(column.key, "") for column in CONTRACTS.columns]

    return companies, _csv(header, (lot(n) for n in range(lines)))


def run(url: str, lines: int) -> None:
    from clausematch import create_app
    from clausematch.accounts.models import Territory
    from clausematch.extensions import db
    from clausematch.imports.companies import KIND as COMPANIES
    from clausematch.imports.contracts import KIND as CONTRACTS
    from clausematch.imports.runner import commit, preview

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        territory = Territory(name="Banc d'essai des imports")
        db.session.add(territory)
        db.session.commit()
        companies, contracts = files(lines)
        for kind, data in ((COMPANIES, companies), (CONTRACTS, contracts)):
            print(f"{kind.label} : {common.count(lines)} lignes, {len(data) / 1e6:.1f} Mo".replace(".", ","))
            for step, action in (("aperçu", preview), ("import", commit), ("réimport (tout inchangé)", commit)):
                began, cpu = time.perf_counter(), time.process_time()
                report = action(kind, db.session.get(Territory, territory.id), None, data, "banc.csv")
                seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
                assert not report.refused, report.refused[:3]
                counts = ", ".join(f"{outcome.label.lower()} {n}" for outcome, n in report.counts.items() if n)
                print(f"  {step:<26} {seconds:6.1f} s (CPU {cpu:5.1f} s)".replace(".", ",") + f"  ({counts})",
                      flush=True)
        db.session.remove()
        db.engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args(argv)
    print("Objectif : moins de 60 s par import")
    common.on_each_database(run, args.lines)


if __name__ == "__main__":
    main()
