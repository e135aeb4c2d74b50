"""A programme's own funnel: the stages a facilitator chose, in their order, among the events,
pre-hire steps, applications and contracts of the programme (docs/domain.md, "Entonnoir d'un
programme").

The programme's people: anyone invited to an event of the programme, with a pre-hire step of
the programme, or with an application to an offer of the programme. Each stage (CATALOGUE) is a
set of those people, defined once here, with the sentence the page shows. Stages are nested:
a stage counts the people who reached it AND every chosen stage before it. One SQL statement,
whatever the number of stages or people: one set per stage, outer-joined to the people.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from clausematch.applications.models import ApplicationStatus
from clausematch.database import today
from clausematch.extensions import db
from clausematch.offers.models import Programme
from clausematch.pathways.models import EmploymentContract, Exit
from clausematch.prehire.models import (
    TRAINING_KINDS,
    Event,
    EventKind,
    EventParticipant,
    ParticipantStatus,
    PreHireStep,
    StepKind,
    StepStatus,
)
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.funnel import (
    RANK,
    application_stages,
    cdi_people,
    in_work_at_follow_up,
)
from clausematch.reporting.queries.scoping import employment_chain, scoped_applications
from clausematch.reporting.queries.sql import count_if, date_digits, ratio
from clausematch.vocabulary import ContractType

MIN_STAGES = 2
MONTHS_AFTER_TRIAL = 6


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    definition: str  # shown on the page, under the table, and in the CSV


# The events' stages, two per kind of event: invited, then present.
_EVENT_NOUNS = {
    EventKind.INFO_SESSION: ("à une réunion d'information collective", "réunion d'information collective"),
    EventKind.JOB_DATING: ("à un job-dating", "job-dating"),
    EventKind.JOB_FAIR: ("à un forum emploi", "forum emploi"),
    EventKind.SITE_VISIT: ("à une visite de chantier", "visite de chantier"),
}

CATALOGUE: list[Stage] = []
for _kind, (_to, _noun) in _EVENT_NOUNS.items():
    CATALOGUE.append(Stage(
        f"invited_{_kind.value}", f"Invitées {_to}",
        f"Personnes invitées à au moins une {_noun} du programme (quelle que soit leur réponse)."))
    CATALOGUE.append(Stage(
        f"attended_{_kind.value}", f"Présentes {_to}",
        f"Personnes notées « présente » à au moins une {_noun} du programme, non annulée."))
CATALOGUE += [
    Stage("pmsmp_completed", "Immersion (PMSMP) réalisée",
          "Personnes dont une immersion en milieu professionnel (PMSMP) du programme est réalisée jusqu'au bout."),
    Stage("training_validated", "Validées pour la formation",
          "Personnes dont la validation pour une formation du programme est acquise (étape « Validation pour "
          "une formation » réalisée)."),
    Stage("training_completed", "Formation préalable à l'embauche suivie jusqu'au bout",
          "Personnes dont une formation préalable à l'embauche du programme (POEC, POEI ou AFPR) est réalisée "
          "jusqu'au bout ; une formation interrompue ne compte pas."),
    Stage("oriented", "Orientées vers une offre du programme",
          "Personnes orientées (candidature) vers au moins une offre du programme."),
    Stage("eligibility_validated", "Éligibilité validée",
          "Personnes dont une orientation vers une offre du programme a eu son éligibilité validée."),
    Stage("shortlisted", "Présélectionnées",
          "Personnes dont une orientation vers une offre du programme a été présélectionnée."),
    Stage("interviewed", "Reçues en entretien",
          "Personnes reçues en entretien pour une offre du programme."),
    Stage("hired", "Embauchées sur la clause",
          "Personnes embauchées sur une offre du programme."),
    Stage("cdi", "En CDI (conversions comprises)",
          "Personnes qui ont un CDI parmi les contrats nés de leurs orientations vers les offres du programme, "
          "un contrat converti en CDI compris."),
    Stage("in_post_after_trial", "En poste 6 mois après la fin de la période d'essai",
          "Personnes dont un tel CDI a franchi la fin de sa période d'essai (à défaut de période d'essai "
          "enregistrée, son début) depuis au moins 6 mois, sans sortie datée avant cette échéance."),
    Stage("in_work_follow_up", "En emploi au suivi à 6 mois",
          "Personnes dont le premier suivi renseigné, 6 mois après la sortie d'un contrat né d'une orientation "
          "vers une offre du programme, dit « en emploi »."),
]
BY_KEY = {stage.key: stage for stage in CATALOGUE}
# A programme that chose nothing shows the orientation funnel's main steps.
DEFAULT_STAGES = ["oriented", "eligibility_validated", "hired", "cdi", "in_work_follow_up"]


def stages_of(programme: Programme) -> list[Stage]:
    """The programme's chosen stages (unknown keys, if any, skipped), else the default ones."""
    keys = [key for key in (programme.funnel_stages or []) if key in BY_KEY]
    return [BY_KEY[key] for key in (keys if len(keys) >= MIN_STAGES else DEFAULT_STAGES)]


