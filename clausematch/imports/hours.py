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
from typing import TYPE_CHECKING

import sqlalchemy as sa

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
from clausematch.pathways.hours_rules import (
    HoursValueError,
    check_month_declarable,
    check_month_in_contract,
    contract_end,
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
KIND_TEXT = {HoursKind.WORK: "travail", HoursKind.TRAINING: "formation"}


class _Line:
    __slots__ = ("key", "lot", "lot_name", "month", "hours", "kind", "text")

    def __init__(self, key, lot, lot_name, month, hours, kind, text):
        self.key, self.lot, self.lot_name, self.month = key, lot, lot_name, month
        self.hours, self.kind, self.text = hours, kind, text


class HoursImportKind:
    name = "hours"
    label = "Heures mensuelles"
    columns = COLUMNS

    def run(self, territory: Territory, actor: User | None, rows: list[Row], *, write: bool) -> list[LineResult]:
        day = today()
        lots = territory_lots(territory.id)
        keys: dict[tuple[str, str], str] = {}  # names → name key (normalising is the costly part)
        read: list[tuple[Row, list[str], _Line | None]] = []
        for row in rows:
            reasons: list[str] = []
            read.append((row, reasons, self._read(row, reasons, lots, keys, day)))

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
        entries: dict[tuple, tuple[int, object]] = {}
        for part in chunks(contract_ids):
            stmt = sa.select(HoursEntry.id, HoursEntry.contract_id, HoursEntry.month, HoursEntry.kind,
                             HoursEntry.hours).where(HoursEntry.contract_id.in_(part))
            if len(months) <= 100:
                stmt = stmt.where(HoursEntry.month.in_(months))
            for entry_id, contract_id, month, kind, hours in db.session.execute(stmt):
                entries[(contract_id, month, kind)] = (entry_id, hours)

        now = utcnow()
        actor_id = actor.id if actor is not None else None
        seen: dict[tuple, int] = {}
        inserts: list[dict] = []
        updates: list[dict] = []
        revisions: list[dict] = []
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
                results.append(LineResult(row.line, Outcome.CREATED, key_text, f"{format_hours(line.hours)} h"))
                inserts.append({"contract_id": contract.id, "candidate_id": contract.candidate_id,
                                "lot_id": contract.lot_id, "company_id": contract.company_id, "mode": contract.mode,
                                "month": line.month, "kind": line.kind, "hours": line.hours,
                                "status": HoursStatus.VALIDATED, "declared_by_id": actor_id,
                                "validated_by_id": actor_id, "validated_at": now, "created_at": now,
                                "updated_at": now})
            elif found[1] == line.hours:
                results.append(LineResult(row.line, Outcome.UNCHANGED, key_text))
            else:
                results.append(LineResult(row.line, Outcome.UPDATED, key_text,
                                          f"Heures : {format_hours(found[1])} → {format_hours(line.hours)}."))
                updates.append({"id": found[0], "hours": line.hours, "status": HoursStatus.VALIDATED,
                                "validated_by_id": actor_id, "validated_at": now, "updated_at": now})
                revisions.append({"entry_id": found[0], "old_hours": found[1], "new_hours": line.hours,
                                  "actor_id": actor_id, "occurred_at": now, "comment": IMPORT_EVIDENCE})
        if write:
            for part in chunks(inserts, 5000):
                db.session.execute(sa.insert(HoursEntry), part)
            if updates:
                db.session.execute(sa.update(HoursEntry), updates)
                db.session.execute(sa.insert(HoursRevision), revisions)
        return results

    def _read(self, row: Row, reasons: list[str], lots, keys, day: date) -> _Line | None:
        def check(function, *args):
            try:
                return function(*args)
            except (DomainError, HoursValueError) as error:
                reasons.append(error.message)
            return None

        first = check(_name, row.get("first_name"), "first_name", "le prénom")
        last = check(_name, row.get("last_name"), "last_name", "le nom")
        born = check(parse_date, row.get("birth_date"), "Date de naissance")
        if born is None and not row.get("birth_date"):
            reasons.append("Indiquez la date de naissance.")
        lot = check(find_lot, lots, row.get("contract_reference"), row.get("lot_number"))
        month = check(parse_month, row.get("month"))
        if month is not None:
            check(check_month_declarable, month, day)
        hours = check(parse_hours, row.get("hours"))
        if hours is None and not row.get("hours"):
            reasons.append("Indiquez le nombre d'heures (exemple : 151,67).")
        kind = KIND_WORDS.get(header_key(row.get("kind")))
        if kind is None:
            reasons.append(f"« {row.get('kind')} » n'est pas un type d'heures connu (travail ou formation).")
        if None in (first, last, born, lot, month, hours, kind):
            return None
        names = (first, last)
        if names not in keys:
            keys[names] = person_key(first, last, born)[0]
        lot_name = lot_label(row.get("contract_reference"), lot.number)
        text = (f"{first} {last}, né(e) le {format_date(born)}, {lot_name}, {month_label(month)}"
                + (", formation" if kind == HoursKind.TRAINING else ""))
        return _Line((keys[names], born), lot, lot_name, month, hours, kind, text)

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
        running = [c for c in on_lot if c.start_date <= month_end(line.month)
                   and (contract_end(c) is None or contract_end(c) >= line.month)]
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
