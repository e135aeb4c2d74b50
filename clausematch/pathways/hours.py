"""Monthly hours declared by companies: the grid of a lot-month, and the all-or-nothing saving
shared by the grid and the CSV import (hours_csv.py).

Every change of a value writes a HoursRevision (who, when, old and new value, why), the first
declaration included. A company may correct validated hours: the entry goes back to
"declared" and the facilitator validates it again — but only hours it saw validated: the grid
sends, with each validated cell, the value it showed validated (`seen_name`). A value validated
meanwhile (the facilitator validated the month while the company was typing), or validated hours
in a CSV import, are refused with a French message: validated figures never change unnoticed.

Saving locks the contracts declared for, then their entries (clausematch.database.locked), and
checks every value again under the lock: a declaration and a validation (or two declarations)
sent at the same moment are serialised, and the second one reads what the first committed.
"""
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import User
from clausematch.audit import record, record_for_people
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.database import locked, today
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date, format_hours, month_key
from clausematch.pathways import hours_permissions as permissions
from clausematch.pathways.hours_rules import (
    HoursValueError,
    check_month_declarable,
    check_month_in_contract,
    month_end,
    parse_hours,
)
from clausematch.pathways.models import EmploymentContract, HoursEntry, HoursKind, HoursRevision, HoursStatus

REVISION_FIRST = "Déclaration"
REVISION_CHANGE = "Modification avant validation"
REVISION_REOPENED = "Correction d'heures validées par l'entreprise : à valider de nouveau"
REVISION_AFTER_REJECTION = "Nouvelle déclaration après refus"


class HoursRejected(DomainError):
    """Some values were refused, so nothing was saved. `errors` maps each cell name (grid) or
    line label (CSV) to its French message, in input order."""

    def __init__(self, errors: Mapping[str, str]):
        count = len(errors)
        super().__init__(f"{count} erreur{'s' if count > 1 else ''} : aucune heure n'a été enregistrée. "
                         "Corrigez puis enregistrez de nouveau.")
        self.errors = dict(errors)


@dataclass(frozen=True)
class Declaration:
    """One value to save: `key` names its cell or line for the error messages."""

    key: str
    contract: EmploymentContract
    month: date
    kind: HoursKind
    hours: Decimal | None  # None: the cell was left empty
    seen_validated: Decimal | None = None  # the validated value the grid showed (None: not shown validated)


@dataclass
class SaveResult:
    created: int = 0
    changed: int = 0
    reopened: int = 0  # validated entries corrected, back to "declared"
    unchanged: int = 0
    lot_months: set[tuple[int, date]] = field(default_factory=set)
    # (lot, month, person) of each value saved: the access log of each person concerned.
    people: set[tuple[int, date, int]] = field(default_factory=set)

    @property
    def saved(self) -> int:
        return self.created + self.changed


@dataclass(frozen=True)
class GridRow:
    contract: EmploymentContract
    entries: dict[HoursKind, HoursEntry]


@dataclass(frozen=True)
class Grid:
    lot: Lot
    month: date
    rows: list[GridRow]
    kinds: list[HoursKind]


def cell_name(contract_id: int, kind: HoursKind) -> str:
    """The name (and id) of a grid input: "heures-12-work"."""
    return f"heures-{contract_id}-{kind.value}"


def seen_name(contract_id: int, kind: HoursKind) -> str:
    """The hidden input carrying the validated value a grid cell showed: "heures-12-work-validee"."""
    return cell_name(contract_id, kind) + "-validee"


def _seen_value(text: str | None) -> Decimal | None:
    try:
        return parse_hours(text)
    except HoursValueError:  # a forged value: as if nothing had been shown validated
        return None


def counted_kinds(count_training: bool) -> list[HoursKind]:
    return [HoursKind.WORK, HoursKind.TRAINING] if count_training else [HoursKind.WORK]


def active_in_month(month: date) -> list[sa.ColumnElement[bool]]:
    """SQL conditions on EmploymentContract: it ran at least one day of `month`."""
    end = sa.func.coalesce(EmploymentContract.end_date, EmploymentContract.planned_end_date)
    return [EmploymentContract.start_date <= month_end(month), sa.or_(end.is_(None), end >= month)]


