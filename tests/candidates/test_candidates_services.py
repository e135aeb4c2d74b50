"""Creating and editing candidates: consent first, checked values, jobs and criteria, audit."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from candidate_inputs import make_consent, make_input
from factories import UserFactory

from clausematch.accounts.models import Role
from clausematch.audit import AuditEvent
from clausematch.candidates.checks import CriterionInput, DesiredJobInput
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.candidates.services import create_candidate, update_candidate
from clausematch.database import today
from clausematch.errors import DomainError, NotAllowed


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("consent", [None, make_consent(given=False)])
def test_without_consent_nothing_is_saved(db, prescriber, consent):
    with pytest.raises(DomainError) as refused:
        create_candidate(prescriber, make_input(), consent)
    assert refused.value.field == "consent_given"
    db.session.rollback()
    assert [count(db, m) for m in (Candidate, Consent, EligibilityCriterion, CandidateDesiredJob)] == [0, 0, 0, 0]


def test_consent_dated_in_the_future_is_refused(db, prescriber):
    with pytest.raises(DomainError) as refused:
        create_candidate(prescriber, make_input(), make_consent(given_on=today() + timedelta(days=1)))
    assert refused.value.field == "consent_given_on"
    assert count(db, Candidate) == 0


def test_create_records_everything_and_the_consent(db, prescriber):
    created = create_candidate(prescriber, make_input(first_name="Jean-Éric", last_name="N'Diaye"), make_consent())
    db.session.expire_all()
    candidate = db.session.get(Candidate, created.candidate.id)
    assert candidate.prescriber_id == prescriber.organisation.id
    assert candidate.territory_id == prescriber.organisation.territory_id
    assert candidate.name_key == "diaye eric jean n"
    assert candidate.phone == "0612345678"
    assert candidate.email == "helene.martin@exemple.fr"
    assert candidate.commune_insee == "93066"
    assert [job.appellation_code for job in candidate.desired_jobs] == [16250]
    [criterion] = candidate.criteria
    assert (criterion.criterion.value, criterion.status, criterion.declared_by_id) == \
        ("rsa", EligibilityStatus.DECLARED, prescriber.id)
    [consent] = candidate.consents
    assert (consent.recorded_by_id, consent.given_on) == (prescriber.id, today())
    assert "clauses sociales" in consent.purposes
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.created"))
    assert event.entity_id == candidate.id and event.actor_id == prescriber.id
    assert "Martin" not in str(event.details) and "0612345678" not in str(event.details)
    assert created.flagged_elsewhere is False


def test_jobs_typed_without_the_autocomplete_are_resolved(db, prescriber):
    data = make_input(desired_jobs=[DesiredJobInput("macon"), DesiredJobInput(""),
                                    DesiredJobInput("Maçon / Maçonne (F1703 Maçonnerie)", "16250")])
    candidate = create_candidate(prescriber, data, make_consent()).candidate
    assert [job.appellation_code for job in candidate.desired_jobs] == [16250]


def test_an_unknown_job_is_refused_on_its_field(db, prescriber):
    data = make_input(desired_jobs=[DesiredJobInput("Maçon"), DesiredJobInput("zzzzqqqq")])
    with pytest.raises(DomainError) as refused:
        create_candidate(prescriber, data, make_consent())
    assert refused.value.field == "desired_job_2"


@pytest.mark.parametrize(("values", "field"), [
    ({"first_name": "  "}, "first_name"),
    ({"birth_date": None}, "birth_date"),
    ({"birth_date": date.today() - timedelta(days=365 * 10)}, "birth_date"),
    ({"gender": "z"}, "gender"),
    ({"email": "pas-une-adresse"}, "email"),
    ({"phone": "12 34"}, "phone"),
    ({"commune_text": "Zzzzyyyxx", "commune_insee": None}, "commune"),
    ({"mobility_km": 500}, "mobility_km"),
    ({"criteria": [CriterionInput("rsa", "")]}, "evidence_rsa"),
    ({"criteria": [CriterionInput("rsa", "CAF", date.today() + timedelta(days=3))]}, "evidence_date_rsa"),
    ({"criteria": [CriterionInput("nope", "x")]}, "criteria"),
])
def test_invalid_values_are_refused_on_their_field(db, prescriber, values, field):
    with pytest.raises(DomainError) as refused:
        create_candidate(prescriber, make_input(**values), make_consent())
    assert refused.value.field == field
    assert count(db, Candidate) == 0


def test_phone_numbers_are_stored_in_one_form(db, prescriber):
    candidate = create_candidate(prescriber, make_input(phone="+33 (0)6 12-34-56-78"), make_consent()).candidate
    assert candidate.phone == "0612345678"


def test_the_referent_must_belong_to_the_organisation(db, prescriber, other_prescriber):
    with pytest.raises(DomainError) as refused:
        create_candidate(prescriber, make_input(referent_id=other_prescriber.id), make_consent())
    assert refused.value.field == "referent_id"
    colleague = UserFactory(role=Role.PRESCRIBER, organisation=prescriber.organisation)
    candidate = create_candidate(prescriber, make_input(referent_id=colleague.id), make_consent()).candidate
    assert candidate.referent_id == colleague.id


@pytest.mark.parametrize("role", ["facilitator", "company", "buyer", "admin"])
def test_only_prescribers_create(db, personas, role):
    with pytest.raises(NotAllowed):
        create_candidate(personas[role], make_input(), make_consent())


def test_edit_changes_fields_jobs_and_criteria(db, prescriber):
    candidate = create_candidate(prescriber, make_input(), make_consent()).candidate
    data = make_input(last_name="Martin-Durand", phone="0700000000",
                      desired_jobs=[DesiredJobInput("agent d'entretien de locaux")],
                      criteria=[CriterionInput("rsa", "Attestation CAF à jour", None),
                                CriterionInput("qpv", "Justificatif de domicile", date(2025, 1, 2))])
    update_candidate(prescriber, candidate.id, data)
    db.session.expire_all()
    candidate = db.session.get(Candidate, candidate.id)
    assert candidate.name_key == "durand helene martin"
    assert candidate.phone == "0700000000"
    assert [job.appellation.label for job in candidate.desired_jobs] != ["Maçon / Maçonne"]
    assert {(c.criterion.value, c.evidence) for c in candidate.criteria} == {
        ("rsa", "Attestation CAF à jour"), ("qpv", "Justificatif de domicile")}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.updated"))
    assert {"last_name", "name_key", "phone", "desired_jobs"} <= set(event.details["fields"])
    assert event.details["criteria"] == {"rsa": "evidence_updated", "qpv": "declared"}


def test_edit_keeps_facilitator_decisions(db, prescriber, facilitator):
    from clausematch.candidates.validation import refuse_criterion, validate_criterion

    data = make_input(criteria=[CriterionInput("rsa", "CAF"), CriterionInput("qpv", "Domicile"),
                                CriterionInput("deld", "Avis France Travail")])
    candidate = create_candidate(prescriber, data, make_consent()).candidate
    rows = {row.criterion.value: row.id for row in candidate.criteria}
    validate_criterion(facilitator, rows["rsa"])
    refuse_criterion(facilitator, rows["qpv"], "Adresse hors QPV")
    # Unticked: rsa (validated, kept), qpv (refused, kept), deld (declared, withdrawn).
    update_candidate(prescriber, candidate.id, make_input(criteria=[]))
    db.session.expire_all()
    statuses = {row.criterion.value: row.status for row in db.session.get(Candidate, candidate.id).criteria}
    assert statuses == {"rsa": EligibilityStatus.VALIDATED, "qpv": EligibilityStatus.REFUSED}
    # New evidence for the refused one declares it again; the valid one cannot be changed here.
    update_candidate(prescriber, candidate.id, make_input(criteria=[
        CriterionInput("qpv", "Nouveau justificatif"), CriterionInput("rsa", "Autre texte")]))
    db.session.expire_all()
    rows = {row.criterion.value: row for row in db.session.get(Candidate, candidate.id).criteria}
    assert rows["qpv"].status == EligibilityStatus.DECLARED and rows["qpv"].refusal_reason is None
    assert rows["rsa"].status == EligibilityStatus.VALIDATED and rows["rsa"].evidence == "CAF"


def test_only_the_owning_organisation_edits(db, prescriber, other_prescriber, facilitator):
    candidate = create_candidate(prescriber, make_input(), make_consent()).candidate
    for user in (other_prescriber, facilitator):
        with pytest.raises(NotAllowed):
            update_candidate(user, candidate.id, make_input(first_name="Autre"))
    db.session.expire_all()
    assert db.session.get(Candidate, candidate.id).first_name == "Hélène"
