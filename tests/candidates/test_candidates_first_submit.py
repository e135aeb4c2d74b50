"""The candidate forms (and the facilitator's criterion refusal and merge) list every error at the
first submit: WTForms' and the service's together, each on its field, the possible duplicates too;
nothing is saved."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from error_summary import error_count, field_errors, summary_of

from clausematch.candidates import validation
from clausematch.candidates.models import Candidate, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.database import add_months, today
from clausematch.errors import FieldErrors
from clausematch.formats import PHONE_MESSAGE
from clausematch.vocabulary import Criterion
from tests.candidates.test_candidates_pages import form_data


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_new_candidate_lists_form_and_service_errors_at_the_first_submit(db, client, login_as):
    login_as("prescriber")
    ten_years_old = add_months(today(), -12 * 10).isoformat()
    response = client.post("/candidats/nouveau", data=form_data(
        first_name="", phone="abc", commune="Zzzzville", birth_date=ten_years_old))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    summary = summary_of(html)
    assert error_count(html) == 4
    for target in ("first_name", "phone", "commune", "birth_date"):
        assert f'<a href="#{target}">' in summary
    assert "Ce champ est obligatoire." in field_errors(html, "first_name")
    assert "Indiquez le prénom" not in html  # the service's own "required" is not said twice
    assert "entre 16 et 70 ans" in field_errors(html, "birth_date") and "entre 16 et 70 ans" in summary
    assert "Commune introuvable" in field_errors(html, "commune") and "Commune introuvable" in summary
    assert PHONE_MESSAGE in field_errors(html, "phone").replace("&#39;", "'")
    assert (count(db, Candidate), count(db, Consent)) == (0, 0)


def test_missing_consent_and_a_bad_job_and_evidence_are_listed_together(db, client, login_as):
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(
        consent_given=None, desired_job_1="Zzqxw", desired_job_code_1="", evidence_rsa="", email="pas-une-adresse"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 4
    for target in ("consent_given", "desired_job_1", "evidence_rsa", "email"):
        assert field_errors(html, target), target
    assert count(db, Candidate) == 0


def test_an_own_duplicate_is_reported_with_the_other_errors(db, client, login_as, personas, record):
    existing = record(personas["prescriber"].organisation, first_name="Helene", last_name="Martin",
                      birth_date=date(1990, 5, 17))
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(phone="abc", mobility_km=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 3
    assert "semble déjà suivie par votre structure" in field_errors(html, "confirm_duplicate")
    assert field_errors(html, "phone") and field_errors(html, "mobility_km")
    assert f'href="/candidats/{existing.id}"' in html  # the duplicates table, as before
    assert count(db, Candidate) == 1


def test_no_duplicate_search_while_the_identity_is_invalid(db, client, login_as, personas, record):
    record(personas["prescriber"].organisation, first_name="Helene", last_name="Martin", birth_date=date(1990, 5, 17))
    login_as("prescriber")
    html = client.post("/candidats/nouveau", data=form_data(birth_date="")).get_data(as_text=True)
    assert field_errors(html, "birth_date") and not field_errors(html, "confirm_duplicate")


def test_the_edit_form_lists_form_and_service_errors_at_the_first_submit(db, client, login_as, personas, record):
    candidate = record(personas["prescriber"].organisation, first_name="Awa", last_name="Diallo",
                       birth_date=date(1990, 5, 17))
    login_as("prescriber")
    response = client.post(f"/candidats/{candidate.id}/modifier", data=form_data(
        last_name="", mobility_km="500", commune="Zzzzville", email="pas-une-adresse",
        version=str(candidate.version)))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 4
    for target in ("last_name", "mobility_km", "commune", "email"):
        assert f'<a href="#{target}">' in summary_of(html), target
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).last_name == "Diallo"


def test_the_refusal_form_lists_a_long_reason_and_a_criterion_already_refused(db, client, login_as, personas,
                                                                              record):
    candidate = record(personas["prescriber"].organisation)
    row = EligibilityCriterion(criterion=Criterion.QPV, evidence="Attestation", declared_at=datetime(2025, 1, 1),
                               status=EligibilityStatus.REFUSED, refusal_reason="Adresse hors QPV")
    candidate.criteria.append(row)
    db.session.commit()
    login_as("facilitator")
    response = client.post(f"/candidats/{candidate.id}/criteres/{row.id}/refuser", data={"reason": "x" * 301})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_count(html) == 2  # refused meanwhile (a page not reloaded): its form is no longer shown
    assert f'<a href="#motif-{row.id}">Motif du refus' in summary_of(html)
    assert "doit d&#39;abord le déclarer à nouveau" in summary_of(html)
    db.session.expire_all()
    assert db.session.get(EligibilityCriterion, row.id).refusal_reason == "Adresse hors QPV"


def test_the_refusal_check_gathers_every_refusal(db, personas, record):
    candidate = record(personas["prescriber"].organisation)
    row = EligibilityCriterion(criterion=Criterion.QPV, evidence="Attestation", declared_at=datetime(2025, 1, 1),
                               status=EligibilityStatus.REFUSED, refusal_reason="Adresse hors QPV")
    candidate.criteria.append(row)
    db.session.commit()
    with pytest.raises(FieldErrors) as refused:
        validation.check_refusal(personas["facilitator"], row.id, " ")
    assert [error.field for error in refused.value.errors] == ["reason", None]


def test_a_merge_justification_too_long_is_a_field_error_not_a_bad_request(db, client, login_as, personas,
                                                                           other_prescriber, record):
    keep = record(personas["prescriber"].organisation, first_name="Awa", last_name="Diallo")
    drop = record(other_prescriber.organisation, first_name="Binta", last_name="Traoré")
    login_as("facilitator")
    response = client.post("/candidats/fusion", data={"keep_id": keep.id, "drop_id": drop.id,
                                                      "justification": "x" * 1001})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "justification")
    response = client.post("/candidats/fusion", data={"keep_id": keep.id, "drop_id": drop.id})
    assert response.status_code == 422
    assert "expliquez pourquoi" in field_errors(response.get_data(as_text=True), "justification")
    db.session.expire_all()
    assert db.session.get(Candidate, drop.id).merged_into_id is None
