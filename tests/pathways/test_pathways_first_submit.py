"""The forms of an employment contract's story (extension, conversion to CDI, exit, 6-month
follow-up, hours correction) list every error at the first submit: WTForms' and the service's
together, each on its field, nothing saved. Dates stay plausible for the story (a start at most a
year ahead, a term at most five years), and a date typed before they were bounded never makes a
page fail."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from error_summary import error_count, field_errors
from factories import ExitFactory, FollowUpFactory, HoursEntryFactory

from clausematch.candidates.eligibility import valid_until_for
from clausematch.database import add_months
from clausematch.errors import FieldErrors
from clausematch.pathways import services
from clausematch.pathways.exits import ExitData, record_exit
from clausematch.pathways.follow_ups import due_on
from clausematch.pathways.hiring import HireData, checked_terms
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursStatus
from clausematch.vocabulary import ContractType, ExitDetail


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to("2026-04-10 10:00", tick=False)


def contracts(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(EmploymentContract))


def exits(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Exit))


# --- Dates bounded by the story ------------------------------------------------------------------

def test_the_fuzz_case_a_conversion_starting_on_31_december_9999_is_refused_on_its_field(db, client, login_as,
                                                                                         personas, cdd):
    login_as("facilitator")
    response = client.post(f"/contrats-de-travail/{cdd.id}/convertir-en-cdi", data={"start_date": "9999-12-31"})
    assert response.status_code == 422
    errors = field_errors(response.get_data(as_text=True), "start_date")
    assert "plus d&#39;un an après aujourd&#39;hui" in errors and "10/04/2027" in errors
    assert contracts(db) == 1 and exits(db) == 0
    with pytest.raises(FieldErrors) as refused:
        services.convert_to_cdi(cdd.id, services.ConversionData(date(9999, 12, 31)), personas["facilitator"])
    assert [error.field for error in refused.value.errors] == ["start_date"]


def test_a_start_a_year_ahead_passes_a_day_more_does_not():
    terms = checked_terms(HireData("cdi", date(2027, 4, 10), None, 35))
    assert terms["start_date"] == date(2027, 4, 10)
    with pytest.raises(FieldErrors) as refused:
        checked_terms(HireData("cdi", date(2027, 4, 11), None, 35))
    assert [error.field for error in refused.value.errors] == ["start_date"]


def test_a_planned_end_more_than_five_years_after_the_start_is_refused():
    checked_terms(HireData("cdd", date(2026, 5, 1), date(2031, 5, 1), 35))
    with pytest.raises(FieldErrors) as refused:
        checked_terms(HireData("cdd", date(2026, 5, 1), date(2031, 5, 2), 35))
    assert [error.field for error in refused.value.errors] == ["planned_end_date"]
    assert "5 ans après le début" in refused.value.errors[0].message


def test_an_extension_of_more_than_five_years_is_refused(db, client, login_as, cdd):
    login_as("facilitator")
    response = client.post(f"/contrats-de-travail/{cdd.id}/prolonger", data={"planned_end_date": "9999-12-30"})
    assert response.status_code == 422
    assert "5 ans après le début" in field_errors(response.get_data(as_text=True), "planned_end_date")
    assert contracts(db) == 1


def test_an_exit_on_30_december_9999_already_stored_does_not_break_the_pathway_page(db, client, login_as, person,
                                                                                    make_contract):
    contract = make_contract(contract_type=ContractType.CDI, start_date=date(2025, 3, 1), planned_end_date=None,
                             end_date=date(9999, 12, 30))
    ExitFactory(contract=contract, exit_date=date(9999, 12, 30), detail=ExitDetail.CDI)
    db.session.commit()
    login_as("facilitator")
    response = client.get(f"/parcours/{person.id}")
    assert response.status_code == 200
    assert "30/12/9999" in response.get_data(as_text=True)
    assert client.get(f"/contrats-de-travail/{contract.id}").status_code == 200


def test_adding_months_never_leaves_the_calendar():
    assert due_on(date(9999, 12, 30)) == date.max
    assert valid_until_for(date(9999, 8, 1), 6) == date.max
    assert add_months(date(1, 3, 1), -6) == date.min
    assert due_on(date(2025, 8, 31)) == date(2026, 2, 28)


def test_an_extension_from_a_planned_end_on_the_last_day_of_the_calendar_is_refused_not_a_500(
        db, client, login_as, make_contract):
    contract = make_contract(start_date=date(2025, 3, 1), planned_end_date=date.max)
    login_as("facilitator")
    response = client.post(f"/contrats-de-travail/{contract.id}/prolonger", data={"planned_end_date": "2026-12-31"})
    assert response.status_code == 422
    assert "Indiquez la date de début" in field_errors(response.get_data(as_text=True), "start_date")


# --- Every error at the first submit ---------------------------------------------------------------

def test_the_extension_form_lists_unreadable_hours_and_an_end_before_the_current_one(db, client, login_as, cdd):
    login_as("facilitator")
    response = client.post(f"/contrats-de-travail/{cdd.id}/prolonger", data={
        "planned_end_date": "2025-12-15", "start_date": "2025-12-01", "weekly_hours": "beaucoup"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert "Saisissez un nombre d&#39;heures" in field_errors(html, "weekly_hours")
    assert "postérieure à celle du contrat actuel" in field_errors(html, "planned_end_date")
    assert contracts(db) == 1


def test_the_conversion_form_lists_unreadable_hours_and_a_start_before_the_current_one(db, client, login_as,
                                                                                       cdd):
    login_as("company")
    response = client.post(f"/contrats-de-travail/{cdd.id}/convertir-en-cdi", data={
        "start_date": "2025-02-01", "weekly_hours": "beaucoup"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert field_errors(html, "weekly_hours")
    assert "commencer après le début du contrat actuel" in field_errors(html, "start_date")
    assert contracts(db) == 1 and exits(db) == 0


def test_the_exit_form_lists_a_missing_situation_a_date_before_the_start_and_a_long_comment(db, client, login_as,
                                                                                           cdd):
    login_as("facilitator")
    response = client.post(f"/contrats-de-travail/{cdd.id}/sortie", data={
        "exit_date": "2025-01-15", "detail": "", "comment": "x" * 1001})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    assert "Ce champ est obligatoire." in field_errors(html, "detail")
    assert "Choisissez la situation" not in html
    assert "précéder le début du contrat" in field_errors(html, "exit_date")
    assert field_errors(html, "comment")
    assert exits(db) == 0


def test_the_exit_service_gathers_every_refusal(db, personas, cdd):
    with pytest.raises(FieldErrors) as refused:
        record_exit(cdd.id, ExitData(date(2030, 1, 1), "nope", "x" * 1001), personas["facilitator"])
    assert [error.field for error in refused.value.errors] == ["detail", "exit_date", "comment"]


def test_the_follow_up_form_lists_a_missing_answer_and_a_date_before_the_exit(db, client, login_as, cdd):
    exit_ = ExitFactory(contract=cdd, exit_date=date(2025, 9, 1), detail=ExitDetail.LONG_CDD)
    item = FollowUpFactory(exit=exit_, due_on=date(2026, 3, 1))
    db.session.commit()
    login_as("facilitator")
    response = client.post(f"/suivis/{item.id}", data={"done_on": "2025-08-01", "in_work": "", "situation": "cdi"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert "Ce champ est obligatoire." in field_errors(html, "in_work")
    assert "précéder la sortie" in field_errors(html, "done_on")
    db.session.expire_all()
    assert db.session.get(FollowUp, item.id).done_on is None


def test_the_correction_form_lists_a_missing_comment_and_unreadable_hours(db, client, login_as, cdd):
    entry = HoursEntryFactory(contract=cdd, month=date(2025, 3, 1), hours=Decimal("100"),
                              status=HoursStatus.DECLARED)
    db.session.commit()
    login_as("facilitator")
    response = client.post(f"/heures/saisies/{entry.id}/corriger", data={"heures": "cent", "commentaire": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert field_errors(html, "heures") and field_errors(html, "commentaire")
    db.session.expire_all()
    assert (db.session.get(HoursEntry, entry.id).hours, db.session.get(HoursEntry, entry.id).status) == (
        Decimal("100"), HoursStatus.DECLARED)
