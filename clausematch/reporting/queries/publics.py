"""Publics reached: who the participants (people hired on the scoped lots) are, counted per
person and weighted by their credited hours (their validated hours, a CDI lump replacing the
hours worked under the CDI as in pathways/counting.py; SIAE invoices are nobody's hours), against
the territory's targets. Age is taken on the person's first hire in scope (from the birth date, or
the age frozen on the contract when the record was anonymised: employment_contracts.age_at_start);
RQTH and RSA are validated eligibility criteria; local means living in one of the territory's
communes. One SQL statement."""
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from clausematch.accounts.models import Territory, TerritoryCommune
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.contracts.models import Clause, Contract, Lot
from clausematch.extensions import db
from clausematch.pathways.counting import effective_lump, first_cdi_on_lot, month_start
from clausematch.pathways.models import EmploymentContract, HoursEntry
from clausematch.reporting.filters import Scope
from clausematch.reporting.masking import people_count
from clausematch.reporting.queries.scoping import (
    FAR_FUTURE,
    employment_ids,
    hour_conditions,
    lot_conditions,
    scoped_lot_ids,
)
from clausematch.reporting.queries.sql import count_if, date_digits, decimal, month_floor, ratio, sum_if
from clausematch.vocabulary import ContractType, Criterion, Gender

# The stacked rows that are not hires carry no age.
NO_AGE = sa.cast(sa.null(), sa.SmallInteger)

# key, label, territory setting holding the target (None: no target)
PUBLICS = [
    ("women", "Femmes", "target_women_share"),
    ("under_26", "Moins de 26 ans à l'embauche", "target_under_26_share"),
    ("over_50", "50 ans ou plus à l'embauche", "target_over_50_share"),
    ("qpv", "Résidents d'un quartier prioritaire (QPV)", "target_qpv_share"),
    ("rqth", "Travailleurs handicapés (RQTH validée)", None),
    ("rsa", "Bénéficiaires du RSA (critère validé)", None),
    ("local", "Résidents du territoire", "target_local_share"),
]


@dataclass(frozen=True)
class PublicLine:
    key: str
    label: str
    people: int = people_count()
    hours: Decimal
    target: Decimal | None
    participants: int = people_count()
    total_hours: Decimal

    @property
    def share(self) -> Decimal | None:
        """Share of the participants."""
        return ratio(self.people, self.participants)

    @property
    def hours_share(self) -> Decimal | None:
        return ratio(self.hours, self.total_hours)


@dataclass(frozen=True)
class PublicsReport:
    participants: int = people_count()
    hours: Decimal
    lines: list[PublicLine]

    def line(self, key: str) -> PublicLine:
        return next(line for line in self.lines if line.key == key)


def publics_report(scope: Scope, territory: Territory) -> PublicsReport:
    row = db.session.execute(_statement(scope, territory)).one()
    participants, hours = row[0] or 0, decimal(row[1])
    lines = []
    for index, (key, label, setting) in enumerate(PUBLICS):
        target = getattr(territory, setting) if setting else None
        lines.append(PublicLine(key, label, row[2 + 2 * index] or 0, decimal(row[3 + 2 * index]),
                                Decimal(target) if target is not None else None, participants, hours))
    return PublicsReport(participants, hours, lines)


def _people(scope: Scope, territory: Territory) -> sa.Subquery:
    """One row per participant — a person hired on the scoped lots, with a contract running
    during the period: first hire date and credited hours. Contracts and hours are stacked
    (UNION ALL) and grouped once, rather than joined: no planner has to match two large
    aggregates row by row."""
    start, end = scope.period
    conditions = [*lot_conditions(scope)]
    if scope.mode:
        conditions.append(EmploymentContract.mode == scope.mode)
    if end:
        conditions.append(EmploymentContract.start_date <= end)
    if start:
        conditions.append(sa.func.coalesce(EmploymentContract.end_date, FAR_FUTURE) >= start)
    contracts = employment_ids(scope, "participant_employment")
    if contracts is not None:
        conditions.append(EmploymentContract.id.in_(contracts))
    hires = (sa.select(EmploymentContract.candidate_id.label("candidate_id"),
                       EmploymentContract.start_date.label("hired_on"),
                       sa.cast(0, HoursEntry.hours.type).label("hours"),
                       EmploymentContract.age_at_start.label("age"))
             .join(Lot, Lot.id == EmploymentContract.lot_id).join(Contract, Contract.id == Lot.contract_id)
             .where(*conditions))
    hours = sa.select(HoursEntry.candidate_id, sa.cast(sa.null(), sa.Date), HoursEntry.hours, NO_AGE) \
        .where(*hour_conditions(scope, territory))
    stacked = sa.union_all(hires, hours, *_cdi_lump_parts(scope, territory)).subquery("stacked")
    # Age only grows: the youngest frozen age is the one at the first hire in scope.
    return (sa.select(stacked.c.candidate_id, sa.func.min(stacked.c.hired_on).label("hired_on"),
                      sa.func.sum(stacked.c.hours).label("hours"), sa.func.min(stacked.c.age).label("age"))
            .group_by(stacked.c.candidate_id).having(sa.func.min(stacked.c.hired_on).is_not(None))
            .subquery("participants"))


