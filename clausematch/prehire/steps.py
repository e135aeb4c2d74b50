"""Individual steps before a hire: an immersion (PMSMP), a pre-hire training (POEC, POEI, AFPR)
or a validation for a training.

Who records what (permissions.step_kinds_for): the territory's facilitators every kind; the
prescriber that follows the person the immersions and trainings they arrange, never a validation
for a training (the facilitators decide it). Rules, all refusals at once (`check_step`):
- the end is not before the start; a step starts at most a year ahead;
- hours only for a training (POEC, POEI, AFPR), from 1 to 2 000;
- an immersion lasts one month, renewable once: more than two months is refused;
- an immersion names its host (a company of the territory, or a name), a training its training
  organisation;
- a step done ("Réalisée") or interrupted needs its end date.
Its content (dates, organisation, hours, title, programme, offer, comment) is edited afterwards
with the same rules (`update_step`), version-checked; its kind and state stay.
A step then ends once (`change_status`): from "Prévue" to "Réalisée", "Interrompue" or
"Non retenue", version-checked (no lost update), the end date required for the first two.
"""
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from clausematch import versioning
from clausematch.accounts.models import Company, User
from clausematch.audit import record
from clausematch.candidates.models import Candidate
from clausematch.database import add_months, lock, today, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.offers.models import Offer, Programme
from clausematch.prehire import permissions
from clausematch.prehire.models import MAX_STEP_HOURS, TRAINING_KINDS, PreHireStep, StepKind, StepStatus

ENDED = frozenset({StepStatus.COMPLETED, StepStatus.INTERRUPTED})  # need their end date
PMSMP_MONTHS, PMSMP_MAX_MONTHS = 1, 2
TEXT_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 1000


@dataclass
class StepData:
    kind: str | None
    start_date: date | None
    end_date: date | None = None
    status: str | None = StepStatus.PLANNED.value
    title: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""
    programme_id: int | None = None
    offer_id: int | None = None
    hours: Decimal | None = None
    comment: str = ""


@dataclass
class StepStatusData:
    status: str | None
    end_date: date | None = None
    comment: str = ""


def check_step(candidate_id: int, data: StepData, actor: User) -> dict:
    """Every rule of a new step, all refusals at once (FieldErrors); the columns as kept. Reads only."""
    candidate = db.session.get(Candidate, candidate_id)
    if candidate is None:
        raise DomainError("Cette personne n'existe pas.")
    if not permissions.can_record_step(actor, candidate):
        raise NotAllowed("Vous ne pouvez pas enregistrer d'étape pour cette personne.")
    return _checked_values(candidate, data, actor)


def _checked_values(candidate: Candidate, data: StepData, actor: User) -> dict:
    collect = Collector()
    kind = None
    try:
        kind = StepKind(data.kind)
    except ValueError:
        collect.add("Choisissez le type d'étape.", field="kind")
    if kind is not None and not permissions.can_record_step(actor, candidate, kind):
        collect.add("Une validation pour une formation est décidée par l'équipe de facilitation : choisissez "
                    "une immersion ou une formation.", field="kind")
    status = _status(collect, data.status)
    title = _limited(collect, data.title, "title", "L'intitulé")
    name = _limited(collect, data.organisation_name, "organisation_name", "Le nom de l'organisme")
    company = collect(_company, data.organisation_id, candidate.territory_id)
    if kind is not None and not (company or name):
        what = ("l'entreprise ou la structure d'accueil" if kind == StepKind.PMSMP
                else "l'organisme de formation" if kind in TRAINING_KINDS else None)
        if what:
            collect.add(f"Indiquez {what}.", field="organisation_name")
    collect(_dates, kind, data.start_date, data.end_date, status)
    hours = collect(_hours, kind, data.hours)
    programme_id = collect(_programme, data.programme_id, candidate.territory_id)
    offer_id = collect(_offer, data.offer_id, candidate.territory_id)
    comment = _limited(collect, data.comment, "comment", "Le commentaire", COMMENT_MAX_LENGTH)
    if candidate.merged_into_id is not None:
        collect.add("Cette fiche a été fusionnée avec une autre : enregistrez l'étape sur la fiche conservée.")
    elif candidate.anonymised_at is not None:
        collect.add("Cette personne a retiré son consentement ou ses données ont été anonymisées : aucune étape "
                    "ne peut plus être enregistrée.")
    collect.raise_if_any()
    return {"kind": kind, "status": status, "title": title, "organisation_id": company.id if company else None,
            "organisation_name": name if company is None else company.name, "start_date": data.start_date,
            "end_date": data.end_date, "hours": hours, "programme_id": programme_id, "offer_id": offer_id,
            "comment": comment}


