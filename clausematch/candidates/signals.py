"""What the candidates feature tells the others, as blinker signals (the features that react
connect their handlers at application start: clausematch.register_events).

candidate_merged: two records of the same person were merged. Sent by candidates.merge inside
its unit of work, before its single commit, with the kept record as sender and keyword
arguments `actor` (the facilitator) and `dropped` (the record merged into the kept one).
Handlers move what their feature holds for the dropped record to the kept one, within the same
session and without committing; each may return a dict of details that merge.py adds to the
"candidate.merged" audit event.
"""
from blinker import Namespace

signals = Namespace()

candidate_merged = signals.signal("candidate-merged")
