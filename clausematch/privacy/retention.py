"""Retention periods enforced (issue 14): a person with no activity for the territory's
`inactivity_months` is anonymised, after their prescriber was told 30 days before.

- `last_activity`: the latest day something happened to a person, computed in SQL for a range
  of records at once (one grouped UNION over every table that records an activity), never by a
  per-person loop. A contract still running is activity on the day of the run.
- `plan(on)`: who is told now, who is anonymised now. A notice holds until the next activity: it
  is void when the last activity is on or after the day it was sent (`retention_notice_on` is
  compared with the last activity, never cleared). Nobody is anonymised without a notice sent at
  least NOTICE_DAYS before: a person past the deadline but never told is told now, and waits.
- `run(on)`: applies the plan. Notices: one unit of work per prescriber organisation that locks
  its people, re-decides under the lock, records the day and tells the referent (else every
  active member of the organisation) in the application and by one e-mail per recipient listing
  their people (first name and initial, last activity, date of anonymisation: nothing else).
  Anonymisations: one unit of work per person (the row locked, the rule re-checked, then
  `erasure.anonymise`). Running it twice the same day does nothing more.

The daily job is "privacy.retention" (clausematch/scheduler.py); `flask privacy retention
--dry-run` prints the plan without writing anything (privacy/cli.py).
"""
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app, render_template

from clausematch import audit
from clausematch.accounts.models import Membership, Organisation, OrganisationKind, Role, Territory, User
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.candidates import naming
from clausematch.candidates.models import (
    Candidate,
    Consent,
    EligibilityCriterion,
)
from clausematch.database import add_months, as_date, locked
from clausematch.extensions import db
from clausematch.notifications import notify, queue_email
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry
from clausematch.prehire.models import Event, EventParticipant, PreHireStep
from clausematch.privacy import accountability
from clausematch.privacy.erasure import Reason, anonymise

NOTICE_DAYS = 30
JOB_NAME = "privacy.retention"  # the daily job (clausematch/scheduler.py JOBS)
BATCH_SIZE = 5000
# The notices of one organisation are sent in units of work of at most this many people (and as
# many e-mails per recipient): a first run on a large territory neither locks nor mails thousands at once.
NOTICES_PER_UNIT = 200


class Action:
    NOTIFY = "prévenir"
    ANONYMISE = "anonymiser"
    REDUCE = "réduire aux agrégats"


# --- Last activity, in SQL ---------------------------------------------------------------------

def _day(expression, dialect: str):
    """The calendar day of a date or timestamp column, comparable across the UNION on both databases."""
    if dialect == "sqlite":
        return sa.type_coerce(sa.func.date(expression), sa.Date)
    return sa.cast(expression, sa.Date)


def _activity_moments(on: date, where: Callable, dialect: str) -> sa.Select:
    """(candidate_id, day) for every recorded activity of the candidates `where(candidate_id column)`
    selects: a UNION ALL of one branch per table and date column, each filtered on its indexed
    candidate_id."""
    branches = []

    def add(candidate_column, moment, *joins_and_filters, nullable=True):
        stmt = sa.select(candidate_column.label("candidate_id"), _day(moment, dialect).label("day"))
        for item in joins_and_filters:
            stmt = stmt.join(*item) if isinstance(item, tuple) else stmt.where(item)
        stmt = stmt.where(where(candidate_column))
        if nullable:
            stmt = stmt.where(moment.is_not(None))
        branches.append(stmt)

    add(Candidate.id, Candidate.created_at, nullable=False)
    add(Candidate.id, Candidate.updated_at, nullable=False)
    for column in (EligibilityCriterion.declared_at, EligibilityCriterion.validated_at):
        add(EligibilityCriterion.candidate_id, column)
    for column in (Consent.given_on, Consent.recorded_at, Consent.withdrawn_on, Consent.withdrawal_recorded_at):
        add(Consent.candidate_id, column)
    for column in (Application.created_at, Application.last_event_at):
        add(Application.candidate_id, column)
    add(Application.candidate_id, ApplicationEvent.occurred_at,
        (ApplicationEvent, ApplicationEvent.application_id == Application.id))
    for column in (PreHireStep.updated_at, PreHireStep.start_date, PreHireStep.end_date, PreHireStep.decided_at):
        add(PreHireStep.candidate_id, column)
    add(EventParticipant.candidate_id, EventParticipant.updated_at)
    add(EventParticipant.candidate_id, Event.starts_at, (Event, Event.id == EventParticipant.event_id))
    for column in (EmploymentContract.updated_at, EmploymentContract.start_date, EmploymentContract.end_date):
        add(EmploymentContract.candidate_id, column)
    # A contract still running (no end recorded, started) is activity on the day of the run.
    running = sa.select(EmploymentContract.candidate_id.label("candidate_id"),
                        sa.literal(on, sa.Date).label("day")).where(
        EmploymentContract.end_date.is_(None), EmploymentContract.start_date <= on,
        where(EmploymentContract.candidate_id))
    branches.append(running)
    for column in (HoursEntry.month, HoursEntry.updated_at):
        add(HoursEntry.candidate_id, column)
    for column in (Exit.exit_date, Exit.recorded_at):
        add(EmploymentContract.candidate_id, column, (Exit, Exit.contract_id == EmploymentContract.id))
    add(EmploymentContract.candidate_id, FollowUp.done_on, (Exit, Exit.contract_id == EmploymentContract.id),
        (FollowUp, FollowUp.exit_id == Exit.id))
    return sa.union_all(*branches)


