"""Helpers of the monthly hours tests (imported by each tests/pathways/test_hours_*.py); their fixtures
(`lot`, `hire`, `other_company_user`) are in tests/pathways/conftest.py."""
import html
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from factories import HoursEntryFactory

from clausematch.pathways.hours import cell_name
from clausematch.pathways.models import HoursEntry, HoursKind, HoursRevision, HoursStatus

MARCH = date(2025, 3, 1)
W, T = HoursKind.WORK, HoursKind.TRAINING


def entry(contract, month=MARCH, kind=W, hours="100", status=HoursStatus.DECLARED, **columns) -> HoursEntry:
    return HoursEntryFactory(contract=contract, month=month, kind=kind, hours=Decimal(hours), status=status, **columns)


def entries(db) -> dict[tuple, tuple]:
    """Every entry as {(contract_id, month, kind): (hours, status)}."""
    db.session.expire_all()
    return {(e.contract_id, e.month, e.kind): (e.hours, e.status)
            for e in db.session.scalars(sa.select(HoursEntry))}


def revisions(db, entry_id: int) -> list[tuple]:
    """(old, new, comment) of an entry's revisions, oldest first."""
    return [(r.old_hours, r.new_hours, r.comment) for r in db.session.scalars(
        sa.select(HoursRevision).where(HoursRevision.entry_id == entry_id).order_by(HoursRevision.id))]


def cell(contract, kind=W) -> str:
    return cell_name(contract.id, kind)


def page_text(response) -> str:
    """The page's HTML with entities decoded ("n&#39;a" → "n'a"), for assertions on French text."""
    return html.unescape(response.get_data(as_text=True))
