"""The `hours` import kind: monthly hours per person × lot (× kind: work or training), one line each.

Natural key: the employment contract (the person's contract on that lot running that month) + the
month + the kind. The person is found as the `people` kind finds her (names compared as the
duplicate finder does, birth date); several contracts of hers on the lot running that month →
the line is refused (the import cannot tell them apart).

Decisions (README, « Importer les données existantes »):
- Imported hours are historical and were checked in the previous tool: they are written
  VALIDATED, the importing facilitator as declarer and validator, the import's time as validation
  time. The running totals (`pathways/hours_totals.py`) follow by the database triggers.
- Same value → unchanged (whatever the entry's status); another value → updated, validated again,
  with an `HoursRevision` (old → new, « Import des données existantes ») as a correction leaves.
- The rules of the hours grid apply (hours_rules): the number ("151,67"), at most 230 h a month,
  a month already begun, within the contract's dates.
- Bulk: people, contracts and entries are read by chunks of 1 000 keys; new entries are written
  by one multi-row INSERT, updates by one executemany: never one statement per line.
"""
from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from clausematch.candidates.checks import _name
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.database import today, utcnow
from clausematch.errors import DomainError
from clausematch.extensions import db
from clausematch.formats import format_date, format_hours, month_key, month_label
from clausematch.imports.base import Column, LineResult, Outcome, Row, header_key
from clausematch.imports.people import (
    IMPORT_EVIDENCE,
    chunks,
    date_text,
    find_lot,
    lot_label,
    parse_date,
    people_born,
    person_key,
    territory_lots,
)
from clausematch.pathways import hours_totals
from clausematch.pathways.hours_rules import (
    HoursValueError,
    check_month_declarable,
    check_month_in_contract,
    month_end,
    parse_hours,
    parse_month,
)
from clausematch.pathways.models import EmploymentContract, HoursEntry, HoursKind, HoursRevision, HoursStatus

if TYPE_CHECKING:
    from clausematch.accounts.models import Territory, User

COLUMNS = (
    Column("last_name", "Nom", True, ("nom de famille",)),
    Column("first_name", "Prénom", True, ("prenoms",)),
    Column("birth_date", "Date de naissance", True, ("ne le", "nee le", "naissance"), "JJ/MM/AAAA."),
    Column("contract_reference", "Référence du marché", True, ("marche", "reference marche", "n marche")),
    Column("lot_number", "Numéro de lot", True, ("lot", "n lot", "numero du lot")),
    Column("month", "Mois", True, ("periode", "mois de realisation"), "AAAA-MM ou MM/AAAA (exemple : 2025-03)."),
    Column("hours", "Heures", True, ("nombre d heures", "heures realisees", "heures d insertion"),
           "Exemple : 151,67."),
    Column("kind", "Type", False, ("type d heures", "nature"), "Travail (par défaut) ou formation."),
)
KIND_WORDS = {header_key(word): kind for word, kind in (
    ("", HoursKind.WORK), ("travail", HoursKind.WORK), ("work", HoursKind.WORK),
    ("heures travaillees", HoursKind.WORK), ("formation", HoursKind.TRAINING), ("training", HoursKind.TRAINING),
    ("heures de formation", HoursKind.TRAINING))}
# From this many entries written by one import, the running totals' triggers are suspended (_write).
SUSPEND_FROM = 2000
KIND_TEXT = {HoursKind.WORK: "travail", HoursKind.TRAINING: "formation"}


class _Line:
    __slots__ = ("key", "lot", "lot_name", "month", "hours", "kind", "text")

    def __init__(self, key, lot, lot_name, month, hours, kind, text):
        self.key, self.lot, self.lot_name, self.month = key, lot, lot_name, month
        self.hours, self.kind, self.text = hours, kind, text