@dataclass(frozen=True)
class Activity:
    """A record to judge: who, whose, when it last moved, when its prescriber was last told."""

    candidate_id: int
    territory_id: int
    prescriber_id: int
    last_activity: date
    notice_on: date | None


def _activities(on: date, where: Callable, having_before: date | None = None) -> list[Activity]:
    dialect = db.session.get_bind().dialect.name
    moments = _activity_moments(on, where, dialect).subquery("moments")
    last = sa.func.max(moments.c.day)
    stmt = (sa.select(Candidate.id, Candidate.territory_id, Candidate.prescriber_id, last.label("last_day"),
                      Candidate.retention_notice_on)
            .join(moments, moments.c.candidate_id == Candidate.id)
            .where(where(Candidate.id), Candidate.is_active)
            .group_by(Candidate.id, Candidate.territory_id, Candidate.prescriber_id, Candidate.retention_notice_on)
            .order_by(Candidate.id))
    if having_before is not None:
        stmt = stmt.having(last <= having_before)
    return [Activity(row.id, row.territory_id, row.prescriber_id, as_date(row.last_day), row.retention_notice_on)
            for row in db.session.execute(stmt)]


def last_activity(candidate_ids: list[int], on: date) -> dict[int, date]:
    """{candidate id: day of the last activity} (merged and anonymised records left out)."""
    if not candidate_ids:
        return {}
    return {a.candidate_id: a.last_activity for a in _activities(on, lambda column: column.in_(candidate_ids))}


def _id_ranges(territory_id: int, anonymised: bool = False) -> Iterator[tuple[int, int]]:
    """(first id, last id) of each batch of BATCH_SIZE records of the territory still to judge
    (anonymised ones for the accountability step), by keyset."""
    judged = sa.and_(Candidate.territory_id == territory_id,
                     sa.and_(Candidate.merged_into_id.is_(None), Candidate.anonymised_at.is_not(None))
                     if anonymised else Candidate.is_active)
    after = 0
    while True:
        first = db.session.scalar(sa.select(sa.func.min(Candidate.id)).where(judged, Candidate.id > after))
        if first is None:
            return
        last = db.session.scalar(sa.select(Candidate.id).where(judged, Candidate.id >= first)
                                 .order_by(Candidate.id).offset(BATCH_SIZE - 1).limit(1))
        if last is None:
            last = db.session.scalar(sa.select(sa.func.max(Candidate.id)).where(judged))
        yield first, last
        after = last


# --- The plan ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    candidate_id: int
    territory_id: int
    prescriber_id: int
    last_activity: date
    action: str
    # NOTIFY: the first day the record may be anonymised (the deadline, and NOTICE_DAYS after the notice).
    anonymise_from: date | None = None


def decide(activity: Activity, inactivity_months: int, on: date) -> Decision | None:
    """What the retention rule does today to this record, or None."""
    deadline = add_months(activity.last_activity, inactivity_months)
    told = activity.notice_on is not None and activity.notice_on > activity.last_activity
    common = (activity.candidate_id, activity.territory_id, activity.prescriber_id, activity.last_activity)
    if told:
        if on >= deadline and on >= activity.notice_on + timedelta(days=NOTICE_DAYS):
            return Decision(*common, Action.ANONYMISE)
        return None
    if on >= deadline - timedelta(days=NOTICE_DAYS):
        return Decision(*common, Action.NOTIFY, max(deadline, on + timedelta(days=NOTICE_DAYS)))
    return None


