"""The funnel: from orientation to a job still held at the six-month follow-up, person by person.

Each person oriented in scope counts once, at the furthest step any of their applications
reached (the application history, ApplicationEvent, says which steps were reached). The later
steps follow the hires: a CDI among the contracts born of those applications (conversions
included), then the first six-month follow-up recorded after leaving them says "in work".
Steps are nested: each one counts people of the step before. One SQL statement.
"""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from clausematch.applications.models import ApplicationEvent, ApplicationStatus
from clausematch.extensions import db
from clausematch.pathways.models import Exit, FollowUp
from clausematch.reporting.filters import Scope
from clausematch.reporting.masking import people_count
from clausematch.reporting.queries.scoping import employment_chain, scoped_applications
from clausematch.reporting.queries.sql import count_if, ratio
from clausematch.vocabulary import ContractType

# How far each status goes along the way (refusals and withdrawals reach nothing new).
RANK = {ApplicationStatus.VALIDATED: 1, ApplicationStatus.SHORTLISTED: 2, ApplicationStatus.SENT: 3,
        ApplicationStatus.INTERVIEW: 4, ApplicationStatus.HIRED: 5}
HIRED_RANK = RANK[ApplicationStatus.HIRED]
# key, label, minimum rank, main step (the intermediate ones sit between validation and hire)
STEPS = [
    ("oriented", "Personnes orientées", 0, True),
    ("validated", "Éligibilité validée", 1, True),
    ("shortlisted", "Présélectionnées", 2, False),
    ("interviewed", "Reçues en entretien", 4, False),
    ("hired", "Embauchées sur la clause", 5, True),
    ("cdi", "En CDI (conversions comprises)", 5, True),
    ("in_work", "En emploi au suivi à 6 mois", 5, True),
]


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int = people_count()
    main: bool
    previous: int | None = people_count()  # the step before (None for the first)
    first: int = people_count()

    @property
    def rate(self) -> Decimal | None:
        """Conversion from the step before."""
        return ratio(self.count, self.previous) if self.previous is not None else None

    @property
    def share_of_oriented(self) -> Decimal | None:
        return ratio(self.count, self.first)


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]

    @property
    def main_steps(self) -> list[FunnelStep]:
        return [step for step in self.steps if step.main]

    @property
    def oriented(self) -> int:
        return self.steps[0].count

    def count(self, key: str) -> int:
        return next(step.count for step in self.steps if step.key == key)


def funnel(scope: Scope) -> Funnel:
    """The funnel of the people oriented in scope (the period is the orientation date)."""
    counts = db.session.execute(_statement(scope)).one()
    steps, previous = [], None
    first = counts[0] or 0
    for (key, label, _, main), count in zip(STEPS, counts, strict=True):
        steps.append(FunnelStep(key, label, count or 0, main, previous, first))
        previous = count or 0
    return Funnel(steps)


def application_stages(applications: sa.Subquery, name: str = "people") -> sa.Subquery:
    """(candidate_id, stage): each person of these applications once, at the furthest rank
    (RANK) any of their applications reached according to the application history."""
    rank = sa.case(*((ApplicationEvent.to_status == status, value) for status, value in RANK.items()), else_=0)
    return (sa.select(applications.c.candidate_id, sa.func.coalesce(sa.func.max(rank), 0).label("stage"))
            .select_from(applications)
            .outerjoin(ApplicationEvent, ApplicationEvent.application_id == applications.c.id)
            .group_by(applications.c.candidate_id).subquery(name))


def cdi_people(chain: sa.CTE, name: str = "cdi") -> sa.Subquery:
    """People with a CDI among the contracts of the chain (conversions included)."""
    return (sa.select(chain.c.candidate_id).where(chain.c.contract_type == ContractType.CDI)
            .group_by(chain.c.candidate_id).subquery(name))


def _statement(scope: Scope) -> sa.Select:
    applications = scoped_applications(scope).subquery("scoped_applications")
    people = application_stages(applications)
    chain = employment_chain(sa.select(applications.c.id))
    cdi = cdi_people(chain)
    in_work = in_work_at_follow_up(chain)
    hired = people.c.stage >= HIRED_RANK
    with_cdi = sa.and_(hired, cdi.c.candidate_id.is_not(None))
    return (sa.select(sa.func.count(), *(count_if(people.c.stage >= rank) for _, _, rank, _ in STEPS[1:5]),
                      count_if(with_cdi), count_if(sa.and_(with_cdi, in_work.c.candidate_id.is_not(None))))
            .select_from(people)
            .outerjoin(cdi, cdi.c.candidate_id == people.c.candidate_id)
            .outerjoin(in_work, in_work.c.candidate_id == people.c.candidate_id))


def in_work_at_follow_up(chain: sa.CTE, name: str = "in_work") -> sa.Subquery:
    """People whose first recorded six-month follow-up (after leaving a contract of the chain)
    found them in work. Later follow-ups, after a later exit, do not rewrite that answer."""
    order = sa.func.row_number().over(partition_by=chain.c.candidate_id, order_by=(FollowUp.due_on, FollowUp.id))
    ranked = (sa.select(chain.c.candidate_id, FollowUp.in_work, order.label("n"))
              .join(Exit, Exit.contract_id == chain.c.id).join(FollowUp, FollowUp.exit_id == Exit.id)
              .where(FollowUp.done_on.is_not(None)).subquery("follow_ups"))
    return (sa.select(ranked.c.candidate_id).where(ranked.c.n == 1, ranked.c.in_work.is_(True))
            .subquery(name))
