"""The monthly reminder to declare hours: lots with a clause, someone under contract in the
month, and nothing declared for it yet. Safe to re-run: a lot reminded for a month (audit
event `hours_reminder` on the lot, details month "AAAA-MM") is not reminded again."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app, render_template
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Membership, Role, User
from clausematch.audit import AuditEvent, record
from clausematch.contracts.models import Clause, Lot
from clausematch.extensions import db
from clausematch.formats import month_key, month_label
from clausematch.notifications import notify, queue_email
from clausematch.pathways.hours import active_in_month
from clausematch.pathways.hours_validation import declaration_path
from clausematch.pathways.models import EmploymentContract, HoursEntry

REMINDER_ACTION = "hours_reminder"


@dataclass(frozen=True)
class RemindersSent:
    """What a run of the monthly reminder did; str() is the job's short French result."""

    month: date
    count: int

    def __str__(self) -> str:
        if self.count == 0:
            return f"Aucun lot à relancer pour {self.month:%m/%Y}."
        plural = "s" if self.count > 1 else ""
        return f"{self.count} lot{plural} relancé{plural} pour les heures de {self.month:%m/%Y}."


def lots_to_remind(month: date) -> list[Lot]:
    """Lots owing hours for `month` (first day) that have none declared and were not reminded."""
    reminded = sa.select(AuditEvent.entity_id).where(
        AuditEvent.action == REMINDER_ACTION, AuditEvent.entity_type == "lot", AuditEvent.entity_id.is_not(None),
        AuditEvent.details["month"].as_string() == month_key(month))
    declared = sa.select(HoursEntry.lot_id).where(HoursEntry.month == month)
    active = sa.select(EmploymentContract.lot_id).where(*active_in_month(month))
    return list(db.session.scalars(
        sa.select(Lot).join(Clause, Clause.lot_id == Lot.id)
        .where(Lot.company_id.is_not(None), Lot.id.in_(active), Lot.id.not_in(declared), Lot.id.not_in(reminded))
        .options(joinedload(Lot.contract)).order_by(Lot.id)))


def send_hours_reminders(month: date) -> int:
    """Remind the users of each owing company (one in-app notification per lot, one e-mail per
    user listing their lots); returns the number of lots reminded. One commit."""
    month = month.replace(day=1)
    lots = lots_to_remind(month)
    if not lots:
        return 0
    members = _company_members({lot.company_id for lot in lots})
    lots_of_user: dict[int, list[Lot]] = defaultdict(list)
    users: dict[int, User] = {}
    for lot in lots:
        record(REMINDER_ACTION, "lot", lot.id, month=month_key(month))
        for user in members.get(lot.company_id, []):
            notify(user.id, f"Heures de {month_label(month)} à déclarer : lot {lot.number} — {lot.title} "
                            f"(marché {lot.contract.reference}).", declaration_path(lot.id, month))
            lots_of_user[user.id].append(lot)
            users[user.id] = user
    for user_id, user_lots in lots_of_user.items():
        _email(users[user_id], user_lots, month)
    db.session.commit()
    return len(lots)


def _company_members(company_ids: set[int]) -> dict[int, list[User]]:
    rows = db.session.execute(
        sa.select(Membership.organisation_id, User).join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(sorted(company_ids)), User.is_active, User.role == Role.COMPANY)
        .order_by(User.id))
    members: dict[int, list[User]] = defaultdict(list)
    for company_id, user in rows:
        members[company_id].append(user)
    return members


def _email(user: User, lots: list[Lot], month: date) -> None:
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    links = {lot.id: base + declaration_path(lot.id, month) for lot in lots}
    queue_email(user.email, f"Heures d'insertion de {month_label(month)} à déclarer",
                render_template("pathways/hours_reminder.txt", user=user, lots=lots, links=links,
                                month_text=month_label(month)))
