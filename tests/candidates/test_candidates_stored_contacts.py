"""A candidate's phone or e-mail stored before the forms checked them, and that today's rule
refuses (migration 0016 keeps such values as they were): the edit form shows the value in its
field with the error asking to correct it; the page itself is not an error (200)."""
import sqlalchemy as sa
from candidate_inputs import make_consent, make_input
from test_candidates_pages import form_data

from clausematch.candidates.models import Candidate
from clausematch.candidates.services import create_candidate
from tests.contracts.test_contracts_forms import error_of


def candidate_storing(db, prescriber, phone, email) -> Candidate:
    candidate = create_candidate(prescriber, make_input(), make_consent()).candidate
    db.session.execute(sa.update(Candidate).where(Candidate.id == candidate.id).values(phone=phone, email=email))
    db.session.commit()
    return candidate


def test_the_edit_form_shows_an_invalid_stored_phone_and_email_with_their_errors(db, client, login_as, prescriber):
    candidate = candidate_storing(db, prescriber, "06 12 34", "helene@exemple")
    login_as(prescriber)

    response = client.get(f"/candidats/{candidate.id}/modifier")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="06 12 34"' in html and 'value="helene@exemple"' in html
    assert error_of(response, "phone").startswith("Erreur : La valeur enregistrée doit être corrigée. "
                                                  "Numéro de téléphone invalide")
    assert "La valeur enregistrée doit être corrigée. Adresse électronique invalide" in error_of(response, "email")


def test_a_valid_stored_phone_in_another_format_is_not_flagged(db, client, login_as, prescriber):
    candidate = candidate_storing(db, prescriber, "06.12.34.56.78", "Helene.Martin@Exemple.fr")
    login_as(prescriber)

    response = client.get(f"/candidats/{candidate.id}/modifier")

    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'value="06.12.34.56.78"' in html
    assert 'id="phone-erreurs"' not in html and "doit être corrigée" not in html


def test_saving_the_form_as_loaded_keeps_the_invalid_value_and_says_so(db, client, login_as, prescriber):
    candidate = candidate_storing(db, prescriber, "06 12 34", None)
    login_as(prescriber)

    response = client.post(f"/candidats/{candidate.id}/modifier",
                           data=form_data(phone="06 12 34", first_name="Léna", consent_given=None,
                                          version=str(candidate.version)))

    assert response.status_code == 422
    assert "Numéro de téléphone invalide" in error_of(response, "phone")
    db.session.expire_all()
    saved = db.session.get(Candidate, candidate.id)
    assert (saved.phone, saved.first_name) == ("06 12 34", "Hélène")
