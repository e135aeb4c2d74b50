"""Merges: only suspected pairs, or with a written justification kept in the audit; after a merge a
prescriber sees only the eligibility criteria their own organisation declared."""
import html
import re
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from factories import ApplicationFactory, LotInTerritoryFactory, OfferInTerritoryFactory

from clausematch.applications.models import Application, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.database import today
from clausematch.vocabulary import Criterion

BORN = date(1990, 5, 17)
RQTH = "Travailleur handicapé"


def _rqth(candidate, organisation_id=None):
    candidate.criteria.append(EligibilityCriterion(
        criterion=Criterion.RQTH, status=EligibilityStatus.VALIDATED, evidence="Notification MDPH",
        validated_at=datetime(2025, 1, 1), valid_until=today() + timedelta(days=90),
        declared_by_organisation_id=organisation_id))


def test_merge_does_not_show_another_organisation_criteria(db, client, login_as, personas, other_prescriber,
                                                           record):
    mine = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    theirs = record(other_prescriber.organisation, first_name="Helene", last_name="Martin", birth_date=BORN)
    _rqth(theirs)
    lot = LotInTerritoryFactory(contract__buyer__territory=personas["prescriber"].organisation.territory)
    application = ApplicationFactory(candidate=mine, offer=OfferInTerritoryFactory(lot=lot),
                                     status=ApplicationStatus.SUBMITTED)
    db.session.commit()
    login_as("facilitator")
    merged = client.post("/candidats/fusion", data={"keep_id": mine.id, "drop_id": theirs.id})
    assert merged.status_code == 302
    db.session.expire_all()
    assert {row.criterion for row in db.session.get(Candidate, mine.id).criteria} == {Criterion.RQTH}
    assert RQTH in client.get(f"/candidats/{mine.id}").get_data(as_text=True)  # facilitators see all

    login_as("prescriber")
    for url in (f"/orientations/{application.id}", f"/candidats/{mine.id}"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert RQTH not in page.get_data(as_text=True), url
    form = client.get(f"/candidats/{mine.id}/modifier").get_data(as_text=True)
    assert not re.search(r'id="criterion_rqth"[^>]*checked|checked[^>]*id="criterion_rqth"', form)
    assert "Notification MDPH" not in form


def test_unsuspected_pair_needs_a_justification_kept_in_the_audit(db, client, login_as, personas,
                                                                  other_prescriber, record):
    keep = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    drop = record(other_prescriber.organisation, first_name="Karim", last_name="Benali", birth_date=date(1985, 1, 2))
    login_as("facilitator")
    page = client.get(f"/candidats/fusion?keep_id={keep.id}&drop_id={drop.id}").get_data(as_text=True)
    assert "ne sont pas signalées comme doublon" in page and 'name="justification"' in page
    refused = client.post("/candidats/fusion", data={"keep_id": keep.id, "drop_id": drop.id})
    assert refused.status_code == 422
    assert "expliquez pourquoi" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Candidate, drop.id).merged_into_id is None
    done = client.post("/candidats/fusion", data={"keep_id": keep.id, "drop_id": drop.id,
                                                  "justification": "Même personne : nom d'usage et de naissance."})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Candidate, drop.id).merged_into_id == keep.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "candidate.merged"))
    assert event.details["reason"] == "justified"
    assert event.details["justification"] == "Même personne : nom d'usage et de naissance."


VALID = "Éligibilité valide"


@pytest.mark.parametrize(("valid_for_days", "revealing"), [
    (90, ["Éligibilité valide", "Validé le"]),
    (-1, ["Éligibilité expirée", "a expiré", "Expiré"]),  # blocks orientations: must not leak either
])
def test_merged_record_shows_a_prescriber_no_state_derived_from_another_organisation(
        db, client, login_as, personas, other_prescriber, record, valid_for_days, revealing):
    """The original attack: an unsuspected pair merged with a justification; org B's RQTH must
    show neither as a row nor through the overall state on org A's pages."""
    mine = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    theirs = record(other_prescriber.organisation, first_name="Karim", last_name="Benali", birth_date=date(1985, 1, 2))
    _rqth(theirs, other_prescriber.organisation.id)
    theirs.criteria[0].valid_until = today() + timedelta(days=valid_for_days)
    lot = LotInTerritoryFactory(contract__buyer__territory=personas["prescriber"].organisation.territory)
    application = ApplicationFactory(candidate=mine, offer=OfferInTerritoryFactory(lot=lot),
                                     status=ApplicationStatus.SUBMITTED)
    db.session.commit()
    login_as("facilitator")
    assert client.post("/candidats/fusion", data={"keep_id": mine.id, "drop_id": theirs.id,
                                                  "justification": "Même personne, deux états civils."}
                       ).status_code == 302
    facilitator_page = html.unescape(client.get(f"/candidats/{mine.id}").get_data(as_text=True))
    assert RQTH in facilitator_page and revealing[0] in facilitator_page  # facilitators see the whole record

    login_as("prescriber")
    pages = {url: html.unescape(client.get(url).get_data(as_text=True)) for url in (
        f"/orientations/{application.id}", f"/candidats/{mine.id}", f"/candidats/{mine.id}/offres-suggerees")}
    for url, text in pages.items():
        assert "Hélène" in text, url
        assert RQTH not in text and not any(word in text for word in revealing), url
    for url in (f"/orientations/{application.id}", f"/candidats/{mine.id}"):
        assert "Aucun critère d'éligibilité" in pages[url], url
    listing = client.get("/candidats").get_data(as_text=True)  # its filter lists every state's label: the badge
    assert "MARTIN" in listing and "eligibilite--none" in listing
    assert "eligibilite--valid" not in listing and "eligibilite--expired" not in listing
    for state in ("valid", "expired"):
        assert "MARTIN" not in client.get(f"/candidats?eligibilite={state}").get_data(as_text=True)
    assert "MARTIN" in client.get("/candidats?eligibilite=none").get_data(as_text=True)


