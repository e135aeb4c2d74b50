"""Merges: only suspected pairs, or with a written justification kept in the audit; after a merge a
prescriber sees only the eligibility criteria their own organisation declared."""
import re
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from factories import ApplicationFactory, LotInTerritoryFactory, OfferInTerritoryFactory

from clausematch.applications.models import ApplicationStatus
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
