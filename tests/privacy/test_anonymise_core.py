"""The core of anonymisation (privacy/erasure.py): the candidate row and its criteria lose what
identifies the person, keep what the statistics need, and the audit says why, not what."""
from datetime import date

import pytest
import sqlalchemy as sa
from factories import CandidateInTerritoryFactory, PrescriberFactory

from clausematch.audit import AuditEvent
from clausematch.candidates.models import CandidateNameWord, EligibilityCriterion, EligibilityStatus
from clausematch.privacy.erasure import Reason, anonymise
from clausematch.versioning import EditConflict, claim
from clausematch.vocabulary import Criterion, Gender


def test_the_identity_goes_and_the_statistics_stay(db, territory, personas):
    candidate = CandidateInTerritoryFactory(
        prescriber=PrescriberFactory(territory=territory), first_name="Léa", last_name="Martin",
        email="lea@example.org", phone="0601020304", birth_date=date(1998, 3, 14), skills="Permis CACES R489",
        experience="Deux ans chez Dupont BTP", gender=Gender.FEMALE, commune_insee="93066")
    candidate.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation CAF n° 123",
                                                   status=EligibilityStatus.REFUSED,
                                                   refusal_reason="Attestation au nom de Léa Martin périmée"))
    db.session.commit()

    assert anonymise(candidate.id, personas["facilitator"].id, Reason.ERASURE) is True

    db.session.expire_all()
    assert (candidate.first_name, candidate.last_name) == ("Personne", f"anonymisée n° {candidate.id}")
    assert (candidate.email, candidate.phone, candidate.skills, candidate.experience) == (None, None, "", "")
    assert candidate.birth_date == date(1998, 1, 1)
    assert (candidate.gender, candidate.commune_insee) == (Gender.FEMALE, "93066")
    assert candidate.anonymised_at is not None and candidate.available is False
    [criterion] = candidate.criteria
    assert (criterion.criterion, criterion.status, criterion.evidence) == (Criterion.RSA, EligibilityStatus.REFUSED, "")
    assert "Martin" not in criterion.refusal_reason
    words = set(db.session.scalars(sa.select(CandidateNameWord.word)
                                   .where(CandidateNameWord.candidate_id == candidate.id)))
    assert "martin" not in words and "lea" not in words
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "candidate.anonymised"))
    assert (event.entity_id, event.actor_id, event.details) == (candidate.id, personas["facilitator"].id,
                                                                 {"reason": "erasure"})


def test_a_second_anonymisation_writes_nothing(db, territory, personas):
    candidate = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory))
    db.session.commit()
    assert anonymise(candidate.id, None, Reason.RETENTION) is True
    assert anonymise(candidate.id, None, Reason.RETENTION) is False
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "candidate.anonymised")) == 1


def test_an_edit_form_loaded_before_cannot_write_the_names_back(db, territory, personas):
    """The erasure raises the record's version: a save racing it (its permission checked just
    before) names the old version and is refused instead of restoring the identity."""
    candidate = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=territory), first_name="Léa")
    db.session.commit()
    loaded = candidate.version
    anonymise(candidate.id, None, Reason.ERASURE)
    db.session.expire_all()
    assert candidate.version == loaded + 1
    candidate.first_name = "Léa"
    with pytest.raises(EditConflict):
        claim(candidate, loaded)
    db.session.expire_all()
    assert candidate.first_name == "Personne"
