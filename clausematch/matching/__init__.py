"""The matching engine: ranked, explained shortlists of candidates for offers and back.

    from clausematch.matching import CandidateProfile, OfferProfile, Match, MatchingEngine

Pure computation (no Flask, no database): the web app feeds it profiles (see services).
Importing this package loads nothing; the referential loads at the first MatchingEngine().
"""
from clausematch.matching.engine import MatchingEngine
from clausematch.matching.profiles import CandidateProfile, Match, OfferProfile

__all__ = ["CandidateProfile", "Match", "MatchingEngine", "OfferProfile"]