def load_grid(user: User, lot: Lot, month: date) -> Grid:
    """The user's contracts active on `lot` in `month`, with their entries (two queries)."""
    contracts = list(db.session.scalars(
        sa.select(EmploymentContract).join(Candidate, Candidate.id == EmploymentContract.candidate_id)
        .options(joinedload(EmploymentContract.candidate))
        .where(EmploymentContract.lot_id == lot.id, permissions.declarable_contracts(user), *active_in_month(month))
        .order_by(Candidate.last_name, Candidate.first_name, EmploymentContract.start_date, EmploymentContract.id)))
    entries = existing_entries([c.id for c in contracts], {month})
    rows = [GridRow(c, {kind: entry for (cid, _, kind), entry in entries.items() if cid == c.id})
            for c in contracts]
    return Grid(lot=lot, month=month, rows=rows, kinds=counted_kinds(lot.contract.territory.count_training_hours))


def existing_entries(contract_ids: Iterable[int], months: set[date], lock: bool = False) -> dict[tuple, HoursEntry]:
    """Entries of these contracts and months keyed (contract_id, month, kind); one query.
    `lock`: read fresh and locked until the commit, in id order (database.locked)."""
    contract_ids = sorted(set(contract_ids))
    if not contract_ids or not months:
        return {}
    stmt = sa.select(HoursEntry).where(HoursEntry.contract_id.in_(contract_ids), HoursEntry.month.in_(sorted(months)))
    rows = locked(db.session, stmt.order_by(HoursEntry.id)) if lock else db.session.scalars(stmt)
    return {(e.contract_id, e.month, e.kind): e for e in rows}


def save_grid(user: User, lot_id: int, month: date, cells: Mapping[str, str]) -> SaveResult:
    """Save the grid of a lot-month: every value or none (HoursRejected lists the cells)."""
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise DomainError("Ce lot n'existe pas.")
    if not permissions.can_declare_on_lot(user, lot):
        raise NotAllowed("Vous ne pouvez pas déclarer d'heures sur ce lot.")
    try:
        check_month_declarable(month, today())
    except HoursValueError as error:
        raise DomainError(error.message, field="mois") from None
    grid = load_grid(user, lot, month)
    errors: dict[str, str] = {}
    declarations = []
    for row in grid.rows:
        for kind in grid.kinds:
            name = cell_name(row.contract.id, kind)
            if name not in cells:  # not posted: left as it is
                continue
            try:
                declarations.append(Declaration(name, row.contract, month, kind, parse_hours(cells[name]),
                                                _seen_value(cells.get(seen_name(row.contract.id, kind)))))
            except HoursValueError as error:
                errors[name] = error.message
    return apply_declarations(user, declarations, errors)


def apply_declarations(user: User, declarations: list[Declaration], errors: dict[str, str]) -> SaveResult:
    """Check every declaration against its contract and the saved entries, then write them all
    in one commit — or raise HoursRejected with `errors` plus the new ones, writing nothing.
    The contracts, then their entries, are locked and read fresh first: everything is checked on
    the latest committed state (a validation or another save sent meanwhile waits, or has won)."""
    contract_ids = sorted({d.contract.id for d in declarations})
    if contract_ids:
        list(locked(db.session, sa.select(EmploymentContract).where(EmploymentContract.id.in_(contract_ids))
                    .order_by(EmploymentContract.id)))
    entries = existing_entries(contract_ids, {d.month for d in declarations}, lock=True)
    for declaration in declarations:
        message = _refusal(user, declaration, entries.get(_entry_key(declaration)))
        if message and declaration.key not in errors:
            errors[declaration.key] = message
    if errors:
        raise HoursRejected(errors)
    result = SaveResult()
    created = []
    for declaration in declarations:
        entry = entries.get(_entry_key(declaration))
        if declaration.hours is None or (entry is not None and entry.hours == declaration.hours):
            result.unchanged += entry is not None
            continue
        result.lot_months.add((declaration.contract.lot_id, declaration.month))
        result.people.add((declaration.contract.lot_id, declaration.month, declaration.contract.candidate_id))
        if entry is None:
            created.append(_new_entry(user, declaration))
        else:
            _change_entry(user, entry, declaration.hours, result)
    _add_created(user, created, result)
    _audit(user, declarations, result)
    _commit()
    return result


def _entry_key(declaration: Declaration) -> tuple:
    return declaration.contract.id, declaration.month, declaration.kind


