"""The publics as the references define them: invalidity pension and other minimum incomes are
criteria like the others, and each criterion's definition and usual evidence are shown where it
is chosen (candidate form, offer and clause forms) and where a facilitator decides on it."""
import html as html_lib

import sqlalchemy as sa
from factories import ContractInTerritoryFactory, LotFactory
from test_candidates_pages import form_data

from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.vocabulary import CRITERION_GUIDE, Criterion


def test_every_criterion_has_its_own_definition_and_evidence():
    assert set(CRITERION_GUIDE) == set(Criterion)
    evidences = [entry.evidence for entry in CRITERION_GUIDE.values()]
    definitions = [entry.definition for entry in CRITERION_GUIDE.values()]
    assert len(set(definitions)) == len(definitions)
    # Not the same CAF example for all: the CAF is named only where it pays the benefit.
    naming_caf = [code for code, entry in CRITERION_GUIDE.items() if "CAF" in entry.evidence]
    assert naming_caf == [Criterion.RSA, Criterion.AAH]
    assert all(text.strip() and not text.endswith(".") for text in evidences)


def test_the_candidate_form_shows_each_definition_and_its_evidence(client, login_as):
    login_as("prescriber")
    page = html_lib.unescape(client.get("/candidats/nouveau").get_data(as_text=True))
    for code, entry in CRITERION_GUIDE.items():
        assert entry.definition in page, code
        assert f"Obligatoire si le critère est déclaré. Habituellement : {entry.evidence}." in page, code


def test_a_prescriber_declares_an_invalidity_pension(db, client, login_as):
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(
        criterion_rsa=None, criterion_invalidity_pension="y", evidence_invalidity_pension="Notification CPAM 2024",
        criterion_other_minimum_income="y", evidence_other_minimum_income="Attestation allocation d'insertion"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    candidate = db.session.scalar(sa.select(Candidate))
    rows = {(row.criterion, row.status, row.evidence) for row in db.session.scalars(
        sa.select(EligibilityCriterion).where(EligibilityCriterion.candidate_id == candidate.id))}
    assert rows == {(Criterion.INVALIDITY_PENSION, EligibilityStatus.DECLARED, "Notification CPAM 2024"),
                    (Criterion.OTHER_MINIMUM_INCOME, EligibilityStatus.DECLARED, "Attestation allocation d'insertion")}
    page = html_lib.unescape(client.get(f"/candidats/{candidate.id}").get_data(as_text=True))
    assert "Titulaire d'une pension d'invalidité" in page and "Bénéficiaire d'un autre minimum social" in page


def test_the_offer_and_clause_forms_explain_the_criteria_they_offer(db, client, login_as, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    db.session.commit()
    login_as("company")
    page = html_lib.unescape(client.get(f"/gestion/offres/nouvelle?lot={lot.id}").get_data(as_text=True))
    assert "Définition de chaque critère et justificatif habituel" in page
    assert CRITERION_GUIDE[Criterion.QPV].definition in page
    assert "Titulaire d'une pension d'invalidité" in page
    login_as("facilitator")
    page = html_lib.unescape(client.get(f"/lots/{lot.id}/clause").get_data(as_text=True))
    assert "Définition de chaque critère et justificatif habituel" in page
    assert CRITERION_GUIDE[Criterion.DEROGATION].evidence in page
