"""A candidate's record changes nothing silently (issue 12): a commune typed but not picked, a
wrong phone or e-mail, an implausible birth date are field errors with the stored values kept;
desired jobs keep their order; residence in a QPV is one fact, the "qpv" criterion."""
import re
from datetime import date

import pytest
import sqlalchemy as sa
from candidate_inputs import make_consent, make_input
from factories import CompanyFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory
from test_candidates_pages import form_data

from clausematch.applications import services as applications
from clausematch.candidates.checks import DesiredJobInput
from clausematch.candidates.models import Candidate, CandidateDesiredJob
from clausematch.candidates.services import create_candidate, update_candidate
from clausematch.database import add_months, today
from clausematch.errors import DomainError
from clausematch.matching import feed
from clausematch.offers.models import OfferStatus

MASON = DesiredJobInput("Maçon / Maçonne (F1703 Maçonnerie)", "16250")
FORMWORKER = DesiredJobInput("Coffreur / Coffreuse (F1701 Construction en béton)", "12679")
AUBERVILLIERS, SAINT_DENIS = "93001", "93066"


def reloaded(db, candidate_id: int) -> Candidate:
    db.session.expire_all()
    return db.session.get(Candidate, candidate_id)


def count(db) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Candidate))


def created(prescriber, **values) -> Candidate:
    return create_candidate(prescriber, make_input(**values), make_consent()).candidate


# --- Communes ------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["Zzzzville", "Aubervilier", "aubervil", "95000"])
def test_a_commune_not_named_without_doubt_is_refused_on_create(db, prescriber, typed):
    with pytest.raises(DomainError) as refused:
        created(prescriber, commune_text=typed, commune_insee=None)
    assert refused.value.field == "commune"
    assert count(db) == 0


def test_a_commune_typed_but_not_picked_keeps_the_stored_one_on_edit(db, prescriber):
    candidate = created(prescriber)
    with pytest.raises(DomainError) as refused:
        update_candidate(prescriber, candidate.id, make_input(commune_text="Zzzzville", commune_insee=SAINT_DENIS,
                                                              last_name="Autre"))
    assert "Commune introuvable : « Zzzzville »" in refused.value.message
    db.session.rollback()
    saved = reloaded(db, candidate.id)
    assert (saved.commune_insee, saved.last_name) == (SAINT_DENIS, "Martin")


@pytest.mark.parametrize(("typed", "insee"), [("Aubervilliers", AUBERVILLIERS), ("93300", AUBERVILLIERS),
                                              ("Aubervilliers (93300)", AUBERVILLIERS), ("93001", AUBERVILLIERS)])
def test_a_commune_named_without_doubt_is_saved(db, prescriber, typed, insee):
    candidate = created(prescriber, commune_text=typed, commune_insee=None)
    assert reloaded(db, candidate.id).commune_insee == insee