class HoursImportKind:
    name = "hours"
    label = "Heures mensuelles"
    tables = ("hours_entries", "hours_revisions", "lot_month_hours")
    columns = COLUMNS

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        day = today()
        lots = territory_lots(territory.id)
        memo: dict = {}  # each distinct cell read once
        read: list[tuple[Row, list[str], _Line | None]] = []
        for row in rows:
            reasons: list[str] = []
            read.append((row, reasons, self._read(row, reasons, lots, memo, day)))

        # The people (by birth date), their contracts, the entries those contracts already have.
        people: dict[tuple, list[int]] = {}
        for candidate_id, first, last, born in people_born(
                territory.id, {line.key[1] for _, _, line in read if line is not None},
                *_PERSON_COLUMNS):
            people.setdefault(person_key(first, last, born), []).append(candidate_id)
        ids = {ids[0] for ids in people.values() if len(ids) == 1}
        contracts: dict[tuple[int, int], list] = {}
        for part in chunks(sorted(ids)):
            for contract in db.session.execute(sa.select(*_CONTRACT_COLUMNS)
                                               .where(EmploymentContract.candidate_id.in_(part))):
                contracts.setdefault((contract.candidate_id, contract.lot_id), []).append(contract)
        contract_ids = sorted(c.id for found in contracts.values() for c in found)
        months = sorted({line.month for _, _, line in read if line is not None})
        entries: dict[tuple, sa.Row] = {}
        for part in chunks(contract_ids):
            stmt = sa.select(HoursEntry.id, HoursEntry.contract_id, HoursEntry.month, HoursEntry.kind,
                             HoursEntry.hours, HoursEntry.status, HoursEntry.lot_id, HoursEntry.mode) \
                .where(HoursEntry.contract_id.in_(part))
            if len(months) <= 100:
                stmt = stmt.where(HoursEntry.month.in_(months))
            for entry in db.session.execute(stmt):
                entries[(entry.contract_id, entry.month, entry.kind)] = entry

        now = utcnow()
        actor_id = actor.id if actor is not None else None
        seen: dict[tuple, int] = {}
        inserts: list[dict] = []
        updates: list[dict] = []
        revisions: list[dict] = []
        replaced: list[sa.Row] = []  # the entries updated, as they were
        results: list[LineResult] = []
        for row, reasons, line in read:
            key_text = line.text if line is not None else f"Ligne {row.line}"
            contract = self._contract(line, people, contracts, reasons) if line is not None and not reasons else None
            if contract is not None:
                entry_key = (contract.id, line.month, line.kind)
                if entry_key in seen:
                    reasons.append(f"Même personne, même lot, même mois et même type d'heures que la ligne "
                                   f"{seen[entry_key]}.")
                else:
                    seen[entry_key] = row.line
            if reasons or contract is None:
                reasons = list(dict.fromkeys(reasons))
                results.append(LineResult(row.line, Outcome.REFUSED, key_text, " ".join(reasons), reasons))
                continue
            found = entries.get(entry_key)
            if found is None:
                shown = memo.get(line.hours) or memo.setdefault(line.hours, f"{format_hours(line.hours)} h")
                results.append(LineResult(row.line, Outcome.CREATED, key_text, shown))
                inserts.append({"contract_id": contract.id, "candidate_id": contract.candidate_id,
                                "lot_id": contract.lot_id, "company_id": contract.company_id, "mode": contract.mode,
                                "month": line.month, "kind": line.kind, "hours": line.hours,
                                "status": HoursStatus.VALIDATED, "declared_by_id": actor_id,
                                "validated_by_id": actor_id, "validated_at": now, "created_at": now,
                                "updated_at": now})
            elif found.hours == line.hours:
                results.append(LineResult(row.line, Outcome.UNCHANGED, key_text))
            else:
                results.append(LineResult(row.line, Outcome.UPDATED, key_text,
                                          f"Heures : {format_hours(found.hours)} → {format_hours(line.hours)}."))
                updates.append({"id": found.id, "hours": line.hours, "status": HoursStatus.VALIDATED,
                                "validated_by_id": actor_id, "validated_at": now, "updated_at": now})
                revisions.append({"entry_id": found.id, "old_hours": found.hours, "new_hours": line.hours,
                                  "actor_id": actor_id, "occurred_at": now, "comment": IMPORT_EVIDENCE})
                replaced.append(found)
        if write:
            _write(inserts, updates, revisions, replaced)
        return results

    def _read(self, row: Row, reasons: list[str], lots, memo: dict, day: date) -> _Line | None:
        """The line's values; each distinct cell is read once per file (a file repeats its months,
        lots, people and values on thousands of lines)."""
        def check(what: str, function, *args):
            key = (what, *args)  # `function` is the same for a `what`
            try:
                value, message = memo[key]
            except KeyError:
                try:
                    value, message = function(*args), None
                except (DomainError, HoursValueError) as error:
                    value, message = None, error.message
                memo[key] = value, message
            if message:
                reasons.append(message)
            return value

        first = check("first", _name, row.get("first_name"), "first_name", "le prénom")
        last = check("last", _name, row.get("last_name"), "last_name", "le nom")
        born = check("born", parse_date, row.get("birth_date"), "Date de naissance")
        if born is None and not row.get("birth_date"):
            reasons.append("Indiquez la date de naissance.")
        lot = check("lot", partial(find_lot, lots), row.get("contract_reference"), row.get("lot_number"))
        month = check("month", _declarable_month, row.get("month"), day)
        hours = check("hours", parse_hours, row.get("hours"))
        if hours is None and not row.get("hours"):
            reasons.append("Indiquez le nombre d'heures (exemple : 151,67).")
        kind = KIND_WORDS.get(row.get("kind")) or KIND_WORDS.get(header_key(row.get("kind")))
        if kind is None:
            reasons.append(f"« {row.get('kind')} » n'est pas un type d'heures connu (travail ou formation).")
        if None in (first, last, born, lot, month, hours, kind):
            return None
        person = memo.get(("person", first, last, born))
        if person is None:
            person = memo[("person", first, last, born)] = (
                person_key(first, last, born), f"{first} {last}, né(e) le {format_date(born)}")
        place = memo.get(("place", lot.id, row.get("contract_reference"), month, kind))
        if place is None:
            lot_name = lot_label(row.get("contract_reference"), lot.number)
            place = memo[("place", lot.id, row.get("contract_reference"), month, kind)] = (
                lot_name, f", {lot_name}, {month_label(month)}" + (", formation" if kind == HoursKind.TRAINING else ""))
        return _Line(person[0], lot, place[0], month, hours, kind, person[1] + place[1])

    def _contract(self, line: _Line, people, contracts, reasons: list[str]):
        found = people.get(line.key, [])
        if not found:
            reasons.append("Aucune fiche de cette personne sur le territoire (même nom, même date de naissance) : "
                           "importez d'abord les personnes.")
            return None
        if len(found) > 1:
            reasons.append("Plusieurs fiches actives portent ce nom et cette date de naissance : fusionnez d'abord "
                           "les doublons.")
            return None
        on_lot = contracts.get((found[0], line.lot.id), [])
        if not on_lot:
            reasons.append(f"Cette personne n'a pas de contrat de travail sur le {line.lot_name} : importez d'abord "
                           "les personnes et leurs contrats.")
            return None
        last_day = month_end(line.month)
        running = [c for c in on_lot if c.start_date <= last_day
                   and ((c.end_date or c.planned_end_date) is None or (c.end_date or c.planned_end_date) >= line.month)]
        if len(running) > 1:
            starts = ", ".join(format_date(c.start_date) for c in sorted(running, key=lambda c: c.start_date))
            reasons.append(f"Plusieurs contrats de cette personne sur ce lot couvrent {month_label(line.month)} "
                           f"(débuts le {starts}) : l'import ne sait pas à quel contrat rattacher ces heures ; "
                           "scindez-les en les saisissant contrat par contrat dans l'application.")
            return None
        if not running:
            if len(on_lot) == 1:
                try:
                    check_month_in_contract(on_lot[0], line.month)
                except HoursValueError as error:
                    reasons.append(error.message)
            else:
                reasons.append(f"Aucun contrat de cette personne sur ce lot ne couvre {month_label(line.month)}.")
            return None
        return running[0]

    def export_rows(self, territory: Territory) -> list[dict[str, str]]:
        return export_rows(territory)


