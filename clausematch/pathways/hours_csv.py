"""Monthly hours from a CSV file: reading (";" or "," separated, UTF-8 with or without BOM, or
Windows-1252), line-numbered French errors, all-or-nothing saving through hours.py, and the
template a company downloads to fill in.

Columns (first line, in any order, case and accents ignored; other columns are ignored):
`contrat` (the employment contract's number) or `candidat` + `lot` (the person's and the lot's
numbers), `mois` (AAAA-MM or MM/AAAA), `heures` ("151,67"), optional `type` (travail or
formation, travail when empty). A line whose `heures` is empty is skipped.
"""
import csv
import io
import unicodedata
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import joinedload

from clausematch.accounts.models import User
from clausematch.candidates.models import Candidate
from clausematch.errors import DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_hours, format_number, month_key, parse_id
from clausematch.pathways import hours_permissions as permissions
from clausematch.pathways.hours import (
    Declaration,
    HoursRejected,
    SaveResult,
    active_in_month,
    apply_declarations,
    contracts_query_for_user,
    counted_kinds,
    existing_entries,
)
from clausematch.pathways.hours_rules import HoursValueError, contract_end, month_end, parse_hours, parse_month
from clausematch.pathways.models import EmploymentContract, HoursKind
from clausematch.spreadsheets import csv_separator, csv_text, decode_text

MAX_BYTES = 2 * 1024 * 1024
MAX_LINES = 5000
MAX_ERRORS_SHOWN = 50
MAX_CELL = 1000  # characters in one cell: far more than any column needs
TEMPLATE_COLUMNS = ("contrat", "candidat", "lot", "nom", "mois", "heures", "type")
KIND_WORDS = {"": HoursKind.WORK, "travail": HoursKind.WORK, "heures travaillees": HoursKind.WORK,
              "formation": HoursKind.TRAINING, "heures de formation": HoursKind.TRAINING}
KIND_TEXT = {HoursKind.WORK: "travail", HoursKind.TRAINING: "formation"}


@dataclass(frozen=True)
class CsvLine:
    number: int  # line of the file, the header being line 1
    values: dict[str, str]

    @property
    def label(self) -> str:
        return f"Ligne {self.number}"

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def _plain(text: str) -> str:
    """Lower case, no accents, single spaces: "Heures travaillées " → "heures travaillees"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped), else Windows-1252 (Excel's French default)."""
    text = decode_text(data)
    if text is None:
        raise DomainError("Le fichier n'est pas un fichier texte lisible : enregistrez-le au format CSV "
                          "(UTF-8 ou Windows).")
    return text


