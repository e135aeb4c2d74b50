"""Load the bundled reference data (ROME codes, appellations, communes) into the database.

Idempotent: rows are inserted when missing and updated when their text changed, in bulk.
"""
import csv
import math
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from clausematch.extensions import db
from clausematch.referential.models import Commune, RomeAppellation, RomeCode

DATA_DIR = Path(__file__).resolve().parent / "data"
BATCH = 5000


def read_csv(name: str) -> Iterator[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def rome_code_rows() -> list[dict]:
    return [{"code": r["rome_code"], "label": r["label"]} for r in read_csv("rome_codes.csv")]


def appellation_rows() -> list[dict]:
    return [{"code": int(r["appellation_code"]), "label": r["label"], "rome_code": r["rome_code"]}
            for r in read_csv("rome_appellations.csv")]


def commune_rows() -> list[dict]:
    rows = []
    for r in read_csv("communes.csv"):
        latitude, longitude = _coordinate(r["latitude"]), _coordinate(r["longitude"])
        if latitude is None or longitude is None:
            continue  # a few communes have no position ("nan" or empty): not searchable by distance
        rows.append({
            "insee_code": r["insee_code"], "name": r["name"], "kind": r["kind"],
            "department": r["department"], "postcodes": r["postcodes"],
            "latitude": latitude, "longitude": longitude,
            "population": int(r["population"]) if r["population"].isdigit() else None,
        })
    return rows


def _coordinate(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _upsert(model, key: str, rows: list[dict]) -> int:
    """Insert missing rows and update changed ones; returns the number of rows in the file."""
    existing = {getattr(row, key): row._asdict()
                for row in db.session.execute(sa.select(*model.__table__.columns))}
    new = [r for r in rows if r[key] not in existing]
    changed = [r for r in rows if r[key] in existing and existing[r[key]] != r]
    for start in range(0, len(new), BATCH):
        db.session.execute(sa.insert(model), new[start:start + BATCH])
    for start in range(0, len(changed), BATCH):
        db.session.execute(sa.update(model), changed[start:start + BATCH])
    return len(rows)


def load_reference_data() -> dict[str, int]:
    counts = {
        "codes ROME": _upsert(RomeCode, "code", rome_code_rows()),
        "appellations": _upsert(RomeAppellation, "code", appellation_rows()),
        "communes": _upsert(Commune, "insee_code", commune_rows()),
    }
    db.session.commit()
    return counts