def record_step(candidate_id: int, data: StepData, actor: User) -> PreHireStep:
    values = check_step(candidate_id, data, actor)
    step = PreHireStep(candidate_id=candidate_id, created_by_id=actor.id, **values)
    if step.status != StepStatus.PLANNED:
        step.decided_by_id, step.decided_at = actor.id, utcnow()
    db.session.add(step)
    db.session.flush()
    record("prehire_step.created", "prehire_step", step.id, actor_id=actor.id, candidate_id=candidate_id,
           kind=step.kind.value, status=step.status.value)
    db.session.commit()
    return step


# --- Editing a step's content --------------------------------------------------------------------

EDITED = ("title", "organisation_id", "organisation_name", "programme_id", "offer_id", "start_date", "end_date",
          "hours", "comment")


def check_edit(step_id: int, data: StepData, actor: User) -> dict:
    """Every rule of the step's edit form, all refusals at once; the edited columns as kept. The
    kind and the state stay (the state changes with the step's outcome form). Reads only."""
    step = db.session.get(PreHireStep, step_id)
    if step is None:
        raise DomainError("Cette étape n'existe pas.")
    return _checked_edit(step, data, actor)


def _checked_edit(step: PreHireStep, data: StepData, actor: User) -> dict:
    if not permissions.can_change_step(actor, step):
        raise NotAllowed("Vous ne pouvez pas modifier cette étape.")
    data = replace(data, kind=step.kind.value, status=step.status.value)
    values = _checked_values(step.candidate, data, actor)
    return {name: values[name] for name in EDITED}


def update_step(step_id: int, data: StepData, actor: User, version: int | None = None) -> PreHireStep:
    """Change a step's dates, organisation, hours, title, programme, offer or comment; `version`:
    the one the edit form was loaded at (versioning.py: a step saved or ended meanwhile is refused)."""
    step = lock(db.session, PreHireStep, step_id)
    if step is None:
        raise DomainError("Cette étape n'existe pas.")
    values = _checked_edit(step, data, actor)
    changed = sorted(name for name, value in values.items() if getattr(step, name) != value)
    for name, value in values.items():
        setattr(step, name, value)
    versioning.claim(step, version)
    record("prehire_step.updated", "prehire_step", step.id, actor_id=actor.id, candidate_id=step.candidate_id,
           fields=changed)
    db.session.commit()
    return step


# --- How a step ended -------------------------------------------------------------------------

def check_status_change(step_id: int, data: StepStatusData, actor: User) -> tuple[StepStatus, str]:
    step = db.session.get(PreHireStep, step_id)
    if step is None:
        raise DomainError("Cette étape n'existe pas.")
    return _checked_change(step, data, actor)


def _checked_change(step: PreHireStep, data: StepStatusData, actor: User) -> tuple[StepStatus, str]:
    if not permissions.can_change_step(actor, step):
        raise NotAllowed("Vous ne pouvez pas modifier cette étape.")
    if step.status != StepStatus.PLANNED:
        when = f" le {format_date(step.decided_at)}" if step.decided_at else ""
        raise DomainError(f"Cette étape est déjà terminée (« {step.status.label} »{when}) : elle ne change plus.")
    collect = Collector()
    status = _status(collect, data.status)
    if status == StepStatus.PLANNED:
        collect.add("Choisissez comment l'étape s'est terminée.", field="status")
    collect(_dates, step.kind, step.start_date, data.end_date, status)
    comment = _limited(collect, data.comment, "comment", "Le commentaire", COMMENT_MAX_LENGTH)
    collect.raise_if_any()
    return status, comment


