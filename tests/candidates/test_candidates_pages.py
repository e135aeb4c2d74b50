"""Prescriber pages: "Mes candidats", create (consent, duplicates), edit, the candidate page."""
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import ApplicationFactory, LotInTerritoryFactory, OfferInTerritoryFactory

from clausematch.accounts.models import TerritoryCommune
from clausematch.applications.models import ApplicationStatus
from clausematch.candidates.models import Candidate, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today
from clausematch.vocabulary import Criterion


def form_data(**values) -> dict:
    data = {"first_name": "Hélène", "last_name": "Martin", "birth_date": "1990-05-17", "gender": "f",
            "email": "helene.martin@exemple.fr", "phone": "06 12 34 56 78", "commune": "Saint-Denis (93200)",
            "commune_insee": "", "education_level": "cap_bep",
            "desired_job_1": "Maçon / Maçonne (F1703 Maçonnerie)", "desired_job_code_1": "16250",
            "mobility_km": "25", "available": "y", "criterion_rsa": "y", "evidence_rsa": "Attestation CAF",
            "evidence_date_rsa": "2025-03-01", "consent_given_on": today().isoformat(),
            "consent_purposes": STANDARD_PURPOSES, "consent_given": "y"}
    data.update(values)
    return {key: value for key, value in data.items() if value is not None}


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- Create ------------------------------------------------------------------------------------

def test_create_form_asks_for_consent_and_every_criterion(client, login_as):
    login_as("prescriber")
    html = client.get("/candidats/nouveau").get_data(as_text=True)
    assert "Consentement de la personne" in html
    assert 'name="consent_given"' in html and "clauses sociales d&#39;insertion" in html
    assert html.count('class="critere"') == len(Criterion)
    assert 'data-autocomplete="communes"' in html and 'data-autocomplete="appellations"' in html
    assert re.search(r'<label for="first_name"[^>]*>Prénom', html)


def test_create_without_consent_saves_nothing(db, client, login_as):
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(consent_given=None))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Le consentement de la personne est obligatoire" in html
    assert 'aria-describedby="consent_given-erreurs"' in html
    assert (count(db, Candidate), count(db, Consent)) == (0, 0)


def test_the_first_submit_lists_the_missing_consent_with_the_other_errors(db, client, login_as):
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(consent_given=None, first_name="", birth_date=""))
    assert response.status_code == 422
    summary = response.get_data(as_text=True).split("data-resume-erreurs>")[1].split("</div>")[0]
    assert "Le formulaire contient 3 erreurs" in summary
    for target in ("first_name", "birth_date", "consent_given"):
        assert f'<a href="#{target}">' in summary
    assert "Le consentement de la personne est obligatoire" in summary
    assert count(db, Candidate) == 0


def test_create_then_see_the_candidate(db, client, login_as, territory):
    # Typed without the autocomplete, "Saint-Denis" is the one of the territory, not La Réunion's.
    db.session.add(TerritoryCommune(territory_id=territory.id, commune_insee="93066"))
    db.session.commit()
    user = login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(commune="Saint-Denis"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    candidate = db.session.scalar(sa.select(Candidate))
    assert candidate.prescriber_id == user.organisation.id and candidate.commune_insee == "93066"
    assert "Hélène Martin" in html and "06 12 34 56 78" in html and "Maçon / Maçonne" in html
    assert "Bénéficiaire du RSA" in html and "À valider" in html
    assert "La fiche du candidat a été enregistrée" in html


def test_a_field_refused_by_the_service_is_shown_on_the_field(db, client, login_as):
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(evidence_rsa=""))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="evidence_rsa-erreurs"' in html and "Indiquez le justificatif vu" in html
    assert count(db, Candidate) == 0


def test_another_organisation_is_not_shown(db, client, login_as, other_prescriber, record):
    record(other_prescriber.organisation, first_name="Hélène", last_name="Martinez", birth_date=date(1990, 5, 17),
           phone="0788776655", email="h.martinez@exemple.fr")
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data(), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Cette personne semble déjà suivie par une autre structure du territoire. Le facilitateur a été informé." \
        in html
    assert count(db, Candidate) == 2
    for secret in ("Martinez", "07 88 77 66 55", "0788776655", "h.martinez", "Mission locale"):
        assert secret not in html


def test_own_organisation_duplicate_asks_to_confirm(db, client, login_as, personas, record):
    existing = record(personas["prescriber"].organisation, first_name="Helene", last_name="Martin",
                      birth_date=date(1990, 5, 17))
    login_as("prescriber")
    response = client.post("/candidats/nouveau", data=form_data())
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'href="/candidats/{existing.id}"' in html and 'name="confirm_duplicate"' in html
    assert count(db, Candidate) == 1
    response = client.post("/candidats/nouveau", data=form_data(confirm_duplicate="y"))
    assert response.status_code == 302
    assert count(db, Candidate) == 2


# --- Edit --------------------------------------------------------------------------------------

