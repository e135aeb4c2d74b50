"""What happens to a hire after it is recorded: extending its contract, converting it to a CDI.

Decisions:
- An extension is a new contract of the same type on the same lot, company, employer and mode,
  pointing to the previous one (previous_contract_id); it starts the day after the previous
  planned end unless another start is given, and the previous contract ends the day before it.
  It is not an exit: the person stays in the same job. A CDI has no term, so it is not extended.
- A conversion to CDI is a new CDI contract linked the same way; the previous contract ends the
  day before and gets its exit automatically (detail "cdi", category emploi durable) — the
  step facilitators celebrate, counted in the bilans. Same employer and mode as before.
- Either is one unit of work, audited: both contracts and the exit are saved together or not at all.
- Their forms (and the exit form, exits.py) are the edit forms of an employment contract: they carry
  the version it was loaded at (clausematch/versioning.py), claimed when the contract's end is set.
  Every change of a contract today also ends it, so check_open usually refuses first, naming what
  happened; the version refuses any other save made meanwhile.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError

from clausematch import versioning
from clausematch.accounts.models import User
from clausematch.audit import record
from clausematch.database import lock
from clausematch.errors import Collector, DomainError
from clausematch.extensions import db
from clausematch.pathways.contracts import check_open, load_contract
from clausematch.pathways.exits import add_exit
from clausematch.pathways.hiring import HireData, checked_terms
from clausematch.pathways.models import EmploymentContract
from clausematch.vocabulary import ContractType, ExitDetail

CONVERSION_COMMENT = "Conversion en CDI"


@dataclass
class ExtensionData:
    """The extension form, as plain values (empty start: the day after the planned end)."""

    planned_end_date: date | None
    start_date: date | None = None
    weekly_hours: float | None = None


@dataclass
class ConversionData:
    """The conversion form, as plain values (empty hours: the same as before)."""

    start_date: date | None
    weekly_hours: float | None = None


def check_extension(contract_id: int, data: ExtensionData, actor: User) -> None:
    """Every rule of the extension form, all refusals at once; reads only (its first submit)."""
    checked_extension(load_contract(contract_id, actor), data)


def checked_extension(previous: EmploymentContract, data: ExtensionData) -> dict:
    """The new contract's terms: a contract still open that is not a CDI (refused at once), then
    every field rule gathered (one FieldErrors)."""
    check_open(previous)
    if previous.contract_type == ContractType.CDI:
        raise DomainError("Un CDI n'a pas de terme : il ne se prolonge pas.")
    start, planned_end = data.start_date, previous.planned_end_date
    if start is None and planned_end is not None and planned_end < date.max:
        start = planned_end + timedelta(days=1)
    collect = Collector()
    terms = collect(checked_terms, HireData(previous.contract_type.value, start, data.planned_end_date,
                                            _hours(data.weekly_hours, previous)))
    if (planned_end is not None and data.planned_end_date is not None and data.planned_end_date <= planned_end
            and not collect.refused("planned_end_date")):
        collect.add(f"La nouvelle date de fin prévue doit être postérieure à celle du contrat actuel "
                    f"({planned_end:%d/%m/%Y}).", field="planned_end_date")
    _check_follows(collect, previous, start)
    collect.raise_if_any()
    return terms


def extend_contract(contract_id: int, data: ExtensionData, actor: User,
                    version: int | None = None) -> EmploymentContract:
    """A new contract extending `contract_id`, of the same type; the previous one ends the day before."""
    lock(db.session, EmploymentContract, contract_id)  # until the commit: checked on its latest state
    previous = load_contract(contract_id, actor)
    terms = checked_extension(previous, data)
    with _one_unit_of_work():
        contract = _follow_on(previous, terms, actor, version)
        record("employment_contract.extended", "employment_contract", contract.id, actor_id=actor.id,
               candidate_id=contract.candidate_id,
               previous_contract_id=previous.id)
    return contract


def check_conversion(contract_id: int, data: ConversionData, actor: User) -> None:
    """Every rule of the conversion form, all refusals at once; reads only (its first submit)."""
    checked_conversion(load_contract(contract_id, actor), data)


def checked_conversion(previous: EmploymentContract, data: ConversionData) -> dict:
    """The CDI's terms: a contract still open that is not a CDI already (refused at once), then
    every field rule gathered (one FieldErrors)."""
    check_open(previous)
    if previous.contract_type == ContractType.CDI:
        raise DomainError("Ce contrat est déjà un CDI.")
    collect = Collector()
    terms = collect(checked_terms, HireData(ContractType.CDI.value, data.start_date, None,
                                            _hours(data.weekly_hours, previous)))
    _check_follows(collect, previous, data.start_date)
    collect.raise_if_any()
    return terms


def convert_to_cdi(contract_id: int, data: ConversionData, actor: User,
                   version: int | None = None) -> EmploymentContract:
    """A new CDI following `contract_id`; the previous contract ends with a "CDI" exit."""
    lock(db.session, EmploymentContract, contract_id)  # until the commit: checked on its latest state
    previous = load_contract(contract_id, actor)
    terms = checked_conversion(previous, data)
    with _one_unit_of_work():
        contract = _follow_on(previous, terms, actor, version)
        add_exit(previous, previous.end_date, ExitDetail.CDI, CONVERSION_COMMENT, actor)
        record("employment_contract.converted", "employment_contract", contract.id, actor_id=actor.id,
               candidate_id=contract.candidate_id,
               previous_contract_id=previous.id)
    return contract


def _check_follows(collect: Collector, previous: EmploymentContract, start: date | None) -> None:
    """The new contract starts after the current one did (the current one ends the day before)."""
    if start is not None and start <= previous.start_date and not collect.refused("start_date"):
        collect.add(f"Le nouveau contrat doit commencer après le début du contrat actuel "
                    f"({previous.start_date:%d/%m/%Y}).", field="start_date")


def _hours(value: float | None, previous: EmploymentContract) -> float:
    return previous.weekly_hours if value is None else value


def _follow_on(previous: EmploymentContract, terms: dict, actor: User, version: int | None) -> EmploymentContract:
    """The contract continuing `previous` with `terms`; `previous` ends the day before it starts
    (its `version` claimed); `terms` were checked (checked_extension, checked_conversion)."""
    contract = EmploymentContract(
        candidate_id=previous.candidate_id, lot_id=previous.lot_id, company_id=previous.company_id,
        employer_id=previous.employer_id, mode=previous.mode, previous_contract_id=previous.id,
        trial_period_end=None, created_by_id=actor.id, **terms)
    previous.end_date = terms["start_date"] - timedelta(days=1)
    versioning.claim(previous, version)
    db.session.add(contract)
    db.session.flush()
    return contract


@contextmanager
def _one_unit_of_work():
    """Commit what the block adds, or nothing at all."""
    try:
        yield
        db.session.commit()
    except IntegrityError:
        # Another person continued or ended the same contract between our checks and our write.
        db.session.rollback()
        raise DomainError("Ce contrat vient d'être modifié par quelqu'un d'autre : rechargez la page.") from None
    except BaseException:
        db.session.rollback()
        raise
