"""Invitations, answers and attendance of an event.

- A facilitator invites people of the territory (`invite`): one participant row each, INVITED;
  the prescribers of each person are told, while the event is still to come.
- The prescriber that follows the person answers for them (`answer`: registered or declined), or
  registers one of their people directly (`register`), while the event is neither cancelled nor
  started. A registration takes a seat: it is counted on the event row locked until the commit,
  so two prescribers racing for the last seat leave one registered and one told "complet".
- Until the event starts, a facilitator may withdraw an invitation or take someone off the list
  (`remove`): the row goes (the audit keeps it) and the person's prescribers are told. The page
  sends the row's version: an answer given meanwhile is not removed unseen.
- Once the event has started, a facilitator records attendance for the whole list at once
  (`record_attendance`): present or absent, and for present people an outcome and a comment.
  The sheet carries each row's version: of two facilitators saving the sheet at once, the
  second is refused (AttendanceConflict), nothing of theirs saved, what differs listed.

Every unit of work locks the event first, then the people it adds, then its participants (always
in that order; a consent withdrawal locks the person, then their participant rows): an invitation
or a registration racing a withdrawal either comes first (and is taken off the list by it) or
waits and is refused.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from clausematch.accounts.authors import done_by
from clausematch.accounts.models import User
from clausematch.audit import record, record_for_people
from clausematch.candidates import naming
from clausematch.candidates.models import Candidate
from clausematch.database import lock, locked, utcnow
from clausematch.errors import Collector, DomainError, NotAllowed
from clausematch.extensions import db
from clausematch.formats import format_date
from clausematch.prehire import messages, permissions
from clausematch.prehire.models import Event, EventParticipant, ParticipantOutcome, ParticipantStatus
from clausematch.prehire.rules import FULL, has_started, local_now, seats_taken
from clausematch.versioning import EditConflict

P = ParticipantStatus
ANSWERS = (P.REGISTERED, P.DECLINED)
COMMENT_MAX_LENGTH = 1000
MAX_INVITED_AT_ONCE = 100
PRESENT, ABSENT = "present", "absent"
WITHDRAWN = "Cette invitation n'existe plus : l'équipe de facilitation l'a retirée."


class AttendanceConflict(EditConflict):
    """The sheet was saved by someone else since it was loaded. `differences`: (form field name,
    current value) where the person's input differs; `versions`: each row's current version."""

    def __init__(self, differences: list[tuple[str, object]], versions: dict[int, int]):
        super().__init__(differences, 0)
        self.versions = versions


def _locked_event(event_id: int) -> Event:
    event = lock(db.session, Event, event_id)
    if event is None:
        raise DomainError("Cet événement n'existe pas.")
    return event


def _open_for_answers(event: Event) -> None:
    if event.cancelled_at is not None:
        raise DomainError("Cet événement est annulé.")
    if has_started(event):
        raise DomainError("Cet événement a déjà commencé : les inscriptions sont closes.")


# --- Invitations ------------------------------------------------------------------------------

def invite(event_id: int, candidate_ids: list[int], actor: User) -> list[EventParticipant]:
    """Invite people of the territory; people already on the list are refused by name."""
    event = _locked_event(event_id)
    if not permissions.can_edit_event(actor, event):
        raise NotAllowed("Seule l'équipe de facilitation du territoire invite à cet événement.")
    if event.cancelled_at is not None:
        raise DomainError("Cet événement est annulé : personne ne peut plus y être invité.")
    ids = list(dict.fromkeys(candidate_ids or []))
    if not ids:
        raise DomainError("Choisissez au moins une personne à inviter.", field="candidate_ids")
    if len(ids) > MAX_INVITED_AT_ONCE:
        raise DomainError(f"Invitez au plus {MAX_INVITED_AT_ONCE} personnes à la fois.", field="candidate_ids")
    candidates = list(locked(db.session, sa.select(Candidate).where(Candidate.id.in_(ids)).order_by(Candidate.id)))
    if len(candidates) != len(ids) or any(not permissions.can_invite(actor, event, c) for c in candidates):
        raise NotAllowed("Vous ne pouvez inviter que des personnes de votre territoire.")
    already = set(db.session.scalars(sa.select(EventParticipant.candidate_id).where(
        EventParticipant.event_id == event.id, EventParticipant.candidate_id.in_(ids))))
    collect = Collector()
    for candidate in candidates:
        if candidate.merged_into_id is not None:
            collect.add(f"La fiche de {candidate.full_name} a été fusionnée avec une autre : invitez la fiche "
                        "conservée.", field="candidate_ids")
        elif candidate.anonymised_at is not None:
            collect.add(f"{candidate.full_name} a retiré son consentement ou ses données ont été anonymisées : "
                        "la personne ne peut plus être invitée.", field="candidate_ids")
        elif candidate.id in already:
            collect.add(f"{candidate.full_name} figure déjà parmi les participants.", field="candidate_ids")
    collect.raise_if_any()
    now = utcnow()
    participants = [EventParticipant(event_id=event.id, candidate_id=c.id, status=P.INVITED, invited_by_id=actor.id,
                                     invited_at=now) for c in candidates]
    db.session.add_all(participants)
    _flush_or_refuse("Une de ces personnes vient d'être ajoutée à l'événement : rechargez la page.")
    record("event.invited", "event", event.id, actor_id=actor.id, candidate_ids=[c.id for c in candidates])
    record_for_people("event.person_invited", "event", event.id, actor.id, {c.id for c in candidates})
    if not has_started(event):
        messages.invited(event, candidates, actor)
    db.session.commit()
    return participants


def _flush_or_refuse(message: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Another unit of work added the same person meanwhile: the unique (event, person) key.
        db.session.rollback()
        raise DomainError(message) from None


# --- Answers and direct registrations ---------------------------------------------------------

def register(event_id: int, candidate_id: int | None, actor: User) -> EventParticipant:
    """A prescriber registers one of their people directly (an invited person: their answer)."""
    event = _locked_event(event_id)
    candidate = lock(db.session, Candidate, candidate_id) if candidate_id else None
    if candidate is None:
        raise DomainError("Choisissez la personne à inscrire.", field="candidate_id")
    if not permissions.can_register(actor, event, candidate):
        raise NotAllowed("Vous ne pouvez inscrire que les personnes suivies par votre structure, aux événements "
                         "de votre territoire.")
    if candidate.merged_into_id is not None:
        raise DomainError("Cette fiche a été fusionnée avec une autre : inscrivez la fiche conservée.",
                          field="candidate_id")
    if candidate.anonymised_at is not None:
        raise DomainError("Cette personne a retiré son consentement ou ses données ont été anonymisées : elle ne "
                          "peut plus être inscrite.", field="candidate_id")
    _open_for_answers(event)
    participant = db.session.scalar(sa.select(EventParticipant).where(
        EventParticipant.event_id == event.id, EventParticipant.candidate_id == candidate.id))
    if participant is not None:
        return _answer(event, participant, P.REGISTERED, actor)
    _check_seat(event)
    now = utcnow()
    participant = EventParticipant(event_id=event.id, candidate_id=candidate.id, status=P.REGISTERED,
                                   answered_by_id=actor.id, answered_at=now)
    db.session.add(participant)
    _flush_or_refuse("Cette personne vient d'être ajoutée à l'événement : rechargez la page.")
    record("event.registered", "event_participant", participant.id, actor_id=actor.id,
           candidate_id=participant.candidate_id, event_id=event.id)
    db.session.commit()
    return participant


def answer(participant_id: int, target: ParticipantStatus | str, actor: User) -> EventParticipant:
    """Registered or declined, for the person, by their prescriber; the same answer twice is
    refused with the date it was given (the double submit leaves one outcome)."""
    found = db.session.get(EventParticipant, participant_id)
    if found is None:
        raise DomainError(WITHDRAWN)
    event = _locked_event(found.event_id)
    participant = lock(db.session, EventParticipant, participant_id)
    if participant is None:  # withdrawn while the event was being locked
        raise DomainError(WITHDRAWN)
    try:
        target = ParticipantStatus(target)
    except ValueError:
        raise DomainError("Choisissez « Inscrire » ou « Ne viendra pas ».") from None
    if target not in ANSWERS:
        raise DomainError("Choisissez « Inscrire » ou « Ne viendra pas ».")
    if not permissions.can_answer_for(actor, participant):
        raise NotAllowed("Seul le prescripteur qui suit la personne répond pour elle.")
    _open_for_answers(event)
    return _answer(event, participant, target, actor)


def _answer(event: Event, participant: EventParticipant, target: ParticipantStatus, actor: User) -> EventParticipant:
    if participant.status == target:
        when = format_date(participant.answered_at) if participant.answered_at else ""
        raise DomainError(f"Cette réponse (« {target.label} ») a déjà été enregistrée"
                          f"{' le ' + when if when else ''} : rien n'a changé.")
    if participant.status not in (P.INVITED, *ANSWERS):
        raise DomainError("La présence de cette personne est déjà enregistrée : la réponse ne change plus.")
    if target == P.REGISTERED:
        _check_seat(event)
    previous = participant.status
    participant.status = target
    participant.answered_by_id = actor.id
    participant.answered_at = utcnow()
    participant.version += 1  # the row is locked: a removal loaded before this answer is refused
    db.session.flush()
    record("event.answered", "event_participant", participant.id, actor_id=actor.id,
           candidate_id=participant.candidate_id, event_id=event.id,
           from_status=previous.value, to_status=target.value)
    db.session.commit()
    return participant


def _check_seat(event: Event) -> None:
    """On the locked event: a seat is left (no capacity: no limit)."""
    if event.capacity is not None and seats_taken(event.id) >= event.capacity:
        raise DomainError(FULL)


# --- Removal -----------------------------------------------------------------------------------

def remove(participant_id: int, actor: User, version: int | None = None) -> str:
    """Withdraw an invitation, or take a registered person off the list, before the event starts;
    the person's prescribers are told. `version`: the row's version the page showed (None: no
    check); a row answered since is refused, saying by whom and when. Returns the person's name."""
    found = db.session.get(EventParticipant, participant_id)
    if found is None:
        raise DomainError("Cette personne ne figure plus parmi les participants : elle a déjà été retirée.")
    event = _locked_event(found.event_id)
    participant = lock(db.session, EventParticipant, participant_id)
    if participant is None:
        raise DomainError("Cette personne ne figure plus parmi les participants : elle a déjà été retirée.")
    if not permissions.can_edit_event(actor, event):
        raise NotAllowed("Seule l'équipe de facilitation du territoire retire une personne de cet événement.")
    if event.cancelled_at is not None:
        raise DomainError("Cet événement est annulé : la liste ne change plus.")
    if has_started(event):
        raise DomainError("Cet événement a déjà commencé : la liste ne change plus (enregistrez plutôt la "
                          "personne absente sur la feuille de présence).")
    name = participant.candidate.full_name
    if version is not None and participant.version != version:
        when = (f" {done_by(participant.answered_by_id, actor, participant.answered_at)}"
                if participant.answered_at else "")
        raise DomainError(f"La réponse pour {name} a changé entre-temps (« {participant.status.label} »{when}) : "
                          "personne n'a été retiré. Vérifiez la liste, puis retirez de nouveau si besoin.")
    previous = participant.status
    candidate = participant.candidate
    db.session.delete(participant)
    db.session.flush()
    record("event.participant_removed", "event", event.id, actor_id=actor.id, candidate_id=candidate.id,
           from_status=previous.value)
    messages.removed(event, candidate, previous, actor)
    db.session.commit()
    return name


