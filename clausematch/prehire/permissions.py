"""Who may see and act on events and pre-hire steps: named predicates, used by the views
(404/403) and again inside the services.

- The facilitators of the event's territory plan, edit and cancel events, invite any person of
  the territory, see every participant and record attendance.
- The prescribers of the territory see its events; on an event they see only the participants
  their own organisation follows, answer for them (registered / declined) and may register one of
  their own people directly.
- Individual steps: the territory's facilitators record any kind; the prescriber organisation that
  follows the person records what it usually arranges (an immersion PMSMP, a pre-hire training
  POEC / POEI / AFPR), never a validation for a training, which the facilitators decide.
- Companies and buyers see no event page, no participant and no step (a company reads what it
  needs about a person only once the person is sent to it, through the applications feature).
"""
from clausematch.accounts.models import Role, User
from clausematch.accounts.permissions import has_role, is_staff_of
from clausematch.candidates.models import Candidate
from clausematch.contracts.permissions import territory_of
from clausematch.prehire.models import Event, EventParticipant, PreHireStep, StepKind

# What a prescriber records for the people their organisation follows.
PRESCRIBER_STEP_KINDS = frozenset({StepKind.PMSMP, StepKind.POEC, StepKind.POEI, StepKind.AFPR})


def is_territory_facilitator(user: User, territory_id: int | None) -> bool:
    return has_role(user, Role.FACILITATOR) and territory_id is not None and territory_of(user) == territory_id


def is_territory_prescriber(user: User, territory_id: int | None) -> bool:
    return has_role(user, Role.PRESCRIBER) and territory_id is not None and territory_of(user) == territory_id


def can_list_events(user: User) -> bool:
    """/evenements: the facilitators and prescribers attached to a territory."""
    return has_role(user, Role.FACILITATOR, Role.PRESCRIBER) and territory_of(user) is not None


def can_manage_events(user: User) -> bool:
    """Creating events: a facilitator attached to a territory."""
    return has_role(user, Role.FACILITATOR) and territory_of(user) is not None


def can_view_event(user: User, event: Event) -> bool:
    return (is_territory_facilitator(user, event.territory_id)
            or is_territory_prescriber(user, event.territory_id))


def can_edit_event(user: User, event: Event) -> bool:
    """Edit, cancel, invite, record attendance: the territory's facilitators."""
    return is_territory_facilitator(user, event.territory_id)


def follows(user: User, candidate: Candidate) -> bool:
    """A member of the prescriber organisation that follows the person."""
    return has_role(user, Role.PRESCRIBER) and is_staff_of(user, candidate.prescriber_id)


def can_see_participant(user: User, participant: EventParticipant) -> bool:
    """The territory's facilitators see every participant; a prescriber, their own people only."""
    return (is_territory_facilitator(user, participant.event.territory_id)
            or (follows(user, participant.candidate)
                and is_territory_prescriber(user, participant.event.territory_id)))


def can_answer_for(user: User, participant: EventParticipant) -> bool:
    """Registered or declined: the prescriber organisation that follows the person."""
    return follows(user, participant.candidate) and is_territory_prescriber(user, participant.event.territory_id)


def can_invite(user: User, event: Event, candidate: Candidate) -> bool:
    """A facilitator invites any person of the event's territory."""
    return is_territory_facilitator(user, event.territory_id) and candidate.territory_id == event.territory_id


def can_register(user: User, event: Event, candidate: Candidate) -> bool:
    """A prescriber registers one of their own people to an event of their territory."""
    return (follows(user, candidate) and is_territory_prescriber(user, event.territory_id)
            and candidate.territory_id == event.territory_id)


def can_bring_to_events(user: User, candidate: Candidate) -> bool:
    """"Inviter à un événement" (facilitators) or "Inscrire à un événement" (the person's prescriber)."""
    return is_territory_facilitator(user, candidate.territory_id) or follows(user, candidate)


def can_view_steps(user: User, candidate: Candidate) -> bool:
    return is_territory_facilitator(user, candidate.territory_id) or follows(user, candidate)


def step_kinds_for(user: User, candidate: Candidate) -> list[StepKind]:
    """The kinds of step `user` may record for `candidate`, in the vocabulary's order."""
    if is_territory_facilitator(user, candidate.territory_id):
        return list(StepKind)
    if follows(user, candidate):
        return [kind for kind in StepKind if kind in PRESCRIBER_STEP_KINDS]
    return []


def can_record_step(user: User, candidate: Candidate, kind: StepKind | None = None) -> bool:
    kinds = step_kinds_for(user, candidate)
    return bool(kinds) if kind is None else kind in kinds


def can_change_step(user: User, step: PreHireStep) -> bool:
    """Who records a kind of step also records how it ended."""
    return can_record_step(user, step.candidate, step.kind)