def change_status(step_id: int, data: StepStatusData, actor: User, version: int | None = None) -> PreHireStep:
    """Done, interrupted or not retained, once; `version`: the one the form was loaded at."""
    step = lock(db.session, PreHireStep, step_id)
    if step is None:
        raise DomainError("Cette étape n'existe pas.")
    status, comment = _checked_change(step, data, actor)
    previous = step.status
    step.status, step.end_date = status, data.end_date
    if comment:
        step.comment = comment
    step.decided_by_id, step.decided_at = actor.id, utcnow()
    versioning.claim(step, version)
    record("prehire_step.status_changed", "prehire_step", step.id, actor_id=actor.id,
           candidate_id=step.candidate_id,
           from_status=previous.value, to_status=status.value)
    db.session.commit()
    return step


def _status(collect: Collector, value: str | None) -> StepStatus | None:
    try:
        return StepStatus(value)
    except ValueError:
        collect.add("Choisissez l'état de l'étape.", field="status")
        return None


def _limited(collect: Collector, value: str | None, field_name: str, label: str,
             limit: int = TEXT_MAX_LENGTH) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        collect.add(f"{label} ne doit pas dépasser {limit} caractères.", field=field_name)
    return text


def _dates(kind: StepKind | None, start: date | None, end: date | None, status: StepStatus | None) -> None:
    collect = Collector()
    if start is None:
        collect.add("Indiquez la date de début.", field="start_date")
    elif start > add_months(today(), 12):
        collect.add("Une étape se prévoit au plus un an à l'avance : vérifiez l'année du début.", field="start_date")
    if start is not None and end is not None and end < start:
        collect.add(f"La fin ne peut pas précéder le début ({format_date(start)}).", field="end_date")
    elif kind == StepKind.PMSMP and start is not None and end is not None \
            and end > add_months(start, PMSMP_MAX_MONTHS):
        collect.add(f"Une immersion (PMSMP) dure au plus un mois, renouvelable une fois : deux mois au maximum "
                    f"(jusqu'au {format_date(add_months(start, PMSMP_MAX_MONTHS))}).", field="end_date")
    if status in ENDED and end is None:
        collect.add(f"Indiquez la date de fin d'une étape « {status.label.lower()} ».", field="end_date")
    collect.raise_if_any()


def _hours(kind: StepKind | None, hours: Decimal | None) -> Decimal | None:
    if hours is None:
        return None
    if kind is not None and kind not in TRAINING_KINDS:
        raise DomainError("Les heures ne s'indiquent que pour une formation (POEC, POEI, AFPR).", field="hours")
    if not 1 <= hours <= MAX_STEP_HOURS:
        raise DomainError(f"Une formation compte de 1 à {MAX_STEP_HOURS} heures.", field="hours")
    return Decimal(hours).quantize(Decimal("0.1"))


def _company(organisation_id: int | None, territory_id: int) -> Company | None:
    if organisation_id is None:
        return None
    company = db.session.get(Company, organisation_id)
    if company is None or company.territory_id != territory_id:
        raise DomainError("Choisissez une entreprise de votre territoire.", field="organisation_id")
    return company


def _programme(programme_id: int | None, territory_id: int) -> int | None:
    if programme_id is None:
        return None
    programme = db.session.get(Programme, programme_id)
    if programme is None or programme.territory_id != territory_id:
        raise DomainError("Choisissez un des programmes de votre territoire.", field="programme_id")
    return programme.id


def _offer(offer_id: int | None, territory_id: int) -> int | None:
    if offer_id is None:
        return None
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.territory_id != territory_id:
        raise DomainError("Choisissez une offre de votre territoire.", field="offer_id")
    return offer.id
