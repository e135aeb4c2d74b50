"""File builders and sample files of the imports tests (a module of its own: every conftest.py is
named `conftest`)."""
import io
from pathlib import Path
from types import SimpleNamespace

DATA = Path(__file__).parent / "data"  # the DECP samples, with their sources in data/README.md
# The buyers' SIRETs the DECP samples name: A (Lyon), B (Allier), and one of another territory.
LYON, ALLIER, ELSEWHERE = "21690123100011", "21030042200016", "21974022200019"


def csv_bytes(rows: list[list[str]], separator: str = ";", encoding: str = "utf-8", bom: bool = False) -> bytes:
    text = "\r\n".join(separator.join(cells) for cells in rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def siret(n: int) -> str:
    from factories import _siret

    return _siret(73282932000000 // 10 + 500 + n)


COMPANY_HEADER = ["SIRET", "Raison sociale", "Type d'entreprise", "Commune", "E-mail", "Téléphone"]


def company_line(n: int, name: str | None = None, kind: str = "EI", commune: str = "Saint-Denis (93066)") -> list[str]:
    return [siret(n), name or f"Entreprise importée {n}", kind, commune, f"contact{n}@exemple.fr", "01 48 13 00 00"]


CONTRACT_HEADER = ["SIRET de l'acheteur", "Acheteur", "Type d'acheteur", "Référence du marché", "Objet du marché",
                   "Secteur", "Montant HT du marché", "Date de notification", "Début d'exécution", "Fin d'exécution",
                   "Type de clause", "N° de lot", "Intitulé du lot", "SIRET du titulaire", "Heures d'insertion"]


def contract_line(reference: str = "2025-001", lot: int = 1, company: str = "", hours: str = "800",
                  buyer_siret: str = "", buyer_name: str = "Ville de Saint-Denis", title: str = "Gros œuvre",
                  object_: str = "Groupe scolaire", start: str = "01/02/2025") -> list[str]:
    return [buyer_siret, buyer_name, "Commune", reference, object_, "BTP", "1 000 000,00", "15/01/2025", start,
            "31/12/2026", "Condition d'exécution", str(lot), title, company, hours]


def import_decp(territory, actor, data: bytes, filename: str, dry_run: bool = False) -> SimpleNamespace:
    """A DECP file through the imports runner (as the page and `flask import decp`), with what its
    reader left out: results, counts, committed, other_buyers, not_marches, refused."""
    from clausematch.imports import runner
    from clausematch.imports.base import Outcome
    from clausematch.imports.decp import KIND, territory_sirets
    from clausematch.imports.decp_format import read_decp

    reading = read_decp(data, filename, territory_sirets(territory))
    report = (runner.preview if dry_run else runner.commit)(KIND, territory, actor, data, filename)
    return SimpleNamespace(results=report.results, counts=report.counts, committed=report.committed,
                           other_buyers=reading.other_buyers, not_marches=reading.not_marches,
                           refused=[r for r in report.results if r.outcome is Outcome.REFUSED])