@dataclass
class RetentionPlan:
    on: date
    decisions: list[Decision] = field(default_factory=list)
    prescriber_names: dict[int, str] = field(default_factory=dict)

    @property
    def notices(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == Action.NOTIFY]

    @property
    def anonymisations(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == Action.ANONYMISE]

    def summary(self) -> str:
        notices, anonymised = len(self.notices), len(self.anonymisations)
        return (f"Conservation au {self.on:%d/%m/%Y} : {notices} personne(s) à signaler à leur prescripteur, "
                f"{anonymised} personne(s) à anonymiser, {len(self.reductions)} personne(s) à réduire aux agrégats "
                "anonymes (fin de la durée de justification des contrats).")

    @property
    def reductions(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == Action.REDUCE]

    def lines(self) -> list[str]:
        """One line per record, in French: id, prescriber, last activity (for a reduction: the end of
        the last contract), action."""
        def line(d: Decision) -> str:
            when = "fin du dernier contrat" if d.action == Action.REDUCE else "dernière activité"
            return (f"candidat n° {d.candidate_id} — {self.prescriber_names.get(d.prescriber_id, '?')} — "
                    f"{when} le {d.last_activity:%d/%m/%Y} — {d.action}"
                    + (f" (anonymisation à partir du {d.anonymise_from:%d/%m/%Y})" if d.anonymise_from else ""))
        return [line(d) for d in self.decisions]


def _notice_cutoff(on: date, inactivity_months: int) -> date:
    """A day after which no last activity can be due for a notice today (the exact rule is `decide`)."""
    return add_months(on + timedelta(days=NOTICE_DAYS + 1), -inactivity_months) + timedelta(days=3)


def plan(on: date) -> RetentionPlan:
    """What a run on `on` would do, territory by territory, batch by batch; writes nothing."""
    result = RetentionPlan(on)
    territories = db.session.execute(sa.select(Territory.id, Territory.inactivity_months,
                                               Territory.accountability_years).order_by(Territory.id)).all()
    for territory_id, months, _ in territories:
        cutoff = _notice_cutoff(on, months)
        for first, last in _id_ranges(territory_id):
            for activity in _activities(on, lambda column, a=first, b=last: column.between(a, b), cutoff):
                decision = decide(activity, months, on)
                if decision is not None:
                    result.decisions.append(decision)
    for territory_id, _, years in territories:
        for first, last in _id_ranges(territory_id, anonymised=True):
            result.decisions += _reducible(territory_id, years, on, first, last)
    prescriber_ids = {d.prescriber_id for d in result.decisions}
    if prescriber_ids:
        result.prescriber_names = dict(db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(prescriber_ids))).all())
    return result


def _reducible(territory_id: int, years: int, on: date, first: int, last: int) -> list[Decision]:
    return [Decision(row.id, row.territory_id, row.prescriber_id, as_date(row.last_end), Action.REDUCE)
            for row in accountability.reducible(territory_id, years, on, first, last)]



# --- The run -----------------------------------------------------------------------------------

@dataclass
class RetentionRun:
    """What a run did (its str() is the job's French result)."""

    plan: RetentionPlan
    notified: list[int] = field(default_factory=list)
    anonymised: list[int] = field(default_factory=list)
    reduced: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{len(self.notified)} personne(s) signalée(s) à leur prescripteur (anonymisation dans 30 jours "
                f"sans nouvelle activité), {len(self.anonymised)} personne(s) anonymisée(s) après "
                f"la durée de conservation, {len(self.reduced)} personne(s) réduite(s) aux agrégats anonymes "
                "après la durée de justification des contrats.")


def run(on: date) -> RetentionRun:
    the_plan = plan(on)
    outcome = RetentionRun(the_plan)
    by_prescriber: dict[int, list[int]] = defaultdict(list)
    for decision in the_plan.notices:
        by_prescriber[decision.prescriber_id].append(decision.candidate_id)
    for prescriber_id, candidate_ids in sorted(by_prescriber.items()):
        for start in range(0, len(candidate_ids), NOTICES_PER_UNIT):
            outcome.notified += _notify(prescriber_id, candidate_ids[start:start + NOTICES_PER_UNIT], on)
    for decision in the_plan.anonymisations:
        if _anonymise_if_due(decision.candidate_id, on):
            outcome.anonymised.append(decision.candidate_id)
    for decision in the_plan.reductions:
        if accountability.reduce_to_aggregates(decision.candidate_id, on):
            outcome.reduced.append(decision.candidate_id)
    return outcome


