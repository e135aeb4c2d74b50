"""A programme's funnel over its chosen stages, against a hand-built programme (`track`).

People of programme P (prescriber persona's candidates):
  p1 present at the information session, validated for the training, POEC completed, hired in
     CDI (trial period ended 1 March 2024), still there → in post 6 months after the trial;
  p2 same, but left on 1 May 2024 (before 1 September 2024) → CDI, not in post;
  p3 same, CDI whose trial period ended 2 months ago → CDI, not yet "6 months after";
  p4 present, validated, POEC interrupted;
  p5 invited but absent, validated, POEC completed (validated without having attended);
  p6 present at another programme's session only, validated for P's training;
  p7 present, validation not retained;
  p8 present, validated, POEC completed, CDI, left on 15 October 2024 (after 1 September) → in post;
  p9 present, validated, POEC completed, never hired.
Stages attended → validated → trained → CDI → in post: 7 → 6 → 5 → 4 → 2.
"""
from datetime import date, datetime, timedelta

import pytest
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    EmploymentContractFactory,
    ExitFactory,
    LotInTerritoryFactory,
    OfferInTerritoryFactory,
)

from clausematch.applications.models import ApplicationEvent
from clausematch.applications.models import ApplicationStatus as S
from clausematch.database import today
from clausematch.offers.models import Programme
from clausematch.prehire.models import (
    Event,
    EventKind,
    EventParticipant,
    ParticipantStatus,
    PreHireStep,
    StepKind,
    StepStatus,
)
from clausematch.reporting.queries.programme_funnel import DEFAULT_STAGES, programme_funnel, stages_of
from clausematch.vocabulary import ContractType, ExitDetail

STORY = ["attended_info_session", "training_validated", "training_completed", "cdi", "in_post_after_trial"]
HIRE_PATH = [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW, S.HIRED]


class Track:
    def __init__(self, db, territory, personas):
        self.db, self.territory = db, territory
        self.prescriber = personas["prescriber"].organisation
        self.company = personas["company"].organisation
        self.programme = self.new_programme("Parcours P")
        self.other = self.new_programme("Autre parcours")
        self.lot = LotInTerritoryFactory(contract__buyer=personas["buyer"].organisation, company=self.company)
        self.offer = OfferInTerritoryFactory(lot=self.lot, company=self.company, programme_id=self.programme.id)
        self.session = self.event(self.programme)
        self.people = {}

    def new_programme(self, name, stages=None):
        programme = Programme(territory_id=self.territory.id, name=name, funnel_stages=stages)
        self.db.session.add(programme)
        self.db.session.flush()
        return programme

    def event(self, programme, kind=EventKind.INFO_SESSION, cancelled=False):
        event = Event(territory_id=self.territory.id, kind=kind, title="Réunion", place="Salle A",
                      starts_at=datetime(2023, 11, 6, 9), programme_id=programme.id,
                      cancelled_at=datetime(2023, 11, 1) if cancelled else None)
        self.db.session.add(event)
        self.db.session.flush()
        return event

    def person(self, name):
        candidate = CandidateInTerritoryFactory(prescriber=self.prescriber)
        self.people[name] = candidate
        return candidate

    def invite(self, candidate, event=None, status=ParticipantStatus.ATTENDED):
        self.db.session.add(EventParticipant(event_id=(event or self.session).id, candidate_id=candidate.id,
                                             status=status))

    def step(self, candidate, kind, status, programme=None):
        self.db.session.add(PreHireStep(candidate_id=candidate.id, kind=kind, status=status,
                                        programme_id=(programme or self.programme).id,
                                        start_date=date(2023, 11, 20)))

    def hire_cdi(self, candidate, trial_end, left_on=None):
        application = ApplicationFactory(candidate=candidate, offer=self.offer, status=S.HIRED,
                                         created_at=datetime(2023, 12, 1, 9))
        previous = None
        for day, status in enumerate(HIRE_PATH):
            self.db.session.add(ApplicationEvent(application_id=application.id, from_status=previous,
                                                 to_status=status, occurred_at=datetime(2023, 12, 1 + day, 9)))
            previous = status
        start = trial_end - timedelta(days=60)
        contract = EmploymentContractFactory(
            candidate=candidate, lot=self.lot, employer=self.company, contract_type=ContractType.CDI,
            start_date=start, planned_end_date=None, trial_period_end=trial_end, end_date=left_on,
            application_id=application.id)
        if left_on:
            ExitFactory(contract=contract, exit_date=left_on, detail=ExitDetail.UNEMPLOYMENT)
        return contract