@dataclass(frozen=True)
class ProgrammeStage:
    stage: Stage
    count: int
    previous: int | None  # the stage before (None for the first)
    first: int

    @property
    def key(self) -> str:
        return self.stage.key

    @property
    def label(self) -> str:
        return self.stage.label

    @property
    def rate(self) -> Decimal | None:
        """Passage from the stage before."""
        return ratio(self.count, self.previous) if self.previous is not None else None

    @property
    def share_of_first(self) -> Decimal | None:
        return ratio(self.count, self.first)


@dataclass(frozen=True)
class ProgrammeFunnel:
    programme_id: int
    programme_name: str
    people: int  # everyone of the programme, whatever the stages
    stages: list[ProgrammeStage]

    @property
    def counts(self) -> list[int]:
        return [stage.count for stage in self.stages]


def programme_funnel(programme: Programme, on: date | None = None) -> ProgrammeFunnel:
    """The programme's funnel over its chosen stages, as of `on` (today by default: the
    "6 months after the trial period" stage depends on the day)."""
    stages = stages_of(programme)
    row = db.session.execute(_statement(programme, [stage.key for stage in stages], on or today())).one()
    people, counts = row[0] or 0, [value or 0 for value in row[1:]]
    result, previous = [], None
    for stage, count in zip(stages, counts, strict=True):
        result.append(ProgrammeStage(stage, count, previous, counts[0]))
        previous = count
    return ProgrammeFunnel(programme.id, programme.name, people, result)


def _statement(programme: Programme, keys: list[str], on: date) -> sa.Select:
    scope = Scope(territory_id=programme.territory_id, programme_id=programme.id)
    applications = scoped_applications(scope, with_period=False).subquery("programme_applications")
    events = sa.select(Event.id).where(Event.programme_id == programme.id)
    people = sa.union(
        sa.select(EventParticipant.candidate_id.label("candidate_id")).where(EventParticipant.event_id.in_(events)),
        sa.select(PreHireStep.candidate_id).where(PreHireStep.programme_id == programme.id),
        sa.select(applications.c.candidate_id),
    ).subquery("programme_people")
    sets = _Sets(programme, applications, on)
    joined, flags = people, []
    for index, key in enumerate(keys):
        subquery = sets.subquery(key, f"stage_{index}")
        joined = joined.outerjoin(subquery, subquery.c.candidate_id == people.c.candidate_id)
        flags.append(subquery.c.candidate_id.is_not(None))
    nested = [count_if(sa.and_(*flags[:n + 1])) for n in range(len(keys))]
    return sa.select(sa.func.count(), *nested).select_from(joined)


