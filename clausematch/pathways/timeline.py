"""The pathway of one person: every step across organisations, in date order.

Collective events (invited, registered, attended, outcome) and pre-hire steps (immersion,
training, validation), orientations and their events, hires with their extensions and conversions, hours per month
(grouped in SQL), exits and 6-month follow-ups. One query per kind, whatever the length of the
pathway. Free-text comments stay on their own pages (an orientation may come from another
prescriber): the timeline shows statuses, reasons and dates.
"""
import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.accounts.models import Company, Organisation
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db
from clausematch.formats import format_compact, month_label
from clausematch.offers.models import Offer
from clausematch.pathways.follow_ups import due_on
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursStatus
from clausematch.prehire.models import TRAINING_KINDS, Event, EventParticipant, PreHireStep, StepStatus
from clausematch.vocabulary import ContractType

# Same day: the order a reader expects (an orientation before its events, a hire before its hours).
KIND_ORDER = {"evenement": 0, "etape": 1, "orientation": 2, "candidature": 3, "sortie": 4, "contrat": 5,
              "heures": 6, "suivi": 7}
KIND_LABELS = {"evenement": "Événement", "etape": "Étape avant l'embauche", "orientation": "Orientation",
               "candidature": "Candidature", "contrat": "Contrat", "heures": "Heures", "sortie": "Sortie",
               "suivi": "Suivi à 6 mois"}


@dataclass(frozen=True)
class TimelineItem:
    day: date
    kind: str
    title: str
    detail: str = ""
    application_id: int | None = None
    contract_id: int | None = None
    event_id: int | None = None
    step_id: int | None = None
    at: datetime | None = None
    # How the date is shown, when not as a day (hours: the month).
    when: str = ""

    @property
    def when_label(self) -> str:
        return self.when or f"{self.day:%d/%m/%Y}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    def sort_key(self) -> tuple:
        return self.day, KIND_ORDER[self.kind], self.at or datetime.min, self.contract_id or 0


@dataclass
class Pathway:
    candidate: Candidate
    items: list[TimelineItem] = field(default_factory=list)
    # (lot label, total hours, validated hours) per lot, for the summary table.
    hours_by_lot: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)


def pathway_of(candidate: Candidate) -> Pathway:
    """The whole timeline of `candidate`, first step first."""
    lots: dict[int, str] = {}
    items = [*_events(candidate.id), *_steps(candidate.id), *_orientations(candidate.id),
             *_application_events(candidate.id), *_contracts(candidate.id, lots), *_exits_and_follow_ups(candidate.id)]
    hours_items, hours_by_lot = _hours(candidate.id, lots)
    items.extend(hours_items)
    return Pathway(candidate=candidate, items=sorted(items, key=TimelineItem.sort_key), hours_by_lot=hours_by_lot)


def _events(candidate_id: int) -> list[TimelineItem]:
    """Each event the person was invited or registered to, dated at its start, with their answer,
    attendance and outcome (comments stay on the event's page)."""
    rows = db.session.execute(
        sa.select(EventParticipant, Event).join(Event, EventParticipant.event_id == Event.id)
        .where(EventParticipant.candidate_id == candidate_id))
    items = []
    for participant, event in rows:
        detail = participant.status.label
        if participant.outcome is not None:
            detail += f" — {participant.outcome.label}"
        if event.cancelled_at is not None:
            detail += " (événement annulé)"
        items.append(TimelineItem(event.starts_at.date(), "evenement", f"{event.kind.label} « {event.title} »",
                                  detail + ".", event_id=event.id, at=event.starts_at))
    return items


def _steps(candidate_id: int) -> list[TimelineItem]:
    """Immersions, trainings and validations, dated at their start, with their dates and outcome."""
    items = []
    for step in db.session.scalars(sa.select(PreHireStep).where(PreHireStep.candidate_id == candidate_id)):
        title = step.kind.label + (f" : {step.title}" if step.title else "")
        if step.organisation_name:
            title += f" ({step.organisation_name})"
        parts = [f"du {step.start_date:%d/%m/%Y}" + (f" au {step.end_date:%d/%m/%Y}" if step.end_date else "")]
        if step.kind in TRAINING_KINDS and step.hours is not None:
            parts.append(f"{format_compact(step.hours)} h")
        state = step.status.label if step.status != StepStatus.PLANNED else "prévue"
        items.append(TimelineItem(step.start_date, "etape", title, f"{state.capitalize()}, {', '.join(parts)}.",
                                  step_id=step.id))
    return items


def _orientations(candidate_id: int) -> list[TimelineItem]:
    company, prescriber = aliased(Organisation), aliased(Organisation)
    rows = db.session.execute(
        sa.select(Application.id, Application.created_at, Application.status, Offer.title, company.name,
                  prescriber.name)
        .join(Offer, Application.offer_id == Offer.id).join(company, Offer.company_id == company.id)
        .join(prescriber, Application.prescriber_id == prescriber.id)
        .where(Application.candidate_id == candidate_id))
    return [TimelineItem(created.date(), "orientation", f"Orientée vers l'offre « {title} » ({company_name})",
                         f"Par {prescriber_name}. État actuel : {status.label.lower()}.", application_id=app_id,
                         at=created)
            for app_id, created, status, title, company_name, prescriber_name in rows]


