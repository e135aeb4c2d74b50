"""Programmes of a territory (facilitators): creation and edition, with the stages their funnel
shows, chosen in order from the catalogue (queries/programme_funnel.py). Each save is one unit of
work: rules checked (every refusal at once), the edited row locked and its version claimed,
audited, committed."""
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from clausematch import audit, versioning
from clausematch.accounts.models import User
from clausematch.contracts.permissions import territory_of
from clausematch.database import lock
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.offers.models import Programme
from clausematch.pagination import Page, paginate
from clausematch.reporting.permissions import can_manage_programme, can_manage_programmes
from clausematch.reporting.queries.programme_funnel import BY_KEY, MIN_STAGES

NAME_MAX, DESCRIPTION_MAX = 200, 5000


@dataclass(frozen=True)
class ProgrammeInput:
    name: str
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None
    stages: list[str] = field(default_factory=list)  # in order; empty choices already left out


def check_programme(actor: User, data: ProgrammeInput, programme_id: int | None = None) -> None:
    """Every rule of the programme form (a new programme, or `programme_id`), all refusals at
    once; reads only."""
    if programme_id is None:
        _require_manager(actor)
    else:
        _editable(actor, programme_id)
    _checked(data)


def create_programme(actor: User, data: ProgrammeInput) -> Programme:
    _require_manager(actor)
    values = _checked(data)
    programme = Programme(territory_id=territory_of(actor), **values)
    db.session.add(programme)
    db.session.flush()
    audit.record("programme_created", "programme", programme.id, actor_id=actor.id, stages=values["funnel_stages"])
    db.session.commit()
    return programme


def update_programme(actor: User, programme_id: int, data: ProgrammeInput, version: int | None = None) -> Programme:
    programme = lock(db.session, Programme, programme_id)
    if programme is None:
        raise DomainError("Ce programme n'existe pas.")
    if not can_manage_programme(actor, programme):
        raise NotAllowed("Ce programme n'appartient pas à votre territoire.")
    values = _checked(data)
    for name, value in values.items():
        setattr(programme, name, value)
    versioning.claim(programme, version)
    audit.record("programme_updated", "programme", programme.id, actor_id=actor.id, stages=values["funnel_stages"])
    db.session.commit()
    return programme


def programmes_page(actor: User, page: int) -> Page:
    """The territory's programmes, newest start first, paginated in SQL."""
    _require_manager(actor)
    stmt = (sa.select(Programme).where(Programme.territory_id == territory_of(actor))
            .order_by(Programme.start_date.is_(None), Programme.start_date.desc(), Programme.name, Programme.id))
    return paginate(stmt, page)


def _require_manager(actor: User) -> None:
    if not can_manage_programmes(actor):
        raise NotAllowed("Seul un facilitateur du territoire peut gérer les programmes.")


def _editable(actor: User, programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise DomainError("Ce programme n'existe pas.")
    if not can_manage_programme(actor, programme):
        raise NotAllowed("Ce programme n'appartient pas à votre territoire.")
    return programme


def _checked(data: ProgrammeInput) -> dict:
    """The programme's columns from `data`; one FieldErrors lists every refusal."""
    collect = Collector()
    name = (data.name or "").strip()
    if not name:
        collect.add("Indiquez le nom du programme.", field="name")
    elif len(name) > NAME_MAX:
        collect.add(f"Le nom tient en {NAME_MAX} caractères au plus.", field="name")
    description = (data.description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        collect.add(f"La description tient en {DESCRIPTION_MAX} caractères au plus.", field="description")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        collect.add("La fin du programme ne peut pas précéder son début.", field="end_date")
    stages = list(data.stages)
    unknown = [key for key in stages if key not in BY_KEY]
    if unknown:
        collect.add("Choisissez les étapes dans la liste proposée.", field="stages")
    elif len(stages) < MIN_STAGES:
        collect.add(f"Choisissez au moins {MIN_STAGES} étapes pour l'entonnoir, dans l'ordre.", field="stages")
    else:
        repeated = sorted({BY_KEY[key].label for key in stages if stages.count(key) > 1})
        if repeated:
            collect.add("Chaque étape ne figure qu'une fois dans l'entonnoir ; en double : "
                        + ", ".join(f"« {label} »" for label in repeated) + ".", field="stages")
    collect.raise_if_any()
    return {"name": name, "description": description or None, "start_date": data.start_date,
            "end_date": data.end_date, "funnel_stages": stages}