def _refusal(user: User, declaration: Declaration, entry: HoursEntry | None) -> str | None:
    """Why this declaration cannot be saved, or None."""
    contract = declaration.contract
    if not permissions.can_declare_for_contract(user, contract):
        return "Ce contrat n'est pas un contrat de votre entreprise."
    if declaration.hours is None:
        if entry is not None:
            return (f"Des heures sont déjà déclarées ({format_hours(entry.hours)} h) : "
                    "saisissez 0 plutôt que d'effacer la case.")
        return None
    if (entry is not None and entry.status == HoursStatus.VALIDATED and declaration.hours != entry.hours
            and declaration.seen_validated != entry.hours):
        return (f"Ces heures ont été validées ({format_hours(entry.hours)} h) par l'équipe de facilitation le "
                f"{format_date(entry.validated_at)}. Pour les corriger, modifiez-les dans le tableau du mois, "
                "qui les montre validées : elles repartiront en validation.")
    if declaration.kind == HoursKind.TRAINING and not contract.lot.contract.territory.count_training_hours:
        return "Le territoire ne compte pas les heures de formation : déclarez seulement les heures travaillées."
    try:
        check_month_declarable(declaration.month, today())
        check_month_in_contract(contract, declaration.month)
    except HoursValueError as error:
        return error.message
    return None


def _new_entry(user: User, declaration: Declaration) -> HoursEntry:
    contract = declaration.contract
    entry = HoursEntry(contract_id=contract.id, candidate_id=contract.candidate_id, lot_id=contract.lot_id,
                       company_id=contract.company_id, mode=contract.mode, month=declaration.month,
                       kind=declaration.kind, hours=declaration.hours, status=HoursStatus.DECLARED,
                       declared_by_id=user.id)
    db.session.add(entry)
    return entry


def _change_entry(user: User, entry: HoursEntry, hours: Decimal, result: SaveResult) -> None:
    comment = {HoursStatus.VALIDATED: REVISION_REOPENED,
               HoursStatus.REJECTED: REVISION_AFTER_REJECTION}.get(entry.status, REVISION_CHANGE)
    result.reopened += entry.status == HoursStatus.VALIDATED
    result.changed += 1
    db.session.add(HoursRevision(entry_id=entry.id, old_hours=entry.hours, new_hours=hours, actor_id=user.id,
                                 comment=comment))
    entry.hours = hours
    entry.status = HoursStatus.DECLARED
    entry.declared_by_id = user.id
    entry.validated_by_id = None
    entry.validated_at = None


def _add_created(user: User, created: list[HoursEntry], result: SaveResult) -> None:
    if not created:
        return
    db.session.flush()  # the new entries' ids, for their first revision
    db.session.add_all([HoursRevision(entry_id=entry.id, old_hours=None, new_hours=entry.hours, actor_id=user.id,
                                      comment=REVISION_FIRST) for entry in created])
    result.created += len(created)


def _audit(user: User, declarations: list[Declaration], result: SaveResult) -> None:
    per_lot_month = Counter((d.contract.lot_id, d.month) for d in declarations if d.hours is not None)
    for lot_id, month in sorted(result.lot_months):
        record("hours.declared", "lot", lot_id, actor_id=user.id, month=month_key(month),
               values=per_lot_month[lot_id, month])
        # The access log of each person whose hours were declared (ids only).
        record_for_people("hours.person_declared", "lot", lot_id, user.id,
                          {person for lot, when, person in result.people if (lot, when) == (lot_id, month)},
                          month=month_key(month))


def _commit() -> None:
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Two saves of the same lot-month at once: the unique (contract, month, kind) refused the
        # second; nothing of it was kept.
        db.session.rollback()
        raise DomainError("Ces heures viennent d'être enregistrées par quelqu'un d'autre : "
                          "rechargez la page, vérifiez les valeurs puis enregistrez de nouveau.") from None


def lot_choices(user: User) -> list[tuple[int, str]]:
    """(id, label) of the lots the user declares on, for the lot picker (one query)."""
    lots = db.session.scalars(permissions.declarable_lots(user).options(joinedload(Lot.contract)))
    return [(lot.id, f"{lot.contract.reference} — lot {lot.number} : {lot.title}") for lot in lots]


def contracts_query_for_user(user: User) -> sa.Select:
    """The user's contracts with lot, contract and territory loaded (the CSV import)."""
    return (sa.select(EmploymentContract).where(permissions.declarable_contracts(user))
            .options(joinedload(EmploymentContract.lot).joinedload(Lot.contract).joinedload(Contract.territory)))
