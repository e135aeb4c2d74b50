"""EXPLAIN (ANALYZE, BUFFERS) of the hot pages' queries on a database filled by `flask seed scale`:
``python -m benchmarks.explain [--database-url URL] [--output docs/explain]``.

Each page is asked once through the application (a facilitator or prescriber of territory 1,
logged in through the session as benchmarks/reports.py does), a second time with every SELECT it
runs recorded; each recorded statement is then explained with its own parameters, and the plans
are written to <output>/<page>.txt with the data volume, the date and the server's version.
PostgreSQL only (the production database).
"""
import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/clausematch_scale"
VOLUME = (("candidats", "candidates"), ("offres", "offers"), ("candidatures", "applications"),
          ("contrats de travail", "employment_contracts"), ("relevés d'heures", "hours_entries"),
          ("territoires", "territories"))


def pages(db) -> list[tuple[str, str, str]]:
    """(file name, role e-mail, path) of the hot pages, with ids read from territory 1."""
    from seeds.scale import email

    value = lambda sql: db.session.execute(sa.text(sql)).scalar()  # noqa: E731
    offer = value("SELECT MIN(id) FROM offers WHERE territory_id = 1 AND status = 'published'")
    lot, month = db.session.execute(sa.text(
        "SELECT lot_id, month FROM hours_entries WHERE status = 'declared' ORDER BY lot_id LIMIT 1")).one()
    month = month if hasattr(month, "year") else datetime.fromisoformat(str(month)).date()
    facilitator = email("facilitateur", 0)
    return [("accueil-facilitateur", facilitator, "/facilitateur"),
            ("bourse-recherche", facilitator, "/offres?q=macon&commune=Lyon&rayon=20"),
            ("candidats-suggeres", facilitator, f"/gestion/offres/{offer}/candidats-suggeres"),
            ("rapport-entonnoir", facilitator, "/rapports/entonnoir"),
            ("rapport-heures", facilitator, "/rapports/heures"),
            ("rapport-publics", facilitator, "/rapports/publics"),
            ("rapport-sorties", facilitator, "/rapports/sorties"),
            ("rapport-alertes", facilitator, "/rapports/alertes"),
            ("export-heures-csv", facilitator, "/rapports/heures/export.csv"),
            ("heures-a-valider", facilitator, "/heures/a-valider"),
            ("grille-heures-lot-mois", facilitator, f"/heures/lots/{lot}/{month:%Y-%m}")]


def run(url: str, output: Path) -> None:
    from flask_login.utils import _create_identifier

    from clausematch import create_app
    from clausematch.accounts.models import User
    from clausematch.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    output.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        volume = ", ".join(f"{db.session.execute(sa.text(f'SELECT COUNT(*) FROM {table}')).scalar():,} {label}"
                           .replace(",", "\u202f") for label, table in VOLUME)
        server = db.session.execute(sa.text("SHOW server_version")).scalar()
        for name, login, path in pages(db):
            user = db.session.execute(sa.select(User).filter_by(email=login)).scalar_one()
            client = app.test_client()
            with app.test_request_context(environ_base=client.environ_base):
                identifier = _create_identifier()
            with client.session_transaction() as session:
                session.update({"_user_id": user.get_id(), "_fresh": True, "_id": identifier})
            db.session.remove()
            first = client.get(path)  # warms caches (and builds the matching index on its page)
            recorded: list[tuple[str, object]] = []
            record = _recorder(recorded)
            sa.event.listen(db.engine, "before_cursor_execute", record)
            try:
                second = client.get(path)
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", record)
            db.session.remove()
            lines = [f"# {path} (réponses {first.status_code}, {second.status_code})",
                     f"# Données : {volume}",
                     f"# Relevé le {datetime.now(UTC):%d/%m/%Y %H:%M} UTC, PostgreSQL {server}, "
                     f"machine à {os.cpu_count()} cœurs partagés (load average {os.getloadavg()[0]:.2f})", ""]
            with db.engine.connect() as conn:
                cursor = conn.connection.driver_connection.cursor()
                for n, (statement, parameters) in enumerate(recorded, 1):
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    lines += [f"## Requête {n}", statement.strip(), f"-- paramètres : {parameters}", "", plan, ""]
                conn.rollback()
            (output / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
            print(f"{name} : {len(recorded)} requêtes expliquées ({path}, {second.status_code})", flush=True)


def _recorder(recorded: list):
    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            recorded.append((statement, parameters))
    return record


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Plans d'exécution des requêtes des pages les plus sollicitées.")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL)
    parser.add_argument("--output", default=str(ROOT / "docs" / "explain"))
    args = parser.parse_args(argv)
    run(args.database_url, Path(args.output))


if __name__ == "__main__":
    main()
