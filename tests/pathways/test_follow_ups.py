"""The 6-month follow-ups: the daily job (frozen time, idempotence), recording what was found,
and the facilitator's list (order, filters, pagination, access, bounded queries)."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from factories import (
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    ExitFactory,
    FollowUpFactory,
    LotInTerritoryFactory,
)

from clausematch.errors import DomainError, NotAllowed
from clausematch.jobs import JobRun
from clausematch.pathways.follow_ups import FollowUpData, due_on, record_follow_up
from clausematch.pathways.jobs import NOTICE_DAYS, create_due_follow_ups, follow_ups_summary
from clausematch.pathways.models import FollowUp
from clausematch.scheduler import find_job, run_scheduled
from clausematch.vocabulary import ExitDetail


def follow_ups(db) -> dict[int, date]:
    db.session.expire_all()
    return dict(db.session.execute(sa.select(FollowUp.exit_id, FollowUp.due_on)).all())


@pytest.fixture
def exit_on(db, make_contract):
    """exit_on(day, detail=…) → a committed exit of a new contract of the person."""
    def make(day: date, detail=ExitDetail.SHORT_CDD):
        contract = make_contract(start_date=date(2024, 1, 1), planned_end_date=day, end_date=day)
        exit_ = ExitFactory(contract=contract, exit_date=day, detail=detail)
        db.session.commit()
        return exit_
    return make


def test_due_date_is_six_calendar_months_later():
    assert due_on(date(2025, 6, 15)) == date(2025, 12, 15)
    assert due_on(date(2025, 8, 31)) == date(2026, 2, 28)
    assert due_on(date(2025, 12, 31)) == date(2026, 6, 30)


def test_job_creates_follow_ups_due_within_the_notice_period(db, exit_on):
    on = date(2026, 4, 10)
    horizon = on + timedelta(days=NOTICE_DAYS)  # 10 May 2026
    overdue = exit_on(date(2025, 9, 1))  # due 1 March 2026
    due_at_horizon = exit_on(date(2025, 11, 10))  # due 10 May 2026
    later = exit_on(date(2025, 11, 11))  # due 11 May 2026: not yet
    month_end = exit_on(date(2025, 10, 31))  # due 30 April 2026 (calendar months)
    assert horizon == date(2026, 5, 10)
    assert create_due_follow_ups(on) == 3
    assert follow_ups(db) == {overdue.id: date(2026, 3, 1), due_at_horizon.id: date(2026, 5, 10),
                              month_end.id: date(2026, 4, 30)}
    assert later.id not in follow_ups(db)


def test_job_is_idempotent_and_catches_up_the_next_day(db, exit_on):
    exit_on(date(2025, 9, 1))
    late = exit_on(date(2025, 11, 11))
    assert create_due_follow_ups(date(2026, 4, 10)) == 1
    assert create_due_follow_ups(date(2026, 4, 10)) == 0
    assert create_due_follow_ups(date(2026, 4, 11)) == 1
    assert len(follow_ups(db)) == 2 and late.id in follow_ups(db)


def test_an_existing_follow_up_is_kept_as_is(db, exit_on):
    exit_ = exit_on(date(2025, 9, 1))
    FollowUpFactory(exit=exit_, due_on=date(2026, 3, 5), done_on=date(2026, 3, 6), in_work=True)
    db.session.commit()
    assert create_due_follow_ups(date(2026, 4, 10)) == 0
    assert follow_ups(db) == {exit_.id: date(2026, 3, 5)}


def test_scheduled_job_with_frozen_time_runs_once_per_day(db, exit_on, time_machine):
    exit_on(date(2025, 9, 1))
    job = find_job("pathways.follow_ups")
    time_machine.move_to("2026-04-10 03:00+02:00", tick=False)
    assert run_scheduled(job) == "1 suivi à 6 mois créé."
    assert run_scheduled(job) is None  # same day: already run
    exit_on(date(2025, 11, 11))
    time_machine.move_to("2026-04-11 03:00+02:00", tick=False)
    assert run_scheduled(job) == "1 suivi à 6 mois créé."
    runs = db.session.execute(sa.select(JobRun.period, JobRun.result).order_by(JobRun.id)).all()
    assert runs == [("2026-04-10", "1 suivi à 6 mois créé."), ("2026-04-11", "1 suivi à 6 mois créé.")]


def test_summary_plural():
    assert [follow_ups_summary(n) for n in (0, 1, 4)] == \
        ["Aucun suivi à 6 mois à créer.", "1 suivi à 6 mois créé.", "4 suivis à 6 mois créés."]


# --- Recording ---------------------------------------------------------------------------------

@pytest.fixture
def follow_up(db, exit_on):
    item = FollowUpFactory(exit=exit_on(date(2025, 9, 1)), due_on=date(2026, 3, 1))
    db.session.commit()
    return item


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-04-10 10:00", tick=False)


def test_record_and_correct_a_follow_up(db, personas, follow_up):
    facilitator = personas["facilitator"]
    record_follow_up(follow_up.id, FollowUpData(date(2026, 3, 3), True, "cdi", " Joint par téléphone "), facilitator)
    db.session.expire_all()
    item = db.session.get(FollowUp, follow_up.id)
    assert (item.done_on, item.in_work, item.situation, item.comment, item.recorded_by_id) == \
        (date(2026, 3, 3), True, ExitDetail.CDI, "Joint par téléphone", facilitator.id)
    record_follow_up(follow_up.id, FollowUpData(date(2026, 3, 4), False, None), facilitator)
    db.session.expire_all()
    item = db.session.get(FollowUp, follow_up.id)
    assert (item.done_on, item.in_work, item.situation) == (date(2026, 3, 4), False, None)


@pytest.mark.parametrize(("data", "field", "message"), [
    (FollowUpData(None, True), "done_on", "Indiquez la date du suivi"),
    (FollowUpData(date(2025, 8, 31), True), "done_on", "ne peut pas précéder la sortie (01/09/2025)"),
    (FollowUpData(date(2026, 4, 11), True), "done_on", "ne peut pas être dans le futur"),
    (FollowUpData(date(2026, 3, 3), None), "in_work", "Indiquez si la personne est en emploi"),
    (FollowUpData(date(2026, 3, 3), True, "unemployment"), "situation", "ne correspond pas à une personne en emploi"),
    (FollowUpData(date(2026, 3, 3), False, "cdi"), "situation", "est un emploi"),
    (FollowUpData(date(2026, 3, 3), True, "promotion"), "situation", "Choisissez la situation"),
])
def test_record_refusals(db, personas, follow_up, data, field, message):
    with pytest.raises(DomainError) as error:
        record_follow_up(follow_up.id, data, personas["facilitator"])
    assert error.value.field == field and message in error.value.message
    db.session.rollback()
    assert db.session.get(FollowUp, follow_up.id).done_on is None


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer", "admin"])
def test_only_facilitators_record_follow_ups(db, personas, follow_up, role):
    with pytest.raises(NotAllowed):
        record_follow_up(follow_up.id, FollowUpData(date(2026, 3, 3), True), personas[role])


# --- The list ----------------------------------------------------------------------------------

def add_follow_up(exit_day: date, due: date, done: date | None = None, lot=None, **exit_columns):
    contract = EmploymentContractFactory(lot=lot, start_date=date(2024, 1, 1), planned_end_date=exit_day) \
        if lot is not None else EmploymentContractFactory(start_date=date(2024, 1, 1), planned_end_date=exit_day)
    exit_ = ExitFactory(contract=contract, exit_date=exit_day, **exit_columns)
    return FollowUpFactory(exit=exit_, due_on=due, done_on=done, in_work=True if done else None)



def test_list_puts_the_most_overdue_first_then_filters(db, client, login_as, personas, territory, pathway_lot):
    oldest = add_follow_up(date(2025, 8, 1), date(2026, 2, 1), lot=pathway_lot)
    recent = add_follow_up(date(2025, 9, 20), date(2026, 3, 20), lot=pathway_lot, detail=ExitDetail.TRAINING)
    upcoming = add_follow_up(date(2025, 10, 30), date(2026, 4, 30), lot=pathway_lot)
    done = add_follow_up(date(2025, 7, 1), date(2026, 1, 1), done=date(2026, 1, 5), lot=pathway_lot)
    other_lot = LotInTerritoryFactory(contract=ContractInTerritoryFactory())  # another territory
    add_follow_up(date(2025, 8, 1), date(2026, 2, 1), lot=other_lot)
    db.session.commit()
    login_as("facilitator")

    def ids(query: str = "") -> list[int]:
        html = client.get("/suivis" + query).get_data(as_text=True)
        return [int(part.split('"')[0]) for part in html.split('href="/suivis/')[1:]]

    assert ids() == [oldest.id, recent.id]
    assert ids("?etat=tous") == [oldest.id, recent.id, upcoming.id, done.id]
    assert ids("?etat=a_venir") == [upcoming.id]
    assert ids("?etat=realises") == [done.id]
    assert ids("?etat=tous&categorie=positive") == [recent.id]
    assert ids("?etat=inconnu") == [oldest.id, recent.id]  # an unknown filter is ignored
    html = client.get("/suivis").get_data(as_text=True)
    assert "À réaliser (échus) (2)" in html and "À venir (1)" in html and "Réalisés (1)" in html
    assert "En retard" in html


def test_list_paginates_in_sql_with_a_fixed_number_of_queries(db, login_as, pathway_lot, statements_for, app):
    login_as("facilitator")
    app.config["PAGE_SIZE"] = 5
    add_follow_up(date(2025, 8, 1), date(2026, 2, 1), lot=pathway_lot)
    few = statements_for("/suivis")
    for day in range(1, 13):
        add_follow_up(date(2025, 8, day), date(2026, 2, day), lot=pathway_lot)
    assert statements_for("/suivis") == few
    assert statements_for("/suivis?page=3") == few


def test_follow_up_page_records_through_the_form(db, client, login_as, follow_up):
    login_as("facilitator")
    form = client.get(f"/suivis/{follow_up.id}").get_data(as_text=True)
    assert "Suivi à 6 mois de Awa Diallo" in form and 'type="date"' in form
    response = client.post(f"/suivis/{follow_up.id}", data={"done_on": "2026-03-03", "in_work": "non",
                                                            "situation": "cdi", "comment": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "est un emploi" in html and 'aria-invalid="true"' in html
    response = client.post(f"/suivis/{follow_up.id}", data={"done_on": "2026-03-03", "in_work": "oui",
                                                            "situation": "cdi", "comment": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("/suivis")
    db.session.expire_all()
    assert db.session.get(FollowUp, follow_up.id).in_work is True
