"""Exits: how an employment contract ended (docs/domain.md, "Parcours et sorties").

The detail (ExitDetail) is what people choose; the category (emploi durable, de transition,
sortie positive, autre) is derived from it with EXIT_CATEGORY and stored for reports in SQL.
Decisions:
- Only the last contract of a hire ends: an extended or converted contract was continued, so its
  exit is recorded on the contract that follows it (a conversion to CDI records its own exit).
- A manual exit records what happened: its date is not before the start and not in the future.
- The 6-month follow-up is not created here but by the daily job (pathways.jobs), which is
  idempotent; the pages show the date it will be due.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from clausematch import versioning
from clausematch.accounts.models import User
from clausematch.audit import record
from clausematch.database import lock, today
from clausematch.errors import Collector, DomainError
from clausematch.extensions import db
from clausematch.pathways.contracts import check_open, load_contract
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.vocabulary import EXIT_CATEGORY, ExitDetail

COMMENT_MAX_LENGTH = 1000


@dataclass
class ExitData:
    """What a person typed in the exit form, as plain values."""

    exit_date: date | None
    detail: str | None
    comment: str = ""


def parse_detail(value: str | ExitDetail | None, field: str = "detail") -> ExitDetail:
    try:
        return ExitDetail(value)
    except ValueError:
        raise DomainError("Choisissez la situation de la personne à la sortie.", field=field) from None


def check_comment(comment: str) -> str:
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise DomainError(f"Le commentaire ne doit pas dépasser {COMMENT_MAX_LENGTH} caractères.", field="comment")
    return comment


def add_exit(contract: EmploymentContract, exit_date: date, detail: ExitDetail, comment: str,
             actor: User) -> Exit:
    """End `contract` on `exit_date` with `detail` (category derived), audited; the caller commits."""
    contract.end_date = exit_date
    exit_ = Exit(contract=contract, exit_date=exit_date, detail=detail, category=EXIT_CATEGORY[detail],
                 comment=comment, recorded_by_id=actor.id)
    db.session.add(exit_)
    db.session.flush()
    # Codes only: the comment may name the person.
    record("exit.recorded", "exit", exit_.id, actor_id=actor.id, candidate_id=contract.candidate_id,
           contract_id=contract.id,
           detail=detail.value, category=exit_.category.value)
    return exit_


def check_exit(contract_id: int, data: ExitData, actor: User) -> None:
    """Every rule of the exit form, all refusals at once; reads only (its first submit)."""
    checked_exit(load_contract(contract_id, actor), data)


def checked_exit(contract: EmploymentContract, data: ExitData) -> tuple[ExitDetail, str]:
    """The exit's detail and comment: a contract still open (refused at once), then every field
    rule gathered (one FieldErrors). The date lies within the contract's story: not before its
    start, not in the future (which also keeps the 6-month follow-up inside the calendar)."""
    check_open(contract)
    collect = Collector()
    detail = collect(parse_detail, data.detail)
    if data.exit_date is None:
        collect.add("Indiquez la date de sortie.", field="exit_date")
    elif data.exit_date < contract.start_date:
        collect.add(f"La date de sortie ne peut pas précéder le début du contrat "
                    f"({contract.start_date:%d/%m/%Y}).", field="exit_date")
    elif data.exit_date > today():
        collect.add("La date de sortie ne peut pas être dans le futur : enregistrez la sortie "
                    "une fois le contrat terminé.", field="exit_date")
    comment = collect(check_comment, data.comment)
    collect.raise_if_any()
    return detail, comment


def record_exit(contract_id: int, data: ExitData, actor: User, version: int | None = None) -> Exit:
    """Record the end of contract `contract_id` on behalf of `actor` (facilitator or owing company).
    The contract is locked until the commit, so a second exit sent meanwhile is refused by check_open;
    `version`: the one the exit form was loaded at (versioning.py)."""
    lock(db.session, EmploymentContract, contract_id)
    contract = load_contract(contract_id, actor)
    detail, comment = checked_exit(contract, data)
    contract.end_date = data.exit_date
    versioning.claim(contract, version)
    try:
        exit_ = add_exit(contract, data.exit_date, detail, comment, actor)
        db.session.commit()
    except IntegrityError:
        # Someone else recorded the exit between our check and our write.
        db.session.rollback()
        raise DomainError("La sortie de ce contrat vient d'être enregistrée par quelqu'un d'autre.") from None
    return exit_