class _Sets:
    """The people of each stage, as a subquery (candidate_id), each person once."""

    def __init__(self, programme: Programme, applications: sa.Subquery, on: date):
        self.programme = programme
        self.applications = applications
        self.on = on
        self._chain = None

    @property
    def chain(self) -> sa.CTE:
        if self._chain is None:
            self._chain = employment_chain(sa.select(self.applications.c.id), "programme_chain")
        return self._chain

    def subquery(self, key: str, name: str) -> sa.Subquery:
        if key.startswith(("invited_", "attended_")):
            status, kind = key.split("_", 1)
            return self._event(EventKind(kind), attended=status == "attended").subquery(name)
        if key == "pmsmp_completed":
            return self._step({StepKind.PMSMP}).subquery(name)
        if key == "training_validated":
            return self._step({StepKind.TRAINING_VALIDATION}).subquery(name)
        if key == "training_completed":
            return self._step(TRAINING_KINDS).subquery(name)
        if key == "oriented":
            return sa.select(self.applications.c.candidate_id).distinct().subquery(name)
        if key in _APPLICATION_RANKS:
            stages = application_stages(self.applications, f"{name}_ranks")
            return (sa.select(stages.c.candidate_id).where(stages.c.stage >= _APPLICATION_RANKS[key])
                    .subquery(name))
        if key == "cdi":
            return cdi_people(self.chain, name)
        if key == "in_post_after_trial":
            return self._in_post_after_trial().subquery(name)
        if key == "in_work_follow_up":
            return in_work_at_follow_up(self.chain, name)
        raise KeyError(key)

    def _event(self, kind: EventKind, *, attended: bool) -> sa.Select:
        conditions = [Event.programme_id == self.programme.id, Event.kind == kind]
        if attended:
            conditions += [EventParticipant.status == ParticipantStatus.ATTENDED, Event.cancelled_at.is_(None)]
        return (sa.select(EventParticipant.candidate_id).join(Event, Event.id == EventParticipant.event_id)
                .where(*conditions).distinct())

    def _step(self, kinds) -> sa.Select:
        return (sa.select(PreHireStep.candidate_id)
                .where(PreHireStep.programme_id == self.programme.id, PreHireStep.kind.in_(list(kinds)),
                       PreHireStep.status == StepStatus.COMPLETED).distinct())

    def _in_post_after_trial(self) -> sa.Select:
        """A CDI of the chain whose trial end (else its start) + 6 months is past, with no exit
        of the chain's contracts of that person dated from the CDI's start to before that day.
        Dates compare as YYYYMMDD numbers: + 6 months is + 600, or + 9400 from July on (the
        anniversary day of a short month, 31 August → "31 February", falls between 28 February
        and 1 March)."""
        chain = self.chain
        cdi = aliased(EmploymentContract)
        trial_end = sa.func.coalesce(cdi.trial_period_end, cdi.start_date)
        deadline = date_digits(trial_end) + sa.case((sa.extract("month", trial_end) <= 6, 600), else_=9400)
        left = aliased(EmploymentContract)
        left_before = (sa.select(sa.literal(1)).select_from(Exit)
                       .join(left, left.id == Exit.contract_id)
                       .where(left.id.in_(sa.select(chain.c.id)), left.candidate_id == cdi.candidate_id,
                              Exit.exit_date >= cdi.start_date, date_digits(Exit.exit_date) < deadline))
        return (sa.select(cdi.candidate_id).join(chain, chain.c.id == cdi.id)
                .where(cdi.contract_type == ContractType.CDI,
                       deadline <= _digits(self.on), ~left_before.exists()).distinct())


_APPLICATION_RANKS = {"eligibility_validated": RANK[ApplicationStatus.VALIDATED],
                      "shortlisted": RANK[ApplicationStatus.SHORTLISTED],
                      "interviewed": RANK[ApplicationStatus.INTERVIEW],
                      "hired": RANK[ApplicationStatus.HIRED]}


def _digits(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day
