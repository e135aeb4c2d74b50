"""Helpers of the matching tests on the application side (imported by name: tests/matching is on
sys.path): a facilitator's territory with an offer, candidates with desired jobs and criteria."""
from datetime import timedelta

from factories import CandidateInTerritoryFactory, ContractInTerritoryFactory, LotFactory, OfferInTerritoryFactory

from clausematch.candidates.models import CandidateDesiredJob, EligibilityCriterion, EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.matching import services
from clausematch.vocabulary import Criterion

MASON = 16250  # "Maçon / Maçonne", F1703 Maçonnerie
CLEANER = 10571  # "Agent / Agente de propreté de locaux", K2204 Nettoyage de locaux
SAINT_DENIS, AUBERVILLIERS, LILLE = "93066", "93001", "59350"


def add_criterion(candidate, code: str, status=EligibilityStatus.VALIDATED, valid_until=None):
    """A criterion: validated (until `valid_until`, default in 3 months), declared or refused."""
    validated = status == EligibilityStatus.VALIDATED
    candidate.criteria.append(EligibilityCriterion(
        criterion=Criterion(code), status=status, evidence="Attestation vue",
        validated_at=utcnow() if validated or status == EligibilityStatus.REFUSED else None,
        valid_until=(valid_until or today() + timedelta(days=90)) if validated else None,
        refusal_reason="Justificatif absent" if status == EligibilityStatus.REFUSED else None))


def candidate(prescriber, appellations=(MASON,), criteria=("rsa",), **values):
    """A candidate of `prescriber` with desired jobs (appellation codes) and valid criteria."""
    person = CandidateInTerritoryFactory(prescriber=prescriber, **values)
    for code in appellations:
        person.desired_jobs.append(CandidateDesiredJob(appellation_code=code))
    for code in criteria:
        add_criterion(person, code)
    return person


def offer_of(company, territory, **values):
    """A published offer (maçon at Saint-Denis by default) of `company`, on a lot of `territory`."""
    from clausematch.offers.services import offer_search_text

    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory), company=company)
    values.setdefault("search_text", offer_search_text(values.get("title", "Maçon / Maçonne"), "Maçon / Maçonne"))
    return OfferInTerritoryFactory(lot=lot, **values)


def ranked_ids(offer, user, filters=None, k=20) -> list[int]:
    return [s.id for s in services.candidates_for_offer(offer, user, filters, k)]
