"""A hire recorded by the company: the application moves to "hired" through the applications
workflow and the employment contract it creates on the offer's lot starts the pathway.

record_hire is the one service that records a hire: it locks the offer, then the application
(applications.filling: the order of every change of an offer's applications), checks the move
(who may hire, from which state) and that a position is left before anything is written, creates
the contract (its terms checked, audited), then drives the workflow's transition to hired (event,
audit, the prescriber told); when the hires reach the offer's positions the offer becomes filled
and its other open applications are closed ("poste pourvu"), all in one commit.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from clausematch.accounts.models import CompanyKind, User
from clausematch.applications import filling, workflow
from clausematch.applications.models import Application, ApplicationStatus
from clausematch.audit import record
from clausematch.database import add_months, lock, today
from clausematch.errors import Collector, DomainError
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers.models import Offer
from clausematch.pathways.models import EmploymentContract
from clausematch.vocabulary import ContractType, Mode

MAX_WEEKLY_HOURS = 48
# Dates beyond these are typing mistakes, not contracts: a start at most a year ahead, a planned
# end (first term or extension) at most five years after its start.
MAX_START_AHEAD_YEARS = 1
MAX_TERM_YEARS = 5

# An insertion structure that lends its workers realises the hours in its own mode.
MODE_FOR_EMPLOYER_KIND = {CompanyKind.ETTI: Mode.ETTI, CompanyKind.AI: Mode.AI, CompanyKind.GEIQ: Mode.GEIQ}


@dataclass
class HireData:
    """What the company typed in the hire form, as plain values."""

    contract_type: str | None
    start_date: date | None
    planned_end_date: date | None
    weekly_hours: float | None


def checked_terms(data: HireData) -> dict:
    """The contract's columns from `data`, every rule run (French messages on their fields, all
    refusals in one FieldErrors)."""
    collect = Collector()
    try:
        contract_type = ContractType(data.contract_type)
    except ValueError:
        contract_type = None
        collect.add("Choisissez le type de contrat.", field="contract_type")
    if data.start_date is None:
        collect.add("Indiquez la date de début du contrat.", field="start_date")
    else:
        collect(check_start_bound, data.start_date)
    end = data.planned_end_date
    if contract_type == ContractType.CDI and end is not None:
        collect.add("Un CDI n'a pas de date de fin prévue : laissez ce champ vide.", field="planned_end_date")
    elif contract_type not in (None, ContractType.CDI) and end is None:
        collect.add(f"Indiquez la date de fin prévue du contrat ({contract_type.label}).", field="planned_end_date")
    elif end is not None and data.start_date is not None and end < data.start_date:
        collect.add("La date de fin prévue ne peut pas précéder la date de début.", field="planned_end_date")
    elif end is not None and data.start_date is not None and end > add_months(data.start_date, 12 * MAX_TERM_YEARS):
        collect.add(f"La date de fin prévue ne peut pas dépasser {MAX_TERM_YEARS} ans après le début du contrat "
                    f"(le {format_date(add_months(data.start_date, 12 * MAX_TERM_YEARS))} au plus) : "
                    "vérifiez l'année.", field="planned_end_date")
    hours = data.weekly_hours
    if hours is None or not 0 < hours <= MAX_WEEKLY_HOURS:
        collect.add(f"La durée hebdomadaire doit être comprise entre 0 et {MAX_WEEKLY_HOURS} heures "
                    "(plus de 0, 48 au plus).", field="weekly_hours")
    collect.raise_if_any()
    return {"contract_type": contract_type, "start_date": data.start_date, "planned_end_date": end,
            "weekly_hours": float(hours)}


def check_start_bound(start: date, field: str = "start_date") -> None:
    """A contract starts at most MAX_START_AHEAD_YEARS after today: later is a typing mistake
    (9999 for 2025), and the dates that follow from it (its follow-up) would leave the calendar."""
    latest = add_months(today(), 12 * MAX_START_AHEAD_YEARS)
    if start > latest:
        raise DomainError(f"Le contrat ne peut pas commencer plus d'un an après aujourd'hui (le "
                          f"{format_date(latest)} au plus) : vérifiez l'année.", field=field)


def checked_hire(application: Application, data: HireData) -> dict:
    """The contract's terms (checked_terms) and a start not before the person was proposed to the
    offer, every refusal at once. Reads only: the hire form runs it at its first submit."""
    collect = Collector()
    terms = collect(checked_terms, data)
    proposed_on = application.created_at.date()
    if data.start_date is not None and data.start_date < proposed_on:
        collect.add(f"Le contrat ne peut pas commencer avant la proposition du candidat à cette offre "
                    f"(le {format_date(proposed_on)}) : vérifiez la date de début.", field="start_date")
    collect.raise_if_any()
    return terms


def record_hire(application_id: int, hire: HireData, comment: str, actor: User) -> Application:
    """The company hires the candidate: the employment contract and the state change, and the offer
    filled when this hire takes its last position, one commit."""
    offer_id = db.session.scalar(sa.select(Application.offer_id).where(Application.id == application_id))
    # The offer first, then the application: hires, proposals and shortlists of one offer queue up.
    offer = lock(db.session, Offer, offer_id)
    application = lock(db.session, Application, application_id) if offer is not None else None
    if application is None:
        raise DomainError("Cette candidature n'existe pas.")
    workflow.check_change(application, ApplicationStatus.HIRED, actor, comment)
    filling.check_position_left(offer)
    create_contract(application, hire, actor)
    workflow.change_status(application, ApplicationStatus.HIRED, actor, comment, hire=hire)
    filling.fill_when_complete(offer, actor)
    db.session.commit()
    return application


def create_contract(application: Application, data: HireData, actor: User) -> EmploymentContract:
    """The employment contract of a hire: on the offer's lot, owed by the lot's titulaire, signed
    by the offer's company (in its lending mode when it is an ETTI, AI or GEIQ)."""
    terms = checked_hire(application, data)
    offer = application.offer
    employer = offer.company
    contract = EmploymentContract(
        candidate_id=application.candidate_id, application_id=application.id, lot_id=offer.lot_id,
        company_id=offer.lot.company_id or offer.company_id, employer_id=employer.id,
        mode=MODE_FOR_EMPLOYER_KIND.get(employer.company_kind, Mode.DIRECT), created_by_id=actor.id, **terms)
    db.session.add(contract)
    db.session.flush()
    record("employment_contract.created", "employment_contract", contract.id, actor_id=actor.id,
           candidate_id=contract.candidate_id,
           application_id=application.id, lot_id=offer.lot_id)
    return contract
