"""Dates checked against the story they belong to (issue 12): an interview neither before the
proposal nor more than a year ahead; a hire's contract not starting before the proposal. The
reason is said in French on the field, and nothing is saved."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from applications_support import S

from clausematch.applications import services
from clausematch.applications.models import Application
from clausematch.database import add_months, today
from clausematch.errors import DomainError
from clausematch.pathways.hiring import HireData, record_hire
from clausematch.pathways.models import EmploymentContract

PROPOSED_AT = datetime(2026, 1, 5, 9)


def status_of(db, application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id).status


@pytest.mark.parametrize(("interview_on", "message"), [
    (lambda: PROPOSED_AT.date() - timedelta(days=1), "L'entretien ne peut pas avoir lieu avant la proposition du "
                                                     "candidat à cette offre (le 05/01/2026)"),
    (lambda: add_months(today(), 12) + timedelta(days=1), "L'entretien ne peut pas être prévu plus d'un an à l'avance"),
])
def test_an_implausible_interview_date_is_refused(db, personas, make_application, interview_on, message):
    """`interview_on` is read when the test runs, not when it is collected (midnight)."""
    interview_on = interview_on()
    application = make_application(S.SENT, created_at=PROPOSED_AT)
    with pytest.raises(DomainError, match=re.escape(message)) as refused:
        services.record_interview(application.id, interview_on, "", personas["company"])
    assert refused.value.field == "interview_on"
    db.session.rollback()
    assert status_of(db, application.id) == S.SENT


def test_an_interview_on_the_proposal_day_or_a_year_ahead_is_accepted(db, personas, make_application):
    first = make_application(S.SENT, created_at=PROPOSED_AT)
    services.record_interview(first.id, PROPOSED_AT.date(), "", personas["company"])
    assert status_of(db, first.id) == S.INTERVIEW


def test_a_hire_starting_before_the_proposal_is_refused_and_nothing_saved(db, personas, make_application):
    application = make_application(S.INTERVIEW, created_at=PROPOSED_AT)
    early = HireData("cdd", PROPOSED_AT.date() - timedelta(days=30), PROPOSED_AT.date() + timedelta(days=150), 35)
    with pytest.raises(DomainError, match="Le contrat ne peut pas commencer avant la proposition") as refused:
        record_hire(application.id, early, "", personas["company"])
    assert refused.value.field == "start_date"
    db.session.rollback()
    assert status_of(db, application.id) == S.INTERVIEW
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmploymentContract)) == 0

    on_the_day = HireData("cdd", PROPOSED_AT.date(), PROPOSED_AT.date() + timedelta(days=150), 35)
    record_hire(application.id, on_the_day, "", personas["company"])
    assert status_of(db, application.id) == S.HIRED


def test_the_company_forms_show_the_date_errors_on_their_fields(db, client, login_as, make_application):
    application = make_application(S.SENT, created_at=PROPOSED_AT)
    login_as("company")
    page = f"/entreprise/candidatures/{application.id}"
    response = client.post(f"{page}/entretien", data={"interview_on": "2031-01-01", "comment": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="interview-interview_on-erreurs"' in html and "plus d&#39;un an à l&#39;avance" in html
    response = client.post(f"{page}/embauche", data={"contract_type": "cdd", "start_date": "2025-12-01",
                                                     "planned_end_date": "2026-06-30", "weekly_hours": "35"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="hired-start_date-erreurs"' in html and "avant la proposition du candidat" in html
    assert status_of(db, application.id) == S.SENT
