"""Plain SQL over the raw tables, for the seed tests (never the generator's own variables)."""
import hashlib
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from clausematch.extensions import db


def rows(sql: str, **params) -> list:
    return db.session.execute(sa.text(sql), params).all()


def value(sql: str, **params):
    return db.session.execute(sa.text(sql), params).scalar_one()


def as_date(v) -> date | None:
    """A date column read through plain SQL (SQLite returns text)."""
    return None if v is None else v if isinstance(v, date) else date.fromisoformat(str(v)[:10])


def fingerprint() -> str:
    """A hash of the seed's key columns: people, offers, contracts, applications, hours."""
    digest = hashlib.sha256()
    queries = [
        "SELECT id, first_name, last_name, birth_date, commune_insee, gender FROM candidates ORDER BY id",
        "SELECT id, title, status, lot_id, company_id FROM offers ORDER BY id",
        "SELECT id, reference, amount_ht, notified_on FROM contracts ORDER BY id",
        "SELECT id, candidate_id, offer_id, status FROM applications ORDER BY id",
        "SELECT id, contract_id, month, kind, hours, status FROM hours_entries ORDER BY id",
        "SELECT id, email FROM users ORDER BY id",
    ]
    for query in queries:
        for row in rows(query):
            digest.update(repr(tuple(_plain(v) for v in row)).encode())
    return digest.hexdigest()


def _plain(v):
    """Same text on SQLite and PostgreSQL (dates may come back as text, numbers as floats)."""
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    if isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
        return f"{Decimal(str(v)):.2f}"
    return str(v)
