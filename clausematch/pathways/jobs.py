"""Scheduled work on pathways: creating the 6-month follow-ups as their date nears.

The daily job is the one place follow-ups are created (exits do not create them), so an exit
recorded late, imported, or made by a conversion to CDI gets its follow-up all the same. It is
safe to re-run: an exit that has its follow-up is skipped, and the unique exit_id (with an
INSERT that ignores conflicts) keeps two concurrent runs from creating it twice.
"""
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from clausematch.database import add_months
from clausematch.extensions import db
from clausematch.pathways.follow_ups import FOLLOW_UP_MONTHS, due_on
from clausematch.pathways.models import Exit, FollowUp

# Follow-ups appear in the facilitator's list this many days before they are due, so that
# the call can be planned.
NOTICE_DAYS = 30
BATCH_SIZE = 1000


def create_due_follow_ups(on: date) -> int:
    """Create the follow-up of every exit whose 6-month date falls on or before `on` plus
    NOTICE_DAYS and that has none yet; returns how many were created."""
    horizon = on + timedelta(days=NOTICE_DAYS)
    # A generous bound in SQL (month lengths vary), the exact date checked below.
    latest_exit = add_months(horizon, -FOLLOW_UP_MONTHS) + timedelta(days=3)
    rows = db.session.execute(
        sa.select(Exit.id, Exit.exit_date).outerjoin(FollowUp, FollowUp.exit_id == Exit.id)
        .where(FollowUp.id.is_(None), Exit.exit_date <= latest_exit).order_by(Exit.id))
    values = [{"exit_id": exit_id, "due_on": due, "comment": ""}
              for exit_id, exit_date in rows if (due := due_on(exit_date)) <= horizon]
    for start in range(0, len(values), BATCH_SIZE):
        db.session.execute(_insert_ignoring_duplicates(), values[start:start + BATCH_SIZE])
    db.session.commit()
    return len(values)


def _insert_ignoring_duplicates():
    """INSERT INTO follow_ups … ON CONFLICT (exit_id) DO NOTHING, in the database's dialect."""
    dialects = {"postgresql": postgresql, "sqlite": sqlite}
    dialect = dialects.get(db.session.get_bind().dialect.name)
    if dialect is None:
        return sa.insert(FollowUp)
    return dialect.insert(FollowUp).on_conflict_do_nothing(index_elements=["exit_id"])


def follow_ups_summary(count: int) -> str:
    if count == 0:
        return "Aucun suivi à 6 mois à créer."
    if count == 1:
        return "1 suivi à 6 mois créé."
    return f"{count} suivis à 6 mois créés."
