"""The matching engine: ranked, explained shortlists of candidates for offers and back.

    from clausematch.matching.engine import CandidateProfile, Match, MatchingEngine, OfferProfile

Pure computation: numpy, scipy, scikit-learn and rapidfuzz, plus the French text normalisation of
clausematch.text; nothing else of the application (no Flask, no database). The app feeds it
profiles (see clausematch.matching.feed and services). Importing this package loads nothing; the
ROME referential loads at the first MatchingEngine().
"""
from clausematch.matching.engine.matcher import MatchingEngine
from clausematch.matching.engine.profiles import CandidateProfile, Match, OfferProfile

__all__ = ["CandidateProfile", "Match", "MatchingEngine", "OfferProfile"]
