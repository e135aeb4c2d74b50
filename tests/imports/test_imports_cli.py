"""`flask import KIND FILE [--territory ID] [--dry-run]`."""
import sqlalchemy as sa
from import_files import COMPANY_HEADER, company_line, csv_bytes

from clausematch.accounts.models import Company


def company_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Company))


def test_dry_run_then_import_then_refusals(runner, db, territory, personas, tmp_path):
    good = tmp_path / "entreprises.csv"
    good.write_bytes(csv_bytes([COMPANY_HEADER, company_line(1), company_line(2)]))
    before = company_count(db)
    result = runner.invoke(args=["import", "companies", str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "créée : 2" in result.output and "Simulation" in result.output
    assert company_count(db) == before
    result = runner.invoke(args=["import", "companies", str(good), "--territory", str(territory.id)])
    assert result.exit_code == 0 and "Import enregistré." in result.output
    assert company_count(db) == before + 2
    bad = tmp_path / "mauvais.csv"
    bad.write_bytes(csv_bytes([COMPANY_HEADER, company_line(3), ["123", "X", "", "", "", ""]]))
    result = runner.invoke(args=["import", "companies", str(bad)])
    assert result.exit_code == 1
    assert "Ligne 3 (SIRET 123) : Le SIRET doit comporter 14 chiffres" in result.output
    assert "Aucune ligne n'a été importée" in result.output
    assert company_count(db) == before + 2


def test_unreadable_file_and_unknown_territory(runner, db, territory, tmp_path):
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import", "companies", str(empty)])
    assert result.exit_code == 1 and "Le fichier est vide." in result.output
    result = runner.invoke(args=["import", "companies", str(empty), "--territory", "999999"])
    assert result.exit_code == 2 and "aucun territoire n° 999999" in result.output
