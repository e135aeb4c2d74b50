"""The company's interview and hire forms, and the proposal form, list every error at the first
submit: WTForms' (a required or too long field) and the service's (dates against the
application's story, an offer that is not open) together, each on its field; nothing saved."""
from datetime import datetime

import pytest
import sqlalchemy as sa
from applications_support import S
from error_summary import error_count, field_errors
from factories import OfferInTerritoryFactory

from clausematch.applications.models import Application
from clausematch.applications.workflow import COMMENT_MAX_LENGTH
from clausematch.errors import FieldErrors
from clausematch.offers.models import OfferStatus
from clausematch.pathways.hiring import HireData, checked_hire
from clausematch.pathways.models import EmploymentContract

PROPOSED_AT = datetime(2026, 1, 5, 9)


def status_of(db, application_id):
    db.session.expire_all()
    return db.session.get(Application, application_id).status


def test_the_interview_form_lists_a_long_comment_and_a_date_before_the_proposal(db, client, login_as,
                                                                                 make_application):
    application = make_application(S.SENT, created_at=PROPOSED_AT)
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{application.id}/entretien", data={
        "interview_on": "2025-12-01", "comment": "x" * (COMMENT_MAX_LENGTH + 1)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert "avant la proposition du candidat" in field_errors(html, "interview-interview_on")
    assert field_errors(html, "interview-comment")
    assert status_of(db, application.id) == S.SENT


def test_the_hire_form_lists_a_missing_type_a_start_before_the_proposal_and_the_hours(db, client, login_as,
                                                                                      make_application):
    application = make_application(S.INTERVIEW, created_at=PROPOSED_AT)
    login_as("company")
    response = client.post(f"/entreprise/candidatures/{application.id}/embauche", data={
        "contract_type": "", "start_date": "2025-12-01", "planned_end_date": "2026-06-30", "weekly_hours": "60"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    assert "Ce champ est obligatoire." in field_errors(html, "hired-contract_type")
    assert "Choisissez le type de contrat" not in html
    assert "avant la proposition du candidat" in field_errors(html, "hired-start_date")
    assert "entre 0 et 48 heures" in field_errors(html, "hired-weekly_hours")
    assert status_of(db, application.id) == S.INTERVIEW
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmploymentContract)) == 0


def test_the_hire_checks_gather_every_refusal(db, make_application):
    application = make_application(S.INTERVIEW, created_at=PROPOSED_AT)
    with pytest.raises(FieldErrors) as refused:
        checked_hire(application, HireData("cdi", datetime(2025, 12, 1).date(), datetime(2026, 6, 30).date(), 0))
    assert [error.field for error in refused.value.errors] == ["planned_end_date", "weekly_hours", "start_date"]


def test_the_proposal_form_lists_a_long_message_and_an_offer_that_is_not_open(db, client, login_as, candidate,
                                                                              lot):
    closed = OfferInTerritoryFactory(lot=lot, title="Poste clos", status=OfferStatus.CLOSED)
    db.session.commit()
    login_as("prescriber")
    response = client.post(f"/candidats/{candidate.id}/proposer", data={
        "offer_id": str(closed.id), "message": "x" * 2001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert "n&#39;est pas ouverte aux candidatures" in field_errors(html, "offer_id")
    assert field_errors(html, "message")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0
