"""Certificates on records: what a prescriber types for a candidate and a company for an offer is
read into referential codes (labels shown back); an unknown or ambiguous fragment is refused on
its field with the other errors, nothing saved; the codes reach the engine's profiles (with what
they imply, and "Permis B" from the licence box); an anonymised record keeps none."""
from datetime import date

import pytest
import sqlalchemy as sa
from error_summary import field_errors
from factories import ContractInTerritoryFactory, LotFactory
from matching_app_support import candidate, offer_of

from clausematch.candidates import services as candidate_services
from clausematch.candidates.checks import CandidateInput, ConsentInput, DesiredJobInput
from clausematch.candidates.models import Candidate
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today
from clausematch.errors import FieldErrors
from clausematch.matching import feed
from clausematch.offers import services as offer_services
from clausematch.offers.models import Offer
from clausematch.offers.services import OfferData


def person_input(**values) -> CandidateInput:
    defaults = dict(first_name="Hélène", last_name="Martin", birth_date=date(1990, 5, 17), gender="f",
                    education_level="cap_bep", email="helene.martin@exemple.fr", phone="06 12 34 56 78",
                    commune_text="Saint-Denis (93200)", commune_insee="93066",
                    desired_jobs=[DesiredJobInput("Cariste (N1101)", "11679")], mobility_km=20, criteria=[])
    defaults.update(values)
    return CandidateInput(**defaults)


def consent() -> ConsentInput:
    return ConsentInput(given=True, given_on=today(), purposes=STANDARD_PURPOSES)


def test_a_candidate_s_typed_certificates_become_codes_shown_back_as_labels(db, personas):
    created = candidate_services.create_candidate(
        personas["prescriber"], person_input(certificates="caces 3 ; hab elec B1V / SST", driving_licence=True),
        consent())
    person = db.session.get(Candidate, created.candidate.id)
    assert person.certificate_codes == ["caces-r489-3", "hab-b1v", "sst"]
    assert person.certificates == ("CACES R489 cat. 3, Habilitation électrique B1V, "
                                   "SST (sauveteur secouriste du travail)")
    profile = next(feed.candidate_profiles(Candidate.id == person.id))
    # What they imply (B1V ⇒ B1, SST ⇒ PSC1) and the licence box count as held.
    assert profile.certificates == {"caces-r489-3", "hab-b1v", "hab-b1", "sst", "psc1", "permis-b"}


def test_unknown_or_ambiguous_certificates_are_refused_with_the_other_errors_and_nothing_is_saved(db, personas):
    with pytest.raises(FieldErrors) as refused:
        candidate_services.create_candidate(
            personas["prescriber"], person_input(first_name="", certificates="caces a, brevet de pilote, SST"),
            consent())
    by_field = {}
    for error in refused.value.errors:
        by_field.setdefault(error.field, []).append(error.message)
    assert "first_name" in by_field
    assert by_field["certificates"] == [
        "« caces a » peut désigner plusieurs certificats : précisez CACES R482 cat. A ou CACES R486 cat. A.",
        "« brevet de pilote » n'est pas un certificat connu (exemples : CACES R489 cat. 3, habilitation B1V, "
        "permis C, SSIAP 1, SS4 amiante, SST)."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 0


@pytest.fixture
def lot(db, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation)
    db.session.commit()
    return lot


def offer_data(lot, **values) -> OfferData:
    defaults = dict(lot_id=lot.id, title="Cariste (H/F)", appellation_text="Cariste", appellation_code="11679",
                    contract_type="cdd", weekly_hours=35, commune_text="Saint-Denis (93200)", commune_insee="93066")
    defaults.update(values)
    return OfferData(**defaults)


def test_an_offer_s_required_and_wished_certificates_are_stored_as_codes(db, personas, lot):
    offer = offer_services.create_offer(offer_data(lot, certificates_required="R489-3, ss4",
                                                   certificates_wished="sst, SS4", driving_licence_required=True),
                                        personas["company"])
    offer = db.session.get(Offer, offer.id)
    assert offer.required_certificates == ["caces-r489-3", "ss4"]
    assert offer.certificates_required == "CACES R489 cat. 3, SS4 amiante"
    assert offer.wished_certificates == ["sst"]  # required already: not wished too
    profile = feed.offer_profile(offer)
    assert profile.required_certificates == {"caces-r489-3", "ss4", "permis-b"}
    assert profile.wished_certificates == {"sst"}


def test_the_offer_form_shows_certificate_errors_at_the_first_submit_and_saves_nothing(db, client, login_as, lot):
    login_as("company")
    response = client.post("/gestion/offres/nouvelle", data={
        "lot_id": str(lot.id), "appellation": "cariste", "appellation_code": "", "title": "",
        "commune": "93200", "commune_insee": "", "sector": "construction", "contract_type": "cdd",
        "weekly_hours": "35", "positions": "1", "description": "", "skills": "", "publication_end": "",
        "start_date": "", "certificates_required": "caces 3, pilote", "certificates_wished": "BE"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_errors(html, "title")
    assert "« pilote » n&#39;est pas un certificat connu" in field_errors(html, "certificates_required")
    assert "précisez Habilitation électrique BE ou Permis BE" in field_errors(html, "certificates_wished")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Offer)) == 0


def test_the_offer_page_shows_required_and_wished_certificates(db, client, login_as, personas, territory):
    offer = offer_of(personas["company"].organisation, territory, certificates_required="CACES R489 cat. 3",
                     required_certificates=["caces-r489-3"], wished_certificates=["sst", "psc1"])
    db.session.commit()
    login_as("company")
    page = " ".join(client.get(f"/gestion/offres/{offer.id}").get_data(as_text=True).split())
    assert "<dt>Certificats requis</dt><dd>CACES R489 cat. 3</dd>" in page
    assert "<dt>Certificats souhaités</dt><dd>SST (sauveteur secouriste du travail), PSC1</dd>" in page


def test_an_anonymised_record_keeps_no_certificate(db, personas):
    from clausematch.privacy import erasure

    person = candidate(personas["prescriber"].organisation, certificate_codes=["sst"], certificates="SST")
    db.session.commit()
    assert erasure.anonymise_in_session(person, None, "test")
    assert person.certificate_codes == [] and person.certificates != "SST"
