"""What the offers feature tells the others, as blinker signals (the features that react connect
their handlers at application start: clausematch.register_events).

offer_filled: an offer became filled ("Pourvue"), by hand or because its hires reached its
positions. Sent by offers.workflow.change_status inside the unit of work that makes the move,
before its commit, with the offer (locked by the caller) as sender and the keyword argument
`actor` (the user who made the move, None for the system). Handlers act within the same session
and without committing: the applications feature closes the offer's open applications
("poste pourvu") and tells their prescribers.
"""
from blinker import Namespace

signals = Namespace()

offer_filled = signals.signal("offer-filled")
