"""An offer's life: which status may follow which, and who may make each move. Read by the
permissions (may this user make the move?) and by the workflow (make it, log it, tell people)."""
from clausematch.accounts.models import Role
from clausematch.offers.models import OfferStatus

# The nightly expiry job acts as the system (no user).
SYSTEM = "system"
COMPANY, FACILITATOR = Role.COMPANY, Role.FACILITATOR
BOTH = frozenset({COMPANY, FACILITATOR})

# current status → {target status → capacities allowed to make the move}
TRANSITIONS: dict[OfferStatus, dict[OfferStatus, frozenset]] = {
    OfferStatus.DRAFT: {OfferStatus.SUBMITTED: BOTH, OfferStatus.CLOSED: BOTH},
    OfferStatus.SUBMITTED: {OfferStatus.PUBLISHED: frozenset({FACILITATOR}),
                            OfferStatus.DRAFT: frozenset({FACILITATOR})},
    OfferStatus.PUBLISHED: {OfferStatus.FILLED: BOTH, OfferStatus.CLOSED: BOTH | {SYSTEM}},
    OfferStatus.FILLED: {},
    # Closed → filled is no one's choice: an application still in progress ended in the hire that
    # reached the offer's positions (applications.filling), so the bilans count it as filled.
    OfferStatus.CLOSED: {OfferStatus.DRAFT: frozenset({FACILITATOR}), OfferStatus.FILLED: frozenset({SYSTEM})},
}


def allowed_capacities(current: OfferStatus, target: OfferStatus) -> frozenset:
    """Who may move an offer from `current` to `target` (empty when the move does not exist)."""
    return TRANSITIONS.get(current, {}).get(target, frozenset())


def is_system_only(current: OfferStatus, target: OfferStatus) -> bool:
    """The move exists but only the system makes it (people are told it does not exist)."""
    return allowed_capacities(current, target) == frozenset({SYSTEM})


def next_statuses(current: OfferStatus) -> list[OfferStatus]:
    return list(TRANSITIONS.get(current, {}))