def _cdi_lump_parts(scope: Scope, territory: Territory) -> list[sa.Select]:
    """The CDI lump rule of credited_hours (pathways/counting.py, parts 2 and 3) per person, so
    that a person's hours here are the hours the hours report credits for them: on a lot whose
    clause credits a lump, minus the counted hours worked under a CDI, plus the lump once per
    person and lot, in the month their first CDI on the lot starts (within the same lots,
    period, mode and people). Rows (candidate_id, NULL, hours) stacked with the others."""
    lump = effective_lump(territory)
    replaced = (sa.select(HoursEntry.candidate_id, sa.cast(sa.null(), sa.Date), -HoursEntry.hours, NO_AGE)
                .join(EmploymentContract, EmploymentContract.id == HoursEntry.contract_id)
                .join(Clause, Clause.lot_id == HoursEntry.lot_id)
                .where(EmploymentContract.contract_type == ContractType.CDI, lump > 0,
                       *hour_conditions(scope, territory, name="replaced_employment")))
    first_cdi = first_cdi_on_lot()
    cdi_month = month_start(EmploymentContract.start_date)
    conditions = [EmploymentContract.contract_type == ContractType.CDI, lump > 0, first_cdi,
                  EmploymentContract.lot_id.in_(scoped_lot_ids(scope))]
    start, end = scope.period
    if start:
        conditions.append(cdi_month >= month_floor(start))
    if end:
        conditions.append(cdi_month <= end)
    if scope.mode:
        conditions.append(EmploymentContract.mode == scope.mode)
    contracts = employment_ids(scope, "lump_employment")
    if contracts is not None:
        conditions.append(EmploymentContract.id.in_(contracts))
    lumps = (sa.select(EmploymentContract.candidate_id, sa.cast(sa.null(), sa.Date),
                       sa.cast(lump, HoursEntry.hours.type), NO_AGE)
             .join(Clause, Clause.lot_id == EmploymentContract.lot_id).where(*conditions))
    return [replaced, lumps]


def _flags(scope: Scope, hired_on, frozen_age) -> list[sa.ColumnElement[bool]]:
    """One condition per public, in PUBLICS order, on Candidate and the first hire date (the age
    frozen on the contract once the record is anonymised, else from the birth date)."""
    age_digits = date_digits(hired_on) - date_digits(Candidate.birth_date)
    known = frozen_age.is_not(None)
    under_26 = sa.or_(sa.and_(known, frozen_age < 26), sa.and_(~known, age_digits < 260000))
    over_50 = sa.or_(sa.and_(known, frozen_age >= 50), sa.and_(~known, age_digits >= 500000))

    def validated(criterion: Criterion):
        return sa.exists().where(EligibilityCriterion.candidate_id == Candidate.id,
                                 EligibilityCriterion.criterion == criterion,
                                 EligibilityCriterion.status == EligibilityStatus.VALIDATED)

    local = sa.select(TerritoryCommune.commune_insee).where(TerritoryCommune.territory_id == scope.territory_id)
    return [Candidate.gender == Gender.FEMALE, under_26, over_50,
            validated(Criterion.QPV), validated(Criterion.RQTH), validated(Criterion.RSA),
            Candidate.commune_insee.in_(local)]


def _statement(scope: Scope, territory: Territory) -> sa.Select:
    people = _people(scope, territory)
    weight = sa.func.coalesce(people.c.hours, 0)
    columns = [sa.func.count(), sa.func.coalesce(sa.func.sum(weight), 0)]
    for flag in _flags(scope, people.c.hired_on, people.c.age):
        columns += [count_if(flag), sum_if(flag, weight)]
    return sa.select(*columns).select_from(people).join(Candidate, Candidate.id == people.c.candidate_id)