@pytest.fixture
def track(db, territory, personas):
    t = Track(db, territory, personas)
    V, POEC = StepKind.TRAINING_VALIDATION, StepKind.POEC
    done, stopped, refused = StepStatus.COMPLETED, StepStatus.INTERRUPTED, StepStatus.NOT_RETAINED
    for name in ("p1", "p2", "p3", "p4", "p7", "p8", "p9"):
        t.invite(t.person(name))
    for name in ("p1", "p2", "p3", "p8", "p9"):
        t.step(t.people[name], V, done)
        t.step(t.people[name], POEC, done)
    t.step(t.people["p4"], V, done)
    t.step(t.people["p4"], POEC, stopped)
    t.step(t.people["p7"], V, refused)
    p5 = t.person("p5")
    t.invite(p5, status=ParticipantStatus.ABSENT)
    t.step(p5, V, done)
    t.step(p5, POEC, done)
    p6 = t.person("p6")
    t.invite(p6, t.event(t.other))
    t.step(p6, V, done)
    t.hire_cdi(t.people["p1"], date(2024, 3, 1))
    t.hire_cdi(t.people["p2"], date(2024, 3, 1), left_on=date(2024, 5, 1))
    t.hire_cdi(t.people["p3"], today() - timedelta(days=60))
    t.hire_cdi(t.people["p8"], date(2024, 3, 1), left_on=date(2024, 10, 15))
    t.programme.funnel_stages = STORY
    db.session.commit()
    return t


def test_story_stages_count_nested_people(track):
    result = programme_funnel(track.programme)
    assert [stage.key for stage in result.stages] == STORY
    assert result.counts == [7, 6, 5, 4, 2]
    assert result.people == 9  # p5 (absent) and p6 (a step of P) are people of the programme


def test_validated_without_attending_is_not_counted_after_attended(track):
    """p5 and p6 are validated for P's training but were not present at P's session."""
    track.programme.funnel_stages = ["training_validated", "training_completed"]
    assert programme_funnel(track.programme).counts == [8, 6]  # p1-p6, p8, p9; p4 interrupted, p6 untrained
    track.programme.funnel_stages = ["attended_info_session", "training_validated"]
    assert programme_funnel(track.programme).counts == [7, 6]


def test_chosen_order_is_respected(track):
    track.programme.funnel_stages = ["training_completed", "attended_info_session"]
    result = programme_funnel(track.programme)
    assert [stage.key for stage in result.stages] == ["training_completed", "attended_info_session"]
    assert result.counts == [6, 5]  # p1 p2 p3 p5 p8 p9 trained; p5 was absent


def test_in_post_needs_six_months_past_the_trial_and_no_earlier_exit(track):
    """p3's trial period + 6 months is still ahead; p2 left before it; p8 left after it."""
    track.programme.funnel_stages = ["cdi", "in_post_after_trial"]
    assert programme_funnel(track.programme).counts == [4, 2]
    assert programme_funnel(track.programme, on=date(2024, 8, 31)).counts == [4, 0]
    assert programme_funnel(track.programme, on=date(2024, 9, 1)).counts == [4, 2]


def test_interrupted_training_and_refused_validation_do_not_count(track):
    track.programme.funnel_stages = ["attended_info_session", "training_validated", "training_completed"]
    assert programme_funnel(track.programme).counts == [7, 6, 5]  # p7 not retained; p4 interrupted


def test_cancelled_event_attendance_does_not_count(db, track):
    cancelled = track.event(track.programme, cancelled=True)
    late = track.person("p10")
    track.invite(late, cancelled)
    track.programme.funnel_stages = ["invited_info_session", "attended_info_session"]
    db.session.commit()
    assert programme_funnel(track.programme).counts == [9, 7]  # p6 was invited by the other programme


def test_application_stages_and_rates(track):
    track.programme.funnel_stages = ["oriented", "hired", "cdi"]
    result = programme_funnel(track.programme)
    assert result.counts == [4, 4, 4]
    track.programme.funnel_stages = STORY
    stages = programme_funnel(track.programme).stages
    assert stages[0].rate is None and stages[1].rate * 7 == 6 and stages[4].share_of_first * 7 == 2


def test_default_stages_when_none_chosen(track):
    track.programme.funnel_stages = None
    assert [stage.key for stage in stages_of(track.programme)] == DEFAULT_STAGES
    assert programme_funnel(track.programme).counts[0] == 4  # oriented


def test_other_programme_people_stay_out(track):
    track.other.funnel_stages = ["attended_info_session", "training_validated"]
    result = programme_funnel(track.other)
    assert result.people == 1 and result.counts == [1, 0]  # p6's validation belongs to P


def test_one_statement_whatever_the_people(db, track, count_queries):
    assert track.programme.name  # loaded: only the funnel's statements are counted
    with count_queries() as few:
        programme_funnel(track.programme)
    for n in range(20):
        track.invite(track.person(f"extra{n}"))
    db.session.commit()
    assert track.programme.name
    with count_queries() as many:
        result = programme_funnel(track.programme)
    assert result.counts[0] == 27
    assert len(few) == len(many) == 1