def test_the_form_shows_the_closest_communes_and_saves_nothing(db, client, login_as, prescriber):
    candidate = created(prescriber)
    login_as(prescriber)
    response = client.post(f"/candidats/{candidate.id}/modifier",
                           data=form_data(commune="Aubervilier", consent_given=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "mise à jour" not in html
    errors = re.search(r'<div id="commune-erreurs"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "Aubervilliers (93300)" in errors and "ne désigne pas une commune précise" in errors
    assert 'value="Aubervilier"' in html  # what was typed stays in the field
    assert reloaded(db, candidate.id).commune_insee == SAINT_DENIS


# --- Phones and e-mails --------------------------------------------------------------------

@pytest.mark.parametrize(("values", "field"), [
    ({"phone": "abc"}, "phone"), ({"phone": "06 12 34 56"}, "phone"), ({"phone": "06 12 34 56 78 9"}, "phone"),
    ({"email": "pas-une-adresse"}, "email"), ({"email": "helene@exemple"}, "email"),
])
def test_an_invalid_phone_or_email_on_edit_is_refused_and_the_stored_one_kept(db, prescriber, values, field):
    candidate = created(prescriber)
    with pytest.raises(DomainError) as refused:
        update_candidate(prescriber, candidate.id, make_input(**values))
    assert refused.value.field == field
    db.session.rollback()
    saved = reloaded(db, candidate.id)
    assert (saved.phone, saved.email) == ("0612345678", "helene.martin@exemple.fr")


@pytest.mark.parametrize(("typed", "stored"), [("06.12.34.56.78", "0612345678"), ("+33 6 12 34 56 78", "0612345678"),
                                               ("+33 (0)6 12 34 56 78", "0612345678"),
                                               ("+32 470 12 34 56", "+32470123456")])
def test_phones_are_stored_normalised(db, prescriber, typed, stored):
    assert reloaded(db, created(prescriber, phone=typed).id).phone == stored


def test_the_edit_form_refuses_phone_abc_and_keeps_the_phone(db, client, login_as, prescriber):
    """Issue 12: "fiche mise à jour" was shown and the previous phone erased."""
    candidate = created(prescriber)
    login_as(prescriber)
    response = client.post(f"/candidats/{candidate.id}/modifier", data=form_data(phone="abc", consent_given=None))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "mise à jour" not in html
    assert 'id="phone-erreurs"' in html and "Numéro de téléphone invalide" in html
    assert reloaded(db, candidate.id).phone == "0612345678"


# --- Birth date ----------------------------------------------------------------------------

@pytest.mark.parametrize(("years", "accepted"), [(15, False), (16, True), (70, True), (71, False)])
def test_the_birth_date_gives_an_age_between_16_and_70(db, prescriber, years, accepted):
    # Born `years` years ago today, or one day later for the upper bound (then still 70).
    birth = add_months(today(), -12 * years)
    if years == 70:
        birth = date.fromordinal(birth.toordinal() + 1)
    if years == 71:
        birth = date.fromordinal(add_months(today(), -12 * 71).toordinal() + 1)
    if accepted:
        assert created(prescriber, birth_date=birth).birth_date == birth
        return
    with pytest.raises(DomainError) as refused:
        created(prescriber, birth_date=birth)
    assert refused.value.field == "birth_date"
    assert "entre 16 et 70 ans" in refused.value.message
    assert count(db) == 0


# --- Desired jobs keep their order ---------------------------------------------------------

def test_desired_jobs_come_back_in_the_order_written(db, client, login_as, prescriber):
    candidate = created(prescriber, desired_jobs=[MASON, FORMWORKER])
    assert [job.appellation_code for job in reloaded(db, candidate.id).desired_jobs] == [16250, 12679]

    # Written the other way round: the order is the change.
    update_candidate(prescriber, candidate.id, make_input(desired_jobs=[FORMWORKER, MASON]))
    saved = reloaded(db, candidate.id)
    assert [(job.appellation_code, job.position) for job in saved.desired_jobs] == [(12679, 1), (16250, 2)]

    login_as(prescriber)
    edit = client.get(f"/candidats/{candidate.id}/modifier").get_data(as_text=True)
    assert re.search(r'id="desired_job_1"[^>]*value="Coffreur / Coffreuse', edit)
    assert re.search(r'id="desired_job_2"[^>]*value="Maçon / Maçonne', edit)
    detail = client.get(f"/candidats/{candidate.id}").get_data(as_text=True)
    assert detail.index("Coffreur / Coffreuse") < detail.index("Maçon / Maçonne")
    [profile] = feed.candidate_profiles(Candidate.id == candidate.id)
    assert profile.job_titles[:2] == ["Coffreur / Coffreuse", "Maçon / Maçonne"]


def test_an_unchanged_order_is_not_a_change_and_rows_are_kept(db, prescriber):
    candidate = created(prescriber, desired_jobs=[MASON, FORMWORKER])
    ids = [job.id for job in candidate.desired_jobs]
    update_candidate(prescriber, candidate.id, make_input(desired_jobs=[MASON, FORMWORKER]))
    assert db.session.scalars(sa.select(CandidateDesiredJob.id).order_by(CandidateDesiredJob.position)).all() == ids


# --- Residence in a QPV is the "qpv" criterion ---------------------------------------------

def test_the_form_has_no_separate_qpv_box_only_the_criterion(client, login_as, prescriber):
    login_as(prescriber)
    html = client.get("/candidats/nouveau").get_data(as_text=True)
    assert 'name="qpv_resident"' not in html
    assert 'name="criterion_qpv"' in html


def test_a_person_declared_qpv_resident_can_be_proposed_to_a_qpv_offer(db, client, login_as, prescriber,
                                                                       territory):
    """Issue 12: the box and the criterion were two facts; an offer requiring QPV refused a
    person declared QPV resident."""
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory), company=CompanyFactory(
        territory=territory))
    offer = OfferInTerritoryFactory(lot=lot, status=OfferStatus.PUBLISHED, qpv_required=True,
                                    eligible_criteria=["qpv"])
    db.session.commit()
    login_as(prescriber)
    client.post("/candidats/nouveau", data=form_data(criterion_qpv="y", evidence_qpv="Quittance de loyer"))
    resident = db.session.scalar(sa.select(Candidate))
    assert {row.criterion.value for row in resident.criteria} == {"rsa", "qpv"}
    assert applications.propose(resident.id, offer.id, "", prescriber).id

    other = created(prescriber, first_name="Karim", last_name="Benali", email="", phone="",
                    birth_date=date(1985, 2, 3))  # RSA only: not a QPV resident
    with pytest.raises(DomainError, match="Résident d'un quartier prioritaire"):
        applications.propose(other.id, offer.id, "", prescriber)
