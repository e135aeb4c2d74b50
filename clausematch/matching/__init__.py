"""Matching candidates and offers: the pure engine (matching.engine) and its bridge to the app.

engine/      the pure computation (profiles in, ranked and explained matches out)
feed         profiles read from the database
services     the application's index (built, kept current, rebuilt) and the rankings
events       session events that hand each committed change of a candidate or offer to the index
training     learnt re-weighting models from recorded outcomes
shortlisting, queries, permissions, models   the facilitator's and prescriber's side
"""
