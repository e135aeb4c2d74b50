"""What the engine knows of a candidate and of an offer, and what it answers.

Plain frozen values built by the caller (the web app reads them from the database); the engine
keeps no reference to them once indexed. Criteria use the eligibility codes of
clausematch.vocabulary.Criterion ("qpv", "rsa"…).
"""
from collections.abc import Hashable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CandidateProfile:
    id: Hashable
    job_titles: list[str]
    rome_codes: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    mobility_km: float = 30.0
    criteria: frozenset[str] = frozenset()
    available: bool = True
    # Certificates and licences held (referential codes, e.g. "caces-r489-3"), with what they
    # imply already added by the caller (permis CE ⇒ C ⇒ B: see clausematch.referential.certificates).
    certificates: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OfferProfile:
    id: Hashable
    title: str
    rome_code: str | None = None
    description: str = ""
    skills: list[str] = field(default_factory=list)
    latitude: float | None = None
    longitude: float | None = None
    eligible_criteria: frozenset[str] = frozenset()
    required_criteria: frozenset[str] = frozenset()
    # Certificates required and wished (codes). A candidate of the offer's trade lacking a
    # required one ranks below every candidate of that trade holding them all ("prefer"), or is
    # left out ("require"); wished ones are a small bonus (scoring.py).
    required_certificates: frozenset[str] = frozenset()
    wished_certificates: frozenset[str] = frozenset()
    certificate_mode: str = "prefer"


@dataclass(frozen=True)
class Match:
    """One ranked item: its id, a score in [0, 1] and short French reasons."""

    id: Hashable
    score: float
    reasons: list[str]