def _write(inserts: list[dict], updates: list[dict], revisions: list[dict], replaced: list[sa.Row]) -> None:
    """Insert and update the entries (Core executemany). From SUSPEND_FROM entries on, the running
    totals' triggers are off meanwhile (one upsert per row of a hot total is what makes a large
    write slow, on PostgreSQL above all) and the totals get the import's sums in one statement
    instead, in the same transaction. SQLite: the write lock first, so that the triggers' DROP and
    CREATE are part of the transaction the runner commits or rolls back. PostgreSQL: the entries'
    table is locked until the commit (as for `hours_totals.suspended`)."""
    suspend = len(inserts) + len(updates) >= SUSPEND_FROM
    connection = db.session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if suspend:
        if not postgresql and not connection.connection.dbapi_connection.in_transaction:
            db.session.execute(sa.text("BEGIN IMMEDIATE"))
        for statement in (["ALTER TABLE hours_entries DISABLE TRIGGER USER"] if postgresql
                          else hours_totals.SQLITE_DROP):
            connection.exec_driver_sql(statement)
    for part in chunks(inserts, 5000):
        db.session.execute(HoursEntry.__table__.insert(), part)
    if updates:
        db.session.execute(sa.update(HoursEntry), updates)
        db.session.execute(HoursRevision.__table__.insert(), revisions)
    if not suspend:
        return
    for statement in (["ALTER TABLE hours_entries ENABLE TRIGGER USER"] if postgresql else hours_totals.SQLITE_DDL):
        connection.exec_driver_sql(statement)
    sums: dict[tuple, list] = {}

    def add(key: tuple, entries: int, hours) -> None:
        total = sums.setdefault(key, [0, 0])
        total[0] += entries
        total[1] += hours

    for row in inserts:
        add((row["lot_id"], row["month"], row["kind"], row["status"], row["mode"]), 1, row["hours"])
    for old, new in zip(replaced, updates, strict=True):
        add((old.lot_id, old.month, old.kind, old.status, old.mode), -1, -old.hours)
        add((old.lot_id, old.month, old.kind, new["status"], old.mode), 1, new["hours"])
    table = hours_totals.LotMonthHours.__table__
    upsert = (postgresql_insert if postgresql else sqlite_insert)(table)
    upsert = upsert.on_conflict_do_update(index_elements=list(hours_totals.KEY), set_={
        "entries": table.c.entries + upsert.excluded.entries, "hours": table.c.hours + upsert.excluded.hours})
    db.session.execute(upsert, [dict(zip(hours_totals.KEY, key, strict=True), entries=entries, hours=hours)
                                for key, (entries, hours) in sums.items()])


