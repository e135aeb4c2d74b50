"""Two people acting on the same application at once: exactly one change is recorded, the other
person gets a French message naming what happened, never a 500 and never both. Parallel tests
run on PostgreSQL (real connections released together, tests/concurrency.py); the sequential
double submits run on both databases."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from applications_support import S
from concurrency import failures, messages, race

from clausematch.accounts.models import User
from clausematch.applications import services
from clausematch.applications.models import Application, ApplicationEvent, RefusalReason
from clausematch.extensions import db as _db
from clausematch.notifications import OutboxMessage
from clausematch.pathways.hiring import HireData, record_hire
from clausematch.pathways.models import EmploymentContract

PROPOSED_AT = datetime(2026, 1, 5, 9)  # before HIRE's start: a contract never starts before the proposal
HIRE = HireData(contract_type="cdi", start_date=date(2026, 3, 2), planned_end_date=None, weekly_hours=35)


def count(db, model, *conditions) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def events_to(db, application_id: int) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(sa.select(ApplicationEvent.from_status, ApplicationEvent.to_status)
                              .where(ApplicationEvent.application_id == application_id,
                                     ApplicationEvent.from_status.is_not(None))
                              .order_by(ApplicationEvent.id)).all()


def as_user(user_id: int, action):
    """An attempt of `user_id` (loaded in the thread's own session)."""
    return lambda: action(_db.session.get(User, user_id))


def page_read(application_id: int):
    """What the page did before the form was sent: it loaded the application."""
    return lambda: _db.session.get(Application, application_id).status


def hire(application_id: int, user_id: int):
    return as_user(user_id, lambda user: record_hire(application_id, HIRE, "", user))


def refuse(application_id: int, user_id: int):
    return as_user(user_id, lambda user: services.move(application_id, S.REFUSED, user, "",
                                                       RefusalReason.LACKS_SKILLS))


@pytest.mark.postgres
def test_hire_and_refusal_at_once_exactly_one_wins(app, db, personas, make_application):
    application = make_application(S.SENT, created_at=PROPOSED_AT)
    company, facilitator = personas["company"].id, personas["facilitator"].id

    outcomes = race([app, app], [hire(application.id, company), refuse(application.id, facilitator)],
                    before=[page_read(application.id)] * 2)

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    final = db.session.get(Application, application.id)
    db.session.refresh(final)
    contracts = count(db, EmploymentContract, EmploymentContract.application_id == application.id)
    if final.status == S.HIRED:
        assert contracts == 1 and events_to(db, application.id)[-1:] == [(S.SENT, S.HIRED)]
        assert refused.startswith("Cette candidature a déjà abouti à une embauche, enregistrée par l'entreprise le ")
        assert refused.endswith(" : le refus n'a pas été enregistré.")
    else:
        assert (final.status, contracts) == (S.REFUSED, 0)
        assert events_to(db, application.id)[-1:] == [(S.SENT, S.REFUSED)]
        assert refused.startswith("Cette candidature a déjà été refusée par l'équipe de facilitation le ")
        assert refused.endswith(" : l'embauche n'a pas été enregistrée.")
    assert len(events_to(db, application.id)) == 4  # validated, shortlisted, sent, and one decision


@pytest.mark.postgres
def test_the_same_move_submitted_twice_at_once_is_recorded_once(app, db, personas, make_application):
    application = make_application(S.SUBMITTED)
    facilitator = personas["facilitator"].id
    validate = as_user(facilitator, lambda user: services.move(application.id, S.VALIDATED, user))

    outcomes = race([app] * 3, [validate] * 3, before=[page_read(application.id)] * 3)

    assert failures(outcomes) == []
    assert len(messages(outcomes)) == 2
    assert all(m.startswith("Cette candidature a déjà été validée par vous le ") for m in messages(outcomes))
    assert events_to(db, application.id) == [(S.SUBMITTED, S.VALIDATED)]
    assert count(db, OutboxMessage) == 1


@pytest.mark.postgres
def test_two_hires_at_once_make_one_contract_and_no_error_page(app, db, personas, make_application):
    application = make_application(S.INTERVIEW, created_at=PROPOSED_AT)
    company = personas["company"].id

    outcomes = race([app, app], [hire(application.id, company)] * 2, before=[page_read(application.id)] * 2)

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    assert refused.startswith("Cette candidature a déjà abouti à une embauche, enregistrée par vous le ")
    assert count(db, EmploymentContract) == 1
    assert events_to(db, application.id)[-1:] == [(S.INTERVIEW, S.HIRED)]
    assert count(db, OutboxMessage) == 1


def test_a_sequential_double_submit_records_once_and_says_it_was_done(app, db, client, login_as, personas,
                                                                    make_application):
    application = make_application(S.SENT)
    login_as("facilitator")
    form = {"refused-refusal_reason": "lacks_skills", "refused-comment": ""}

    first = client.post(f"/orientations/{application.id}/etat/refused", data=form, follow_redirects=True)
    second = client.post(f"/orientations/{application.id}/etat/refused", data=form, follow_redirects=True)

    assert (first.status_code, second.status_code) == (200, 200)
    assert "Cette candidature a déjà été refusée par vous le " in second.get_data(as_text=True)
    assert events_to(db, application.id)[-1:] == [(S.SENT, S.REFUSED)]
    assert len(events_to(db, application.id)) == 4
    assert count(db, OutboxMessage) == 1


def test_the_loser_of_a_hire_is_told_who_refused_and_when(db, personas, make_application):
    application = make_application(S.SENT)
    services.move(application.id, S.REFUSED, personas["facilitator"], "", RefusalReason.LACKS_SKILLS)
    refused_at = db.session.scalars(sa.select(ApplicationEvent.occurred_at)
                                    .order_by(ApplicationEvent.id.desc())).first()

    with pytest.raises(Exception, match="^Cette candidature a déjà été refusée par l'équipe de facilitation le "
                       f"{refused_at:%d/%m/%Y %H:%M} : l'embauche n'a pas été enregistrée.$"):
        record_hire(application.id, HIRE, "", personas["company"])
    assert count(db, EmploymentContract) == 0


def test_a_skipped_step_keeps_its_own_message(db, personas, make_application):
    """Not a race: a move that never existed from the previous state still says which ones do."""
    application = make_application(S.VALIDATED)
    with pytest.raises(Exception, match="ne peut pas passer à « Envoyée à l'entreprise »"):
        services.move(application.id, S.SENT, personas["facilitator"])
