"""Facilitators validate, reject and correct declared hours, a whole lot-month at once or one
entry at a time. Every action leaves a HoursRevision on each entry it touches (who, when, old
and new value, why), so the history of an entry reads as one list; each service commits once.
"""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import User
from clausematch.audit import record, record_for_people
from clausematch.contracts.models import Lot
from clausematch.database import lock, locked, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date, format_hours, month_key, month_label
from clausematch.notifications import notify
from clausematch.pathways import hours_permissions as permissions
from clausematch.pathways.hours_rules import HoursValueError, check_month_in_contract, parse_hours
from clausematch.pathways.models import HoursEntry, HoursRevision, HoursStatus

REASON_MAX_LENGTH = 400
REVISION_VALIDATED = "Heures validées"
REVISION_REJECTED = "Heures refusées : "
REVISION_CORRECTED = "Correction par l'équipe de facilitation : "


_HANDLED = ((REVISION_VALIDATED, "validées"), (REVISION_REJECTED, "refusées"), (REVISION_CORRECTED, "corrigées"))


def declaration_path(lot_id: int, month: date) -> str:
    """The company's grid of a lot-month (messages are written without a request: no url_for)."""
    return f"/entreprise/heures?lot={lot_id}&mois={month_key(month)}"


def validate_lot_month(user: User, lot_id: int, month: date) -> int:
    """Validate every declared entry of the lot-month; returns how many."""
    lot = _lot_for(user, lot_id)
    entries = _declared(HoursEntry.lot_id == lot.id, HoursEntry.month == month)
    _validate(user, entries)
    record("hours.validated", "lot", lot.id, actor_id=user.id, month=month_key(month), entries=len(entries))
    record_for_people("hours.person_validated", "lot", lot.id, user.id, {e.candidate_id for e in entries},
                      month=month_key(month))
    db.session.commit()
    return len(entries)


def reject_lot_month(user: User, lot_id: int, month: date, reason: str) -> int:
    """Reject every declared entry of the lot-month with one reason; returns how many."""
    lot = _lot_for(user, lot_id)
    reason = _checked_reason(reason)
    entries = _declared(HoursEntry.lot_id == lot.id, HoursEntry.month == month)
    _reject(user, lot, month, entries, reason)
    db.session.commit()
    return len(entries)


def validate_entry(user: User, entry_id: int) -> HoursEntry:
    entry = _entry_for(user, entry_id)
    _validate(user, _declared(HoursEntry.id == entry.id))
    record("hours.validated", "lot", entry.lot_id, actor_id=user.id, candidate_id=entry.candidate_id,
           month=month_key(entry.month), entries=1)
    db.session.commit()
    return entry


def reject_entry(user: User, entry_id: int, reason: str) -> HoursEntry:
    entry = _entry_for(user, entry_id)
    reason = _checked_reason(reason)
    _reject(user, entry.contract.lot, entry.month, _declared(HoursEntry.id == entry.id), reason)
    db.session.commit()
    return entry


def check_correction(user: User, entry_id: int, hours_text: str, comment: str) -> None:
    """Every rule of the correction form, all refusals at once; reads only, nothing locked (its
    first submit)."""
    checked_correction(_entry_for(user, entry_id, for_update=False), hours_text, comment)


def checked_correction(entry: HoursEntry, hours_text: str, comment: str) -> tuple[Decimal, str]:
    """The corrected hours and the comment as kept, every rule run (one FieldErrors)."""
    collect = Collector()
    hours = None
    try:
        hours = parse_hours(hours_text)
        if hours is None:
            raise HoursValueError("Indiquez le nombre d'heures corrigé (0 pour aucune heure).")
        check_month_in_contract(entry.contract, entry.month)
    except HoursValueError as error:
        collect.add(error.message, field="heures")
    comment = (comment or "").strip()
    if not comment:
        collect.add("Expliquez la correction : l'entreprise lira ce commentaire.", field="commentaire")
    elif len(comment) > REASON_MAX_LENGTH:
        collect.add(f"Le commentaire ne doit pas dépasser {REASON_MAX_LENGTH} caractères.", field="commentaire")
    if not collect.refused("heures") and hours == entry.hours and entry.status == HoursStatus.VALIDATED:
        collect.add("La valeur est identique aux heures déjà validées.", field="heures")
    collect.raise_if_any()
    return hours, comment


