"""Which hours count towards a clause's objective, and how far they go (docs/domain.md,
"Heures d'insertion"): one rule for the contract pages, the home pages and the reports."""
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import Territory
from clausematch.pathways.models import HoursEntry, HoursKind, HoursStatus


def counted_hours(territory: Territory, source=HoursEntry) -> list[sa.ColumnElement[bool]]:
    """Conditions on HoursEntry — or on its running totals, `source=LotMonthHours`
    (pathways/hours_totals.py), which have the same status and kind — for hours that count:
    validated, and training hours only when the territory's convention counts them (a setting,
    never a constant)."""
    conditions = [source.status == HoursStatus.VALIDATED]
    if not territory.count_training_hours:
        conditions.append(source.kind == HoursKind.WORK)
    return conditions


def realisation_rate(realised: Decimal | None, objective: Decimal | None) -> Decimal | None:
    """Realised ÷ objective as a share (1.14 for 114 %), never capped (over-achievement is
    normal); None without objective."""
    if not objective:
        return None
    return Decimal(realised or 0) / Decimal(objective)
