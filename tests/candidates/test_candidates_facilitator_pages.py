"""Facilitator pages: eligibility queue and decisions, suspected duplicates, merge, dismiss."""
from datetime import date, datetime

import pytest
import sqlalchemy as sa
import time_machine
from factories import PrescriberFactory

from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.vocabulary import Criterion

BORN = date(1988, 2, 29)


def declare(db, candidate, code, declared_at):
    row = EligibilityCriterion(criterion=code, evidence="Attestation", declared_at=declared_at)
    candidate.criteria.append(row)
    db.session.commit()
    return row


def test_queue_lists_declared_criteria_of_the_territory_oldest_first(db, client, login_as, personas, record):
    mine = personas["prescriber"].organisation
    newer = record(mine, first_name="Karim", last_name="Haddad")
    older = record(mine, first_name="Hélène", last_name="Martin")
    declare(db, newer, Criterion.RSA, datetime(2025, 3, 1))
    declare(db, older, Criterion.QPV, datetime(2025, 1, 1))
    validated = declare(db, older, Criterion.DELD, datetime(2024, 1, 1))
    validated.status, validated.validated_at, validated.valid_until = (EligibilityStatus.VALIDATED,
                                                                       datetime(2024, 2, 1), date(2030, 1, 1))
    elsewhere = record(PrescriberFactory(), first_name="Sophie", last_name="Durand")
    declare(db, elsewhere, Criterion.AAH, datetime(2024, 1, 1))
    login_as("facilitator")
    html = client.get("/eligibilites").get_data(as_text=True)
    assert "2 critères à valider" in html
    assert html.index("MARTIN Hélène") < html.index("HADDAD Karim")
    table = html.split("<tbody>")[1]  # the criterion filter lists every label: look at the rows
    assert "DURAND" not in html and "Demandeur d&#39;emploi de longue durée" not in table


def test_facilitator_validates_and_refuses_on_the_candidate_page(db, client, login_as, personas, record):
    candidate = record(personas["prescriber"].organisation)
    rsa = declare(db, candidate, Criterion.RSA, datetime(2025, 1, 1))
    qpv = declare(db, candidate, Criterion.QPV, datetime(2025, 1, 1))
    # Frozen time for the whole visit: the login session would not survive a jump in time.
    with time_machine.travel(datetime(2025, 4, 10, 9, 0), tick=False):
        login_as("facilitator")
        html = client.get(f"/candidats/{candidate.id}").get_data(as_text=True)
        assert f"/candidats/{candidate.id}/criteres/{rsa.id}/valider" in html
        assert f"/candidats/{candidate.id}/modifier" not in html  # facilitators do not edit the person's file
        response = client.post(f"/candidats/{candidate.id}/criteres/{rsa.id}/valider", follow_redirects=True)
        assert "validé jusqu&#39;au 10/10/2025" in response.get_data(as_text=True)
    login_as("facilitator")

    response = client.post(f"/candidats/{candidate.id}/criteres/{qpv.id}/refuser", data={"reason": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="motif-{qpv.id}-erreurs"' in html and 'aria-invalid="true"' in html
    summary = html.split('data-resume-erreurs>')[1].split("</div>")[0]  # at the top, linked to the field
    assert html.index("data-resume-erreurs") < html.index('id="eligibilite"')
    assert "Le formulaire contient une erreur" in summary and f'<a href="#motif-{qpv.id}">Motif du refus' in summary
    assert "<title>Erreur : " in html
    response = client.post(f"/candidats/{candidate.id}/criteres/{qpv.id}/refuser",
                           data={"reason": "Adresse hors QPV"}, follow_redirects=True)
    assert "Refusé le" in response.get_data(as_text=True) and "Adresse hors QPV" in response.get_data(as_text=True)
    db.session.expire_all()
    statuses = {row.criterion.value: row.status for row in db.session.get(Candidate, candidate.id).criteria}
    assert statuses == {"rsa": EligibilityStatus.VALIDATED, "qpv": EligibilityStatus.REFUSED}


def test_a_criterion_of_another_candidate_is_not_found(db, client, login_as, personas, record):
    first, second = record(personas["prescriber"].organisation), record(personas["prescriber"].organisation)
    row = declare(db, second, Criterion.RSA, datetime(2025, 1, 1))
    login_as("facilitator")
    assert client.post(f"/candidats/{first.id}/criteres/{row.id}/valider").status_code == 404
    assert row.status == EligibilityStatus.DECLARED


def test_duplicates_page_then_merge(db, client, login_as, personas, other_prescriber, record):
    keep = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    drop = record(other_prescriber.organisation, first_name="Martin", last_name="Helene", birth_date=BORN)
    login_as("facilitator")
    html = client.get("/candidats/doublons").get_data(as_text=True)
    assert "1 doublon possible" in html and "Même date de naissance et noms proches" in html
    assert "Mission locale" in html  # the facilitator sees both organisations
    link = f"/candidats/fusion?keep_id={keep.id}&amp;drop_id={drop.id}"
    assert link in html

    html = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "Fiche conservée" in html and "ne peut pas être annulée" in html
    response = client.post("/candidats/fusion", data={"keep_id": keep.id, "drop_id": drop.id})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/candidats/{keep.id}")
    db.session.expire_all()
    assert db.session.get(Candidate, drop.id).merged_into_id == keep.id
    assert "Aucun doublon possible" in client.get("/candidats/doublons").get_data(as_text=True)


def test_merge_across_territories_is_forbidden(db, client, login_as, personas, record):
    mine = record(personas["prescriber"].organisation, birth_date=BORN)
    theirs = record(PrescriberFactory(), birth_date=BORN)
    login_as("facilitator")
    assert client.get(f"/candidats/fusion?keep_id={mine.id}&drop_id={theirs.id}").status_code == 403
    assert client.post("/candidats/fusion", data={"keep_id": mine.id, "drop_id": theirs.id}).status_code == 403
    assert client.get(f"/candidats/fusion?keep_id={mine.id}&drop_id=999999").status_code == 404
    db.session.expire_all()
    assert db.session.get(Candidate, theirs.id).merged_into_id is None


def test_dismiss_a_pair(db, client, login_as, personas, record):
    a = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    b = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martine", birth_date=BORN)
    login_as("facilitator")
    response = client.post("/candidats/doublons/ignorer", data={"keep_id": a.id, "drop_id": b.id},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "deux personnes différentes" in html and "Aucun doublon possible" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)
                             .where(Candidate.merged_into_id.is_not(None))) == 0


def _add_pairs(db, personas, other_prescriber, record, n):
    for _ in range(n):
        first = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
        record(other_prescriber.organisation, first_name="Helene", last_name="Martin", birth_date=BORN)
        declare(db, first, Criterion.RSA, datetime(2025, 1, 1))


@pytest.mark.parametrize("path", ["/eligibilites", "/candidats/doublons"])
def test_facilitator_lists_query_count_does_not_grow(db, count_queries, client, login_as, personas, other_prescriber,
                                                     record, path):
    login_as("facilitator")
    _add_pairs(db, personas, other_prescriber, record, 2)  # 4 records: 6 pairs, 2 criteria
    db.session.expire_all()
    with count_queries() as few:
        assert client.get(path).status_code == 200
    _add_pairs(db, personas, other_prescriber, record, 8)  # 20 records: 190 pairs, 10 criteria
    db.session.expire_all()
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert len(many) == len(few) <= 10