def correct_entry(user: User, entry_id: int, hours_text: str, comment: str) -> HoursEntry:
    """A facilitator's correction: the new value, checked like a declaration, is validated at
    once (the facilitator has just checked it); the comment says why."""
    entry = _entry_for(user, entry_id)
    hours, comment = checked_correction(entry, hours_text, comment)
    db.session.add(HoursRevision(entry_id=entry.id, old_hours=entry.hours, new_hours=hours, actor_id=user.id,
                                 comment=REVISION_CORRECTED + comment))
    entry.hours, entry.status = hours, HoursStatus.VALIDATED
    entry.validated_by_id, entry.validated_at = user.id, utcnow()
    record("hours.corrected", "hours_entry", entry.id, actor_id=user.id, candidate_id=entry.candidate_id,
           month=month_key(entry.month))
    db.session.commit()
    return entry


def _lot_for(user: User, lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    if not permissions.can_validate_on_lot(user, lot):
        raise NotAllowed("Seule l'équipe de facilitation du territoire valide les heures de ce lot.")
    return lot


def _entry_for(user: User, entry_id: int, for_update: bool = True) -> HoursEntry:
    """The entry, locked until the commit: its change is checked on its latest state
    (`for_update` False: a read of the pure checks, not locked)."""
    entry = lock(db.session, HoursEntry, entry_id) if for_update else db.session.get(HoursEntry, entry_id)
    if entry is None:
        raise DomainError("Ces heures n'existent pas.")
    if not permissions.can_validate_on_lot(user, entry.contract.lot):
        raise NotAllowed("Seule l'équipe de facilitation du territoire valide ces heures.")
    return entry


def _declared(*conditions) -> list[HoursEntry]:
    """The declared entries matching `conditions`, locked until the commit (in id order): a
    validation or rejection sent at the same moment waits, then finds them no longer declared."""
    entries = list(locked(db.session, sa.select(HoursEntry).where(
        HoursEntry.status == HoursStatus.DECLARED, *conditions).order_by(HoursEntry.id)))
    if not entries:
        raise DomainError(_already_handled(conditions))
    return entries


def _already_handled(conditions) -> str:
    """Why nothing is left to validate: the latest action on these hours, by whom and when."""
    last = db.session.execute(sa.select(HoursRevision.comment, HoursRevision.occurred_at, User.full_name)
                              .join(HoursEntry, HoursRevision.entry_id == HoursEntry.id)
                              .outerjoin(User, HoursRevision.actor_id == User.id).where(*conditions)
                              .order_by(HoursRevision.id.desc()).limit(1)).first()
    if last is None:
        return "Aucune heure en attente de validation ici : la page n'était plus à jour."
    what = next((label for prefix, label in _HANDLED if last.comment.startswith(prefix)), "traitées")
    return (f"Ces heures ont déjà été {what} par {last.full_name or 'un autre utilisateur'} le "
            f"{format_date(last.occurred_at)} : la page n'était plus à jour, rien n'a été enregistré.")


def _checked_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Indiquez le motif du refus : l'entreprise le lira pour corriger sa déclaration.",
                          field="motif")
    if len(reason) > REASON_MAX_LENGTH:
        raise DomainError(f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères.", field="motif")
    return reason


def _validate(user: User, entries: list[HoursEntry]) -> None:
    now = utcnow()
    for entry in entries:
        entry.status, entry.validated_by_id, entry.validated_at = HoursStatus.VALIDATED, user.id, now
    db.session.add_all([HoursRevision(entry_id=e.id, old_hours=e.hours, new_hours=e.hours, actor_id=user.id,
                                      occurred_at=now, comment=REVISION_VALIDATED) for e in entries])


def _reject(user: User, lot: Lot, month: date, entries: list[HoursEntry], reason: str) -> None:
    now = utcnow()
    for entry in entries:
        entry.status, entry.validated_by_id, entry.validated_at = HoursStatus.REJECTED, None, None
    db.session.add_all([HoursRevision(entry_id=e.id, old_hours=e.hours, new_hours=e.hours, actor_id=user.id,
                                      occurred_at=now, comment=REVISION_REJECTED + reason) for e in entries])
    total = sum((e.hours for e in entries), Decimal(0))
    # The reason stays in the revisions (free text may name people); the audit keeps counts only.
    record("hours.rejected", "lot", lot.id, actor_id=user.id, month=month_key(month), entries=len(entries))
    record_for_people("hours.person_rejected", "lot", lot.id, user.id, {e.candidate_id for e in entries},
                      month=month_key(month))
    text = (f"{len(entries)} déclaration{'s' if len(entries) > 1 else ''} d'heures ({format_hours(total)} h) de "
            f"{month_label(month)} refusée{'s' if len(entries) > 1 else ''} sur le lot {lot.number} — {lot.title}. "
            "Consultez le motif et corrigez la déclaration.")
    for declarer_id in sorted({e.declared_by_id for e in entries if e.declared_by_id}):
        notify(declarer_id, text, declaration_path(lot.id, month))