# --- Attendance -------------------------------------------------------------------------------

@dataclass
class AttendanceLine:
    participant_id: int
    presence: str | None  # PRESENT, ABSENT; None: not given
    outcome: str | None = None
    comment: str = ""
    version: int | None = None  # the row's version the sheet was loaded at (None: no check)


def attendance_list(event_id: int) -> list[EventParticipant]:
    """The people attendance is recorded for: everyone but those who said they would not come,
    by name."""
    return list(db.session.scalars(
        sa.select(EventParticipant).join(Candidate, EventParticipant.candidate_id == Candidate.id)
        .where(EventParticipant.event_id == event_id, EventParticipant.status != P.DECLINED)
        .order_by(Candidate.last_name, Candidate.first_name, Candidate.id)))


def check_attendance(event_id: int, lines: list[AttendanceLine], actor: User) -> None:
    """Every refusal of the attendance sheet at once (FieldErrors, one field per row). Reads only."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise DomainError("Cet événement n'existe pas.")
    _checked_attendance(event, attendance_list(event.id), lines, actor)


def _checked_attendance(event: Event, participants: list[EventParticipant], lines: list[AttendanceLine],
                        actor: User) -> dict[int, tuple]:
    if not permissions.can_edit_event(actor, event):
        raise NotAllowed("Seule l'équipe de facilitation du territoire enregistre les présences.")
    if event.cancelled_at is not None:
        raise DomainError("Cet événement est annulé : il n'y a pas de présences à enregistrer.")
    if not has_started(event, local_now()):
        raise DomainError(f"Les présences s'enregistrent une fois l'événement commencé (le "
                          f"{format_date(event.starts_at)}).")
    by_id = {line.participant_id: line for line in lines}
    collect = Collector()
    values = {}
    for participant in participants:
        line = by_id.get(participant.id) or AttendanceLine(participant.id, None)
        name = participant.candidate.full_name
        outcome = None
        if line.presence not in (PRESENT, ABSENT):
            collect.add(f"Indiquez la présence de {name} : présente ou absente.", field=f"presence_{participant.id}")
        if line.outcome:
            try:
                outcome = ParticipantOutcome(line.outcome)
            except ValueError:
                collect.add("Choisissez une des suites proposées.", field=f"outcome_{participant.id}")
            else:
                if line.presence == ABSENT:
                    collect.add(f"{name} est indiquée absente : la suite ne s'indique que pour les "
                                "personnes présentes.", field=f"outcome_{participant.id}")
        comment = (line.comment or "").strip()
        if len(comment) > COMMENT_MAX_LENGTH:
            collect.add(f"Le commentaire ne doit pas dépasser {COMMENT_MAX_LENGTH} caractères.",
                        field=f"comment_{participant.id}")
        status = P.ATTENDED if line.presence == PRESENT else P.ABSENT
        values[participant.id] = (status, outcome if status == P.ATTENDED else None, comment)
    collect.raise_if_any()
    return values


def record_attendance(event_id: int, lines: list[AttendanceLine], actor: User) -> int:
    """The whole sheet in one unit of work; returns how many rows changed. A row changed by
    someone else since the sheet was loaded (its version moved on) and that this sheet would
    change again is a conflict: nothing is saved (AttendanceConflict)."""
    event = _locked_event(event_id)
    listed = attendance_list(event.id)
    participants = list(locked(db.session, sa.select(EventParticipant).where(
        EventParticipant.id.in_([p.id for p in listed])).order_by(EventParticipant.id)))
    participants = [p for p in participants if p.status != P.DECLINED]
    values = _checked_attendance(event, participants, lines, actor)
    _refuse_overwrites(participants, lines, values)
    now = utcnow()
    changed = 0
    for participant in participants:
        status, outcome, comment = values[participant.id]
        if (participant.status, participant.outcome, participant.comment) != (status, outcome, comment):
            participant.status, participant.outcome, participant.comment = status, outcome, comment
            participant.attendance_recorded_by_id = actor.id
            participant.attendance_recorded_at = now
            participant.version += 1  # the row is locked: a sheet loaded before is now stale
            changed += 1
    present = sum(1 for p in participants if p.status == P.ATTENDED)
    record("event.attendance_recorded", "event", event.id, actor_id=actor.id, present=present,
           absent=len(participants) - present, changed=changed)
    record_for_people("event.person_attendance_recorded", "event", event.id, actor.id,
                      {p.candidate_id for p in participants})
    db.session.commit()
    return changed


def _refuse_overwrites(participants: list[EventParticipant], lines: list[AttendanceLine],
                       values: dict[int, tuple]) -> None:
    """On the locked rows: the rows saved since the sheet was loaded that this sheet would change."""
    by_id = {line.participant_id: line for line in lines}
    differences: list[tuple[str, object]] = []
    for participant in participants:
        line = by_id.get(participant.id)
        if line is None or line.version is None or line.version == participant.version:
            continue
        status, outcome, comment = values[participant.id]
        if participant.status != status:
            current = {P.ATTENDED: PRESENT, P.ABSENT: ABSENT}.get(participant.status)
            differences.append((f"presence_{participant.id}", current))
        if participant.outcome != outcome:
            differences.append((f"outcome_{participant.id}", participant.outcome))
        if participant.comment != comment:
            differences.append((f"comment_{participant.id}", participant.comment))
    if differences:
        versions = {p.id: p.version for p in participants}
        db.session.rollback()  # nothing of this sheet is saved; the row locks are released
        raise AttendanceConflict(differences, versions)


def short_name(participant: EventParticipant) -> str:
    return naming.short_name(participant.candidate)