def test_same_criterion_on_both_records_keeps_the_kept_record_organisation_row(
        db, client, login_as, personas, other_prescriber, record):
    """Both declared RQTH; org B's was validated. Org A's own declaration stays (still to
    validate): A's prescriber neither loses it nor sees it turned into B's validated row."""
    mine = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    theirs = record(other_prescriber.organisation, first_name="Helene", last_name="Martin", birth_date=BORN)
    mine.criteria.append(EligibilityCriterion(criterion=Criterion.RQTH, status=EligibilityStatus.DECLARED,
                                              evidence="Récépissé MDPH",
                                              declared_by_organisation_id=personas["prescriber"].organisation.id))
    _rqth(theirs, other_prescriber.organisation.id)
    db.session.commit()
    login_as("facilitator")
    assert client.post("/candidats/fusion", data={"keep_id": mine.id, "drop_id": theirs.id}).status_code == 302
    db.session.expire_all()
    [row] = db.session.get(Candidate, mine.id).criteria
    assert (row.status, row.evidence, row.declared_by_organisation_id) == (
        EligibilityStatus.DECLARED, "Récépissé MDPH", personas["prescriber"].organisation.id)

    login_as("prescriber")
    page = html.unescape(client.get(f"/candidats/{mine.id}").get_data(as_text=True))
    assert RQTH in page and "Récépissé MDPH" in page and "À valider" in page
    assert "Notification MDPH" not in page and "Validé le" not in page and VALID not in page
    assert "Éligibilité à valider" in page


@pytest.mark.parametrize(("valid_for_days", "expected_publics", "outcome"), [
    # B's valid RQTH must not let A's prescriber propose to an RQTH offer: refused as without it.
    (90, ["rqth"], "ne relève d'aucun des publics attendus"),
    # B's expired RQTH must not block A's proposal with "a expiré": proposed as without it.
    (-1, [], None),
])
def test_a_proposal_is_judged_on_the_proposer_organisation_criteria_only(
        db, client, login_as, personas, other_prescriber, record, valid_for_days, expected_publics, outcome):
    """Trying to propose must not reveal a criterion the prescriber cannot see on the merged record."""
    mine = record(personas["prescriber"].organisation, first_name="Hélène", last_name="Martin", birth_date=BORN)
    theirs = record(other_prescriber.organisation, first_name="Karim", last_name="Benali", birth_date=date(1985, 1, 2))
    _rqth(theirs, other_prescriber.organisation.id)
    theirs.criteria[0].valid_until = today() + timedelta(days=valid_for_days)
    lot = LotInTerritoryFactory(contract__buyer__territory=personas["prescriber"].organisation.territory)
    offer = OfferInTerritoryFactory(lot=lot, eligible_criteria=expected_publics, qpv_required=False)
    db.session.commit()
    login_as("facilitator")
    assert client.post("/candidats/fusion", data={"keep_id": mine.id, "drop_id": theirs.id,
                                                  "justification": "Même personne, deux états civils."}
                       ).status_code == 302

    login_as("prescriber")
    response = client.post(f"/orienter/offres/{offer.id}", data={"candidate_id": mine.id})
    text = html.unescape(response.get_data(as_text=True))
    count = db.session.scalar(sa.select(sa.func.count(Application.id)).where(Application.offer_id == offer.id))
    if outcome is None:
        assert response.status_code == 302 and count == 1
        assert "a expiré" not in text
    else:
        assert response.status_code == 422 and outcome in text and count == 0