def _declarable_month(text: str, day: date) -> date:
    month = parse_month(text)
    check_month_declarable(month, day)
    return month


_PERSON_COLUMNS = (Candidate.id, Candidate.first_name, Candidate.last_name, Candidate.birth_date)
_CONTRACT_COLUMNS = (EmploymentContract.id, EmploymentContract.candidate_id, EmploymentContract.lot_id,
                     EmploymentContract.company_id, EmploymentContract.mode, EmploymentContract.start_date,
                     EmploymentContract.planned_end_date, EmploymentContract.end_date)


def export_rows(territory: Territory) -> list[dict[str, str]]:
    """The territory's validated hours (active people) in the template's columns: what `hours`
    imports back. Declared or refused hours are left out: an import writes validated hours."""
    stmt = (sa.select(Candidate.last_name, Candidate.first_name, Candidate.birth_date, Contract.reference,
                      Lot.number, HoursEntry.month, HoursEntry.hours, HoursEntry.kind)
            .join(Candidate, Candidate.id == HoursEntry.candidate_id).join(Lot, Lot.id == HoursEntry.lot_id)
            .join(Contract, Contract.id == Lot.contract_id)
            .where(Contract.territory_id == territory.id, Candidate.is_active,
                   HoursEntry.status == HoursStatus.VALIDATED)
            .order_by(Contract.reference, Lot.number, Candidate.id, HoursEntry.month, HoursEntry.kind))
    return [{"last_name": last, "first_name": first, "birth_date": date_text(born), "contract_reference": reference,
             "lot_number": str(number), "month": month_key(month), "hours": format_hours(hours),
             "kind": KIND_TEXT[kind]} for last, first, born, reference, number, month, hours, kind
            in db.session.execute(stmt)]


KIND = HoursImportKind()