def _redecide(candidates: list[Candidate], on: date) -> dict[int, Decision]:
    """The rule re-applied to locked records, on what the database holds now."""
    if not candidates:
        return {}
    months = dict(db.session.execute(sa.select(Territory.id, Territory.inactivity_months).where(
        Territory.id.in_({c.territory_id for c in candidates}))).all())
    decisions = {}
    for activity in _activities(on, lambda column: column.in_([c.id for c in candidates])):
        decision = decide(activity, months[activity.territory_id], on)
        if decision is not None:
            decisions[activity.candidate_id] = decision
    return decisions


def _recipients(candidates: list[Candidate], prescriber_id: int) -> dict[int, list[User]]:
    """{candidate id: who is told}: the referent when active and still in the organisation, else every
    active member of the organisation; an organisation left without active members: the territory's
    active facilitators (somebody must be told before a record is anonymised)."""
    def active_members(*where):
        return list(db.session.scalars(
            sa.select(User).join(Membership, Membership.user_id == User.id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(User.is_active, *where).order_by(User.id)))

    members = active_members(Membership.organisation_id == prescriber_id)
    if not members and candidates:
        members = active_members(Organisation.territory_id == candidates[0].territory_id,
                                 Organisation.kind == OrganisationKind.FACILITATOR, User.role == Role.FACILITATOR)
    by_id = {user.id: user for user in members}
    return {c.id: [by_id[c.referent_id]] if c.referent_id in by_id else members for c in candidates}


def _notify(prescriber_id: int, candidate_ids: list[int], on: date) -> list[int]:
    """One unit of work: the organisation's records locked, the rule re-checked, the notice recorded and sent."""
    candidates = list(locked(db.session, sa.select(Candidate).where(Candidate.id.in_(candidate_ids))
                             .order_by(Candidate.id)))
    decisions = _redecide(candidates, on)
    due = [c for c in candidates if c.prescriber_id == prescriber_id
           and getattr(decisions.get(c.id), "action", None) == Action.NOTIFY]
    recipients = _recipients(due, prescriber_id)
    due = [c for c in due if recipients[c.id]]  # nobody to tell: no notice recorded, tried again tomorrow
    if not due:
        db.session.rollback()
        return []
    # The notice is not an activity: the record's updated_at is kept as it was.
    db.session.execute(sa.update(Candidate).where(Candidate.id.in_([c.id for c in due]))
                       .values(retention_notice_on=on, updated_at=Candidate.updated_at)
                       .execution_options(synchronize_session=False))
    per_user: dict[int, list[dict]] = defaultdict(list)
    users: dict[int, User] = {}
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    for candidate in due:
        decision = decisions[candidate.id]
        name = naming.short_name(candidate)
        text = (f"Sans activité depuis le {decision.last_activity:%d/%m/%Y}, la fiche {naming.of_name(name)} sera "
                f"anonymisée à partir du {decision.anonymise_from:%d/%m/%Y}. Toute nouvelle activité (mise à jour "
                "de la fiche, orientation, étape…) la conserve.")
        for user in recipients[candidate.id]:
            notify(user.id, text, f"/candidats/{candidate.id}")
            users[user.id] = user
            per_user[user.id].append({"name": name, "last_activity": decision.last_activity,
                                      "anonymise_from": decision.anonymise_from,
                                      "link": f"{base}/candidats/{candidate.id}"})
        audit.record("candidate.retention_notice", "candidate", candidate.id, actor_id=None, candidate_id=candidate.id,
                     notice_on=on.isoformat(), anonymise_from=decision.anonymise_from.isoformat(),
                     recipients=len(recipients[candidate.id]))
    for user_id, people in per_user.items():
        subject = ("Une fiche bientôt anonymisée faute d'activité" if len(people) == 1
                   else f"{len(people)} fiches bientôt anonymisées faute d'activité")
        queue_email(users[user_id].email, subject, render_template(
            "privacy/emails/retention_notice.txt", user=users[user_id], people=people))
    db.session.commit()
    return [c.id for c in due]


def _anonymise_if_due(candidate_id: int, on: date) -> bool:
    """One unit of work: the record locked, the rule re-checked on it, then anonymised and committed."""
    candidate = locked(db.session, sa.select(Candidate).where(Candidate.id == candidate_id)).one_or_none()
    decision = _redecide([candidate], on).get(candidate_id) if candidate is not None else None
    if decision is None or decision.action != Action.ANONYMISE:
        db.session.rollback()
        return False
    return anonymise(candidate_id, None, Reason.RETENTION)
