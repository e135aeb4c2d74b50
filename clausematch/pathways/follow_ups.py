"""The 6-month follow-ups: when they are due, the facilitator's list, recording what was found.

Follow-up rows are created by the daily job (pathways.jobs) as their date nears; this module
lists them for the facilitators of the territory and records the situation found.
"""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from clausematch.accounts.models import Company, User
from clausematch.audit import record
from clausematch.candidates.models import Candidate
from clausematch.contracts.models import Contract, Lot
from clausematch.contracts.permissions import territory_of
from clausematch.database import LabelledEnum, add_months, lock, today
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.pagination import Page, paginate
from clausematch.pathways import permissions
from clausematch.pathways.exits import check_comment, parse_detail
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp
from clausematch.vocabulary import ExitCategory, ExitDetail

FOLLOW_UP_MONTHS = 6

# Situations that mean "in work" and those that mean "not in work" ("unknown" fits either).
IN_WORK = frozenset({ExitDetail.CDI, ExitDetail.LONG_CDD, ExitDetail.LONG_INTERIM, ExitDetail.CIVIL_SERVICE,
                     ExitDetail.BUSINESS_CREATION, ExitDetail.SHORT_CDD, ExitDetail.SHORT_INTERIM,
                     ExitDetail.SUBSIDISED, ExitDetail.SIAE_HIRE})
NOT_IN_WORK = frozenset({ExitDetail.TRAINING, ExitDetail.PRE_QUALIFYING_TRAINING, ExitDetail.UNEMPLOYMENT,
                         ExitDetail.INACTIVITY})


def due_on(exit_date: date) -> date:
    """The day the follow-up of an exit on `exit_date` is due: six calendar months later."""
    return add_months(exit_date, FOLLOW_UP_MONTHS)


class FollowUpState(LabelledEnum):
    TO_DO = "a_faire", "À réaliser (échus)"
    UPCOMING = "a_venir", "À venir"
    DONE = "realises", "Réalisés"
    ALL = "tous", "Tous"


@dataclass(frozen=True)
class FollowUpFilters:
    state: FollowUpState = FollowUpState.TO_DO
    category: ExitCategory | None = None
    company_id: int | None = None

    def as_args(self) -> dict:
        return {"etat": self.state.value, "categorie": self.category.value if self.category else None,
                "entreprise": self.company_id}


def _state_condition(state: FollowUpState, on: date):
    return {
        FollowUpState.TO_DO: sa.and_(FollowUp.done_on.is_(None), FollowUp.due_on <= on),
        FollowUpState.UPCOMING: sa.and_(FollowUp.done_on.is_(None), FollowUp.due_on > on),
        FollowUpState.DONE: FollowUp.done_on.is_not(None),
        FollowUpState.ALL: sa.true(),
    }[state]


def _territory_follow_ups(user: User) -> sa.Select:
    territory_id = territory_of(user)
    if not permissions.can_list_follow_ups(user):
        raise NotAllowed("Les suivis à 6 mois sont réservés aux facilitateurs du territoire.")
    return (sa.select(FollowUp.id).join(Exit, FollowUp.exit_id == Exit.id)
            .join(EmploymentContract, Exit.contract_id == EmploymentContract.id)
            .join(Lot, EmploymentContract.lot_id == Lot.id).join(Contract, Lot.contract_id == Contract.id)
            .where(Contract.territory_id == territory_id))


def follow_ups_page(user: User, filters: FollowUpFilters, page: int | None, on: date | None = None) -> Page:
    """One page of the territory's follow-ups: not done first, the most overdue at the top, then
    the done ones, latest first. Rows: (FollowUp, Exit, candidate id, first name, last name, company)."""
    on = on or today()
    base = _territory_follow_ups(user).subquery()
    stmt = (sa.select(FollowUp, Exit, Candidate.id, Candidate.first_name, Candidate.last_name, Company.name)
            .join(base, base.c.id == FollowUp.id).join(Exit, FollowUp.exit_id == Exit.id)
            .join(EmploymentContract, Exit.contract_id == EmploymentContract.id)
            .join(Candidate, EmploymentContract.candidate_id == Candidate.id)
            .join(Company, EmploymentContract.company_id == Company.id)
            .where(_state_condition(filters.state, on))
            .order_by(sa.case((FollowUp.done_on.is_(None), 0), else_=1), FollowUp.done_on.desc(),
                      FollowUp.due_on, FollowUp.id))
    if filters.category is not None:
        stmt = stmt.where(Exit.category == filters.category)
    if filters.company_id is not None:
        stmt = stmt.where(EmploymentContract.company_id == filters.company_id)
    return paginate(stmt, page)