def read_lines(text: str) -> list[CsvLine]:
    """The data lines under the header; refuses missing columns and too long files."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_separator(text))
    try:
        header = [_plain(name) for name in _checked(next(reader, []), reader.line_num)]
        _check_columns(header)
        lines = []
        for row in reader:
            if not any(cell.strip() for cell in _checked(row, reader.line_num)):
                continue
            if len(lines) == MAX_LINES:
                raise DomainError(f"Le fichier dépasse {format_number(MAX_LINES)} lignes : découpez-le en "
                                  "plusieurs fichiers.")
            lines.append(CsvLine(reader.line_num, dict(zip(header, row, strict=False))))
    except csv.Error as error:  # a cell over the csv module's limit, a NUL byte…: the line is unreadable
        oversize = "field limit" in str(error)
        raise DomainError(f"Ligne {reader.line_num} : " + (_OVERSIZE if oversize else "ligne illisible (guillemets "
                          "mal placés ou caractère non imprimable)") + " ; aucune heure n'a été enregistrée.") from None
    if not lines:
        raise DomainError("Le fichier ne contient aucune ligne d'heures sous la ligne des colonnes.")
    return lines


_OVERSIZE = f"une cellule dépasse {format_number(MAX_CELL)} caractères"


def _checked(row: list[str], line_number: int) -> list[str]:
    if any(len(cell) > MAX_CELL for cell in row):
        raise DomainError(f"Ligne {line_number} : {_OVERSIZE} ; aucune heure n'a été enregistrée.")
    return row


def _check_columns(header: list[str]) -> None:
    missing = [name for name in ("mois", "heures") if name not in header]
    if "contrat" not in header and not {"candidat", "lot"} <= set(header):
        missing.insert(0, "contrat (ou candidat et lot)")
    if missing:
        raise DomainError("Colonnes manquantes : " + ", ".join(missing) + ". La première ligne doit nommer les "
                          "colonnes, par exemple : contrat;mois;heures;type.")


def import_csv(user: User, data: bytes) -> SaveResult:
    """Save every line of the file, or none (HoursRejected lists the lines refused)."""
    if not permissions.can_declare_hours(user):
        raise NotAllowed("Seules les entreprises déclarent des heures.")
    if len(data) > MAX_BYTES:
        raise DomainError("Le fichier dépasse 2 Mo : découpez-le en plusieurs fichiers.")
    if not data.strip():
        raise DomainError("Le fichier est vide.")
    lines = read_lines(decode(data))
    errors: dict[str, str] = {}
    declarations = _declarations(user, lines, errors)
    try:
        return apply_declarations(user, declarations, errors)
    except HoursRejected as rejected:
        ordered = sorted(rejected.errors.items(), key=lambda item: int(item[0].split()[-1]))
        raise HoursRejected({key: f"{key} : {message}" for key, message in ordered}) from None


def _declarations(user: User, lines: list[CsvLine], errors: dict[str, str]) -> list[Declaration]:
    finder = _ContractFinder(user, lines)
    declarations, seen = [], {}
    for line in lines:
        try:
            declaration = _declaration(line, finder)
        except HoursValueError as error:
            errors[line.label] = error.message
            continue
        if declaration is None:
            continue
        key = (declaration.contract.id, declaration.month, declaration.kind)
        if key in seen:
            errors[line.label] = f"même contrat, même mois et même type d'heures que la ligne {seen[key]}."
            continue
        seen[key] = line.number
        declarations.append(declaration)
    return declarations


def _declaration(line: CsvLine, finder: "_ContractFinder") -> Declaration | None:
    month = parse_month(line.get("mois"))
    kind = KIND_WORDS.get(_plain(line.get("type")))
    if kind is None:
        raise HoursValueError(f"type « {line.get('type')} » inconnu : indiquez travail ou formation.")
    hours = parse_hours(line.get("heures"))
    if hours is None:
        return None
    return Declaration(line.label, finder.find(line, month), month, kind, hours)


class _ContractFinder:
    """The user's contracts named by the file, loaded in two queries whatever its length."""

    def __init__(self, user: User, lines: list[CsvLine]):
        ids, pairs = set(), set()
        for line in lines:
            number, candidate, lot = (parse_id(line.get(name)) for name in ("contrat", "candidat", "lot"))
            if number:
                ids.add(number)
            elif not line.get("contrat") and candidate and lot:
                pairs.add((candidate, lot))
        query = contracts_query_for_user(user)
        self.by_id = {c.id: c for c in db.session.scalars(query.where(EmploymentContract.id.in_(sorted(ids))))}
        self.by_pair: dict[tuple[int, int], list[EmploymentContract]] = {}
        if pairs:
            for contract in db.session.scalars(query.where(
                    EmploymentContract.candidate_id.in_(sorted({c for c, _ in pairs})),
                    EmploymentContract.lot_id.in_(sorted({lot for _, lot in pairs})))):
                self.by_pair.setdefault((contract.candidate_id, contract.lot_id), []).append(contract)

    def find(self, line: CsvLine, month: date) -> EmploymentContract:
        number = line.get("contrat")
        if number:
            if parse_id(number) not in self.by_id:
                raise HoursValueError(f"contrat « {number[:20]} » introuvable parmi les contrats de votre entreprise.")
            return self.by_id[parse_id(number)]
        candidate, lot = parse_id(line.get("candidat")), parse_id(line.get("lot"))
        if not (candidate and lot):
            raise HoursValueError("indiquez le numéro de contrat, ou les numéros de candidat et de lot.")
        matching = [c for c in self.by_pair.get((candidate, lot), []) if _runs_in(c, month)]
        if not matching:
            raise HoursValueError(f"aucun contrat de votre entreprise pour le candidat {candidate} sur le lot {lot} "
                                  f"en {month_key(month)}.")
        if len(matching) > 1:
            raise HoursValueError(f"plusieurs contrats du candidat {candidate} sur le lot {lot} en "
                                  f"{month_key(month)} : indiquez le numéro de contrat dans la colonne contrat.")
        return matching[0]


def _runs_in(contract: EmploymentContract, month: date) -> bool:
    """hours.active_in_month, evaluated in Python on a loaded contract."""
    end = contract_end(contract)
    return contract.start_date <= month_end(month) and (end is None or end >= month)


def template_csv(user: User, month: date, lot_id: int | None = None) -> str:
    """The file to fill in: one line per kind of hours and per contract of the user active in
    `month` (on `lot_id` only, when given), values already declared filled in. UTF-8 with BOM
    and ";" so that French Excel opens it as is."""
    query = (contracts_query_for_user(user).where(*active_in_month(month))
             .join(Candidate, Candidate.id == EmploymentContract.candidate_id)
             .options(joinedload(EmploymentContract.candidate))
             .order_by(EmploymentContract.lot_id, Candidate.last_name, Candidate.first_name, EmploymentContract.id))
    if lot_id is not None:
        query = query.where(EmploymentContract.lot_id == lot_id)
    contracts = list(db.session.scalars(query))
    entries = existing_entries([c.id for c in contracts], {month})
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    for contract in contracts:
        for kind in counted_kinds(contract.lot.contract.territory.count_training_hours):
            entry = entries.get((contract.id, month, kind))
            name = csv_text(contract.candidate.full_name)
            writer.writerow([contract.id, contract.candidate_id, contract.lot_id, name,
                             month_key(month), format_hours(entry.hours) if entry else "", KIND_TEXT[kind]])
    return "\ufeff" + out.getvalue()