def test_edit_form_is_filled_and_saves(db, client, login_as):
    login_as("prescriber")
    client.post("/candidats/nouveau", data=form_data(commune="Saint-Denis (93200)"))
    candidate = db.session.scalar(sa.select(Candidate))
    html = client.get(f"/candidats/{candidate.id}/modifier").get_data(as_text=True)
    assert 'value="Maçon / Maçonne (F1703 Maçonnerie)"' in html and 'value="16250"' in html
    assert 'value="Saint-Denis (93' in html and 'name="consent_given"' not in html
    assert re.search(r'id="criterion_rsa"[^>]*checked|checked[^>]*id="criterion_rsa"', html)
    data = form_data(last_name="Martin-Durand", consent_given=None, criterion_qpv="y", evidence_qpv="Quittance")
    response = client.post(f"/candidats/{candidate.id}/modifier", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    candidate = db.session.get(Candidate, candidate.id)
    assert candidate.last_name == "Martin-Durand"
    assert {row.criterion.value for row in candidate.criteria} == {"rsa", "qpv"}


# --- Lists -------------------------------------------------------------------------------------

def test_my_candidates_lists_only_my_organisation(db, client, login_as, personas, other_prescriber, record):
    mine = personas["prescriber"].organisation
    helene = record(mine, first_name="Hélène", last_name="Martin")
    karim = record(mine, first_name="Karim", last_name="Haddad")
    merged = record(mine, first_name="Hélène", last_name="Martine")
    merged.merged_into_id = helene.id
    record(other_prescriber.organisation, first_name="Sophie", last_name="Durand")
    offer = OfferInTerritoryFactory(lot=LotInTerritoryFactory(contract__buyer__territory=mine.territory))
    ApplicationFactory(candidate=karim, offer=offer, status=ApplicationStatus.INTERVIEW)
    karim.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, status=EligibilityStatus.VALIDATED,
                                               validated_at=datetime(2024, 1, 1), valid_until=date(2024, 7, 1)))
    db.session.commit()
    login_as("prescriber")
    html = client.get("/candidats").get_data(as_text=True)
    assert "MARTIN Hélène" in html and "HADDAD Karim" in html
    assert "MARTINE" not in html and "DURAND" not in html
    assert "Entretien" in html and "Éligibilité expirée" in html and "À renouveler" in html
    html = client.get("/candidats?q=helene").get_data(as_text=True)
    assert "MARTIN Hélène" in html and "HADDAD" not in html
    html = client.get("/candidats?eligibilite=expired").get_data(as_text=True)
    assert "HADDAD Karim" in html and "MARTIN Hélène" not in html


def _add_candidates(db, organisation, record, n):
    offer = OfferInTerritoryFactory(lot=LotInTerritoryFactory(contract__buyer__territory=organisation.territory))
    for _ in range(n):
        candidate = record(organisation)
        ApplicationFactory(candidate=candidate, offer=offer, status=ApplicationStatus.SENT)
        candidate.criteria.append(EligibilityCriterion(criterion=Criterion.DELD, evidence="vu"))
    db.session.commit()


def _statements(db, count_queries, client, path):
    db.session.expire_all()
    with count_queries() as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/candidats", "/candidats?eligibilite=to_validate&q=prenom"])
def test_my_candidates_query_count_does_not_grow(db, count_queries, client, login_as, personas, record, path):
    login_as("prescriber")
    _add_candidates(db, personas["prescriber"].organisation, record, 3)
    few = _statements(db, count_queries, client, path)
    _add_candidates(db, personas["prescriber"].organisation, record, 27)
    many = _statements(db, count_queries, client, path)
    assert many == few
    assert few <= 8


# --- Candidate page ----------------------------------------------------------------------------

def test_candidate_page_shows_applications_and_consent(db, client, login_as, personas, record):
    user = personas["prescriber"]
    candidate = record(user.organisation, first_name="Hélène", last_name="Martin")
    candidate.consents.append(Consent(given_on=date(2025, 2, 3), purposes="Accompagnement vers l'emploi",
                                      recorded_by_id=user.id))
    offer = OfferInTerritoryFactory(lot=LotInTerritoryFactory(contract__buyer__territory=user.organisation.territory),
                                    title="Coffreur bancheur")
    ApplicationFactory(candidate=candidate, offer=offer, status=ApplicationStatus.SENT)
    db.session.commit()
    login_as("prescriber")
    html = client.get(f"/candidats/{candidate.id}").get_data(as_text=True)
    assert "Coffreur bancheur" in html and "Envoyée à l&#39;entreprise" in html
    assert "03/02/2025" in html and "Accompagnement vers l&#39;emploi" in html and user.full_name in html
    assert f"/candidats/{candidate.id}/modifier" in html


def test_merged_record_points_to_the_kept_one(db, client, login_as, personas, record):
    mine = personas["prescriber"].organisation
    kept = record(mine)
    old = record(mine)
    old.merged_into_id = kept.id
    db.session.commit()
    login_as("prescriber")
    html = client.get(f"/candidats/{old.id}").get_data(as_text=True)
    assert "Cette fiche a été fusionnée" in html and f'href="/candidats/{kept.id}"' in html
    assert f"/candidats/{old.id}/modifier" not in html
    assert client.get(f"/candidats/{old.id}/modifier").status_code == 403