def state_counts(user: User, on: date | None = None) -> dict[FollowUpState, int]:
    """How many follow-ups of the territory are to do, upcoming and done, in one query."""
    on = on or today()
    states = (FollowUpState.TO_DO, FollowUpState.UPCOMING, FollowUpState.DONE)
    base = _territory_follow_ups(user).subquery()
    row = db.session.execute(
        sa.select(*(sa.func.coalesce(sa.func.sum(sa.case((_state_condition(s, on), 1), else_=0)), 0)
                    for s in states)).select_from(FollowUp).join(base, base.c.id == FollowUp.id)).one()
    counts = dict(zip(states, row, strict=True))
    counts[FollowUpState.ALL] = sum(row)
    return counts


@dataclass
class FollowUpData:
    """What the facilitator found, as plain values."""

    done_on: date | None
    in_work: bool | None
    situation: str | None = None
    comment: str = ""


def load_follow_up(follow_up_id: int, actor: User) -> FollowUp:
    follow_up = db.session.scalars(
        sa.select(FollowUp).where(FollowUp.id == follow_up_id)
        .options(joinedload(FollowUp.exit).joinedload(Exit.contract).joinedload(EmploymentContract.lot)
                 .joinedload(Lot.contract))).one_or_none()
    if follow_up is None:
        raise DomainError("Ce suivi n'existe pas.")
    if not permissions.can_record_follow_up(actor, follow_up):
        raise NotAllowed("Seuls les facilitateurs du territoire enregistrent les suivis à 6 mois.")
    return follow_up


def check_follow_up(follow_up_id: int, data: FollowUpData, actor: User) -> None:
    """Every rule of the follow-up form, all refusals at once; reads only (its first submit)."""
    checked_follow_up(load_follow_up(follow_up_id, actor), data)


def checked_follow_up(follow_up: FollowUp, data: FollowUpData) -> tuple[ExitDetail | None, str]:
    """The situation and comment found, every rule run (one FieldErrors). The date lies between
    the exit and today; an answer identical to the one recorded is refused (nothing to correct)."""
    collect = Collector()
    exit_date = follow_up.exit.exit_date
    if data.done_on is None:
        collect.add("Indiquez la date du suivi.", field="done_on")
    elif data.done_on < exit_date:
        collect.add(f"Le suivi ne peut pas précéder la sortie ({exit_date:%d/%m/%Y}).", field="done_on")
    elif data.done_on > today():
        collect.add("La date du suivi ne peut pas être dans le futur.", field="done_on")
    if data.in_work is None:
        collect.add("Indiquez si la personne est en emploi.", field="in_work")
    situation = collect(parse_detail, data.situation, field="situation") if data.situation else None
    if data.in_work and situation in NOT_IN_WORK:
        collect.add(f"La situation « {situation.label} » ne correspond pas à une personne en emploi.",
                    field="situation")
    if data.in_work is False and situation in IN_WORK:
        collect.add(f"La situation « {situation.label} » est un emploi : indiquez que la personne "
                    "est en emploi, ou choisissez une autre situation.", field="situation")
    comment = collect(check_comment, data.comment)
    collect.raise_if_any()
    if follow_up.done_on is not None and (follow_up.done_on, follow_up.in_work, follow_up.situation,
                                          follow_up.comment) == (data.done_on, data.in_work, situation, comment):
        raise DomainError(f"Ce suivi a déjà été enregistré avec ces mêmes informations (suivi du "
                          f"{data.done_on:%d/%m/%Y}) : rien n'a été modifié.")
    return situation, comment


def record_follow_up(follow_up_id: int, data: FollowUpData, actor: User) -> FollowUp:
    """Record (or correct) the situation found at the follow-up, on behalf of a facilitator.
    The follow-up is locked until the commit: the same answer sent twice is recorded once."""
    lock(db.session, FollowUp, follow_up_id)
    follow_up = load_follow_up(follow_up_id, actor)
    situation, comment = checked_follow_up(follow_up, data)
    correction = follow_up.done_on is not None
    follow_up.done_on, follow_up.in_work, follow_up.situation = data.done_on, data.in_work, situation
    follow_up.comment = comment
    follow_up.recorded_by_id = actor.id
    record("follow_up.recorded", "follow_up", follow_up.id, actor_id=actor.id,
           candidate_id=follow_up.exit.contract.candidate_id, in_work=data.in_work,
           situation=situation.value if situation else None, correction=correction)
    db.session.commit()
    return follow_up