def _application_events(candidate_id: int) -> list[TimelineItem]:
    rows = db.session.execute(
        sa.select(ApplicationEvent, Offer.title).join(Application, ApplicationEvent.application_id == Application.id)
        .join(Offer, Application.offer_id == Offer.id)
        .where(Application.candidate_id == candidate_id, ApplicationEvent.from_status.is_not(None)))
    items = []
    for event, title in rows:
        detail = f"Motif : {event.refusal_reason.label.lower()}." if event.refusal_reason else ""
        items.append(TimelineItem(event.occurred_at.date(), "candidature",
                                  f"« {title} » : {event.from_status.label.lower()} → {event.to_status.label.lower()}",
                                  detail, application_id=event.application_id, at=event.occurred_at))
    return items


def _contracts(candidate_id: int, lots: dict[int, str]) -> list[TimelineItem]:
    """Hires, extensions and conversions; fills `lots` (id → label) for the hours."""
    company, employer = aliased(Company), aliased(Company)
    previous = aliased(EmploymentContract)
    rows = db.session.execute(
        sa.select(EmploymentContract, previous.contract_type, Lot.number, Lot.title, Contract.reference,
                  company.name, employer.name)
        .join(Lot, EmploymentContract.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id)
        .join(company, EmploymentContract.company_id == company.id)
        .join(employer, EmploymentContract.employer_id == employer.id)
        .outerjoin(previous, EmploymentContract.previous_contract_id == previous.id)
        .where(EmploymentContract.candidate_id == candidate_id))
    items = []
    for contract, previous_type, number, lot_title, reference, company_name, employer_name in rows:
        lots[contract.lot_id] = f"{reference} — lot {number} : {lot_title}"
        items.append(TimelineItem(contract.start_date, "contrat",
                                  _contract_title(contract, previous_type, employer_name),
                                  _contract_detail(contract, lots[contract.lot_id], company_name, employer_name),
                                  contract_id=contract.id))
    return items


def _contract_title(contract: EmploymentContract, previous_type: ContractType | None, employer_name: str) -> str:
    kind = contract.contract_type.label
    if contract.previous_contract_id is None:
        return f"Embauche en {kind} chez {employer_name}"
    if contract.contract_type == ContractType.CDI and previous_type != ContractType.CDI:
        return f"Conversion en CDI chez {employer_name}"
    return f"Prolongation : nouveau {kind} chez {employer_name}"


def _contract_detail(contract: EmploymentContract, lot_label: str, company_name: str, employer_name: str) -> str:
    hours = format_compact(contract.weekly_hours)
    parts = [f"{lot_label}", f"{hours} h par semaine"]
    if contract.planned_end_date is not None:
        parts.append(f"fin prévue le {contract.planned_end_date:%d/%m/%Y}")
    if company_name != employer_name:
        parts.append(f"heures dues par {company_name} ({contract.mode.label.lower()})")
    return ", ".join(parts) + "."


def _exits_and_follow_ups(candidate_id: int) -> list[TimelineItem]:
    rows = db.session.execute(
        sa.select(Exit, FollowUp).join(EmploymentContract, Exit.contract_id == EmploymentContract.id)
        .outerjoin(FollowUp, FollowUp.exit_id == Exit.id).where(EmploymentContract.candidate_id == candidate_id))
    items = []
    for exit_, follow_up in rows:
        items.append(TimelineItem(exit_.exit_date, "sortie", f"{exit_.detail.label} ({exit_.category.label.lower()})",
                                  contract_id=exit_.contract_id))
        items.append(_follow_up_item(exit_, follow_up))
    return items


def _follow_up_item(exit_: Exit, follow_up: FollowUp | None) -> TimelineItem:
    if follow_up is None or follow_up.done_on is None:
        due = follow_up.due_on if follow_up is not None else due_on(exit_.exit_date)
        return TimelineItem(due, "suivi", f"Suivi prévu le {due:%d/%m/%Y}", contract_id=exit_.contract_id)
    found = "En emploi" if follow_up.in_work else "Sans emploi"
    if follow_up.situation is not None:
        found += f" ({follow_up.situation.label})"
    return TimelineItem(follow_up.done_on, "suivi", f"Suivi réalisé : {found.lower()}", contract_id=exit_.contract_id)


def _hours(candidate_id: int, lots: dict[int, str]) -> tuple[list[TimelineItem], list[tuple[str, Decimal, Decimal]]]:
    """One item per month (each lot's hours) and the totals per lot, from one GROUP BY."""
    validated = sa.func.sum(sa.case((HoursEntry.status == HoursStatus.VALIDATED, HoursEntry.hours), else_=0))
    rows = db.session.execute(
        sa.select(HoursEntry.month, HoursEntry.lot_id, sa.func.sum(HoursEntry.hours), validated)
        .where(HoursEntry.candidate_id == candidate_id)
        .group_by(HoursEntry.month, HoursEntry.lot_id).order_by(HoursEntry.month, HoursEntry.lot_id)).all()
    by_month: dict[date, list[str]] = {}
    totals: dict[int, list[Decimal]] = {}
    for month, lot_id, total, valid in rows:
        label = lots.get(lot_id, f"lot n° {lot_id}")
        by_month.setdefault(month, []).append(f"{label} : {_hours_text(total)} (dont {_hours_text(valid)} validées)")
        lot_totals = totals.setdefault(lot_id, [Decimal(0), Decimal(0)])
        lot_totals[0] += Decimal(total or 0)
        lot_totals[1] += Decimal(valid or 0)
    # Dated at the month's last day: a month's hours come after a hire in the middle of it.
    items = [TimelineItem(_last_day(month), "heures", f"Heures de {month_label(month)}", " ; ".join(lines) + ".",
                          when=month_label(month)) for month, lines in by_month.items()]
    summary = [(lots.get(lot_id, f"lot n° {lot_id}"), total, valid) for lot_id, (total, valid) in totals.items()]
    return items, summary


def _last_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _hours_text(value) -> str:
    return format_compact(value or 0) + " h"
