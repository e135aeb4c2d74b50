"""Anonymisation: a person's identity wiped, the statistics kept.

The candidate row stays (its id carries the counts, hours, publics and exits of every report);
what identifies the person is replaced or emptied: names, contacts, free texts and evidence.
The birth year is kept. `anonymised_at` marks the record: nobody can act on it any more, it
leaves every list and the matching index. Irreversible; audited without the erased data.

Beyond the candidate row, nothing of the person stays in any text (`_wipe_records`): the free
texts of their applications, events, steps, exits, follow-ups and hours corrections are emptied;
the notifications and e-mails that name them ("Léa M.") are found by the link they carry (an
application, an event, the record: indexed columns) and say "une personne" instead; the audit
events about their records lose any value that holds an erased datum. Every row is reached by the
person's ids through an index, never by scanning a large table. The age at each contract's start
is frozen on the contract (`age_at_start`) before the birth date goes, so the publics report
counts the person in the same age band afterwards. Records merged into this one (the same
person) are anonymised with it.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from clausematch import audit
from clausematch.applications.links import application_path, company_application_path
from clausematch.applications.models import Application, ApplicationEvent
from clausematch.audit import AuditEvent
from clausematch.candidates import naming
from clausematch.candidates.duplicates import name_key
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.database import lock, utcnow
from clausematch.extensions import db
from clausematch.notifications import Notification, OutboxMessage
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursRevision
from clausematch.prehire.messages import event_path
from clausematch.prehire.models import Event, EventParticipant, PreHireStep

ERASED_TEXT = ""
ERASED_REASON = "Motif effacé (données anonymisées)"
SOMEONE = "une personne"
OF_SOMEONE = "d'une personne"


class Reason:
    """Why a record was anonymised (kept in the audit event, never the erased data)."""
    ERASURE = "erasure"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    RETENTION = "retention"


def anonymous_names(candidate_id: int) -> tuple[str, str]:
    return "Personne", f"anonymisée n° {candidate_id}"


def anonymise_in_session(candidate: Candidate, actor_id: int | None, reason: str) -> bool:
    """Wipe the identity of a candidate already locked by the caller, inside its unit of work
    (the caller commits). False when the record was already anonymised (nothing written)."""
    if candidate.anonymised_at is not None:
        return False
    merged = list(db.session.scalars(sa.select(Candidate).where(Candidate.merged_into_id == candidate.id,
                                                                Candidate.anonymised_at.is_(None))
                                     .order_by(Candidate.id).with_for_update()))
    for record in (candidate, *merged):
        _anonymise_one(record, actor_id, reason)
    return True


def _anonymise_one(candidate: Candidate, actor_id: int | None, reason: str) -> None:
    erased = Erased.of(candidate)
    _freeze_ages(candidate)
    _wipe_records(candidate, erased)
    first_name, last_name = anonymous_names(candidate.id)
    candidate.first_name, candidate.last_name = first_name, last_name
    candidate.name_key = name_key(first_name, last_name)
    candidate.birth_date = date(candidate.birth_date.year, 1, 1)
    candidate.email = candidate.phone = None
    candidate.desired_jobs_text = candidate.skills = candidate.experience = candidate.certificates = ERASED_TEXT
    candidate.certificate_codes = []
    candidate.available, candidate.available_from = False, None
    candidate.anonymised_at = utcnow()
    # An edit form loaded before now names the old version: its save is refused (versioning.py)
    # instead of writing the names back. The row is locked, so no increment is lost.
    candidate.version += 1
    db.session.execute(
        sa.update(EligibilityCriterion).where(EligibilityCriterion.candidate_id == candidate.id)
        .values(evidence=ERASED_TEXT,
                refusal_reason=sa.case((EligibilityCriterion.status == EligibilityStatus.REFUSED, ERASED_REASON),
                                       else_=None)))
    audit.record("candidate.anonymised", "candidate", candidate.id, actor_id=actor_id, candidate_id=candidate.id,
                 reason=reason)


def age_on(birth_date: date, day: date) -> int:
    """Whole years on `day` (the publics report's rule: under 26 ⇔ not yet 26 that day)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _freeze_ages(candidate: Candidate) -> None:
    """Each contract keeps the person's age at its start: the birth date is about to go."""
    for contract_id, start in db.session.execute(
            sa.select(EmploymentContract.id, EmploymentContract.start_date)
            .where(EmploymentContract.candidate_id == candidate.id, EmploymentContract.age_at_start.is_(None))):
        db.session.execute(sa.update(EmploymentContract).where(EmploymentContract.id == contract_id)
                           .values(age_at_start=age_on(candidate.birth_date, start))
                           .execution_options(synchronize_session=False))


@dataclass(frozen=True)
class Erased:
    """What identified the person, to find and neutralise in the texts that mention them."""

    names: tuple[str, ...]  # first and last name: whole words, any case
    exact: tuple[str, ...]  # e-mail, phone, birth date (ISO and dd/mm/yyyy): substrings, any case
    phone_digits: str
    short_name: str  # how messages name the person: « Léa M. »

    @classmethod
    def of(cls, candidate: Candidate) -> "Erased":
        born = candidate.birth_date
        exact = [born.isoformat(), born.strftime("%d/%m/%Y"), candidate.email or "", candidate.phone or ""]
        names = [n.strip() for n in (candidate.first_name, candidate.last_name) if n and n.strip()]
        return cls(names=tuple(dict.fromkeys([*names, *(_without_accents(n) for n in names)])),
                   exact=tuple(value for value in exact if value),
                   phone_digits=re.sub(r"\D", "", candidate.phone or ""),
                   short_name=naming.short_name(candidate))

    def found_in(self, text: str) -> bool:
        folded = text.casefold()
        if any(value.casefold() in folded for value in self.exact):
            return True
        if len(self.phone_digits) >= 8 and self.phone_digits in re.sub(r"\D", "", text):
            return True
        return any(re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", folded) for name in self.names)

    def neutralised(self, text: str | None) -> str | None:
        """The message with the person named « une personne »; anything else identifying them
        left in it (a name written out in full) is replaced too."""
        if not text:
            return text
        text = text.replace(naming.of_name(self.short_name), OF_SOMEONE).replace(self.short_name, SOMEONE)
        for value in (*self.exact, *self.names):  # an e-mail address holds the name: it goes whole first
            pattern = rf"(?<!\w){re.escape(value)}(?!\w)" if value in self.names else re.escape(value)
            text = re.sub(pattern, SOMEONE, text, flags=re.IGNORECASE)
        return text


def _without_accents(text: str) -> str:
    """« Zéphirine » → « Zephirine » (an e-mail address or a typed text may drop the accents)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _wipe_records(candidate: Candidate, erased: Erased) -> None:
    """Every other row that may hold the person's identity, reached by their ids (indexed)."""
    person = candidate.id
    applications = list(db.session.scalars(sa.select(Application.id).where(Application.candidate_id == person)))
    contracts = list(db.session.scalars(sa.select(EmploymentContract.id)
                                        .where(EmploymentContract.candidate_id == person)))
    exits = list(db.session.scalars(sa.select(Exit.id).where(Exit.contract_id.in_(contracts)))) if contracts else []
    follow_ups = list(db.session.scalars(sa.select(FollowUp.id).where(FollowUp.exit_id.in_(exits)))) if exits else []
    entries = sa.select(HoursEntry.id).where(HoursEntry.candidate_id == person)
    participants = db.session.execute(sa.select(EventParticipant.id, EventParticipant.event_id)
                                      .where(EventParticipant.candidate_id == person)).all()
    steps = db.session.scalars(sa.select(PreHireStep).where(PreHireStep.candidate_id == person)).all()
    criteria = list(db.session.scalars(sa.select(EligibilityCriterion.id)
                                       .where(EligibilityCriterion.candidate_id == person)))

    def wipe(model, column: str, condition) -> None:
        db.session.execute(sa.update(model).where(condition).values({column: ERASED_TEXT})
                           .execution_options(synchronize_session=False))

    if applications:
        wipe(Application, "message", Application.id.in_(applications))
        wipe(ApplicationEvent, "comment", ApplicationEvent.application_id.in_(applications))
    wipe(EventParticipant, "comment", EventParticipant.candidate_id == person)
    if exits:
        wipe(Exit, "comment", Exit.id.in_(exits))
    if follow_ups:
        wipe(FollowUp, "comment", FollowUp.id.in_(follow_ups))
    wipe(HoursRevision, "comment", HoursRevision.entry_id.in_(entries))
    for step in steps:  # the subject and host stay (the programme's funnel), unless they name the person
        step.comment = ERASED_TEXT
        if erased.found_in(step.title):
            step.title = ERASED_TEXT
        if erased.found_in(step.organisation_name):
            step.organisation_name = ERASED_TEXT

    events = {event_id for _, event_id in participants} | _events_left(candidate)
    links = {f"/candidats/{person}", *(event_path(event_id) for event_id in events),
             *(application_path(i) for i in applications), *(company_application_path(i) for i in applications)}
    _neutralise_messages(links, erased)
    _scrub_audit({"candidate": [person], "eligibility_criterion": criteria, "application": applications,
                  "employment_contract": contracts, "exit": exits, "follow_up": follow_ups,
                  "hours_entry": list(db.session.scalars(entries)), "prehire_step": [s.id for s in steps],
                  "event_participant": [i for i, _ in participants]}, erased)


def _events_left(candidate: Candidate) -> set[int]:
    """Events the person was taken off (the participant row is gone; the audit keeps it): the
    removals naming the person (audit_events.candidate_id, indexed), and those recorded before
    that column existed (migration 0027), which kept the person in their details: read among the
    audit events of the territory's events that started after the record was created (a removal
    comes before the event's start), through the audit index on the entity."""
    named = set(db.session.scalars(sa.select(AuditEvent.entity_id).where(
        AuditEvent.candidate_id == candidate.id, AuditEvent.entity_type == "event",
        AuditEvent.action == "event.participant_removed")))
    since = candidate.created_at - timedelta(days=1)
    events = sa.select(Event.id).where(Event.territory_id == candidate.territory_id, Event.starts_at >= since)
    rows = db.session.execute(sa.select(AuditEvent.entity_id, AuditEvent.details).where(
        AuditEvent.entity_type == "event", AuditEvent.entity_id.in_(events),
        AuditEvent.action == "event.participant_removed"))
    return named | {event_id for event_id, details in rows if (details or {}).get("candidate_id") == candidate.id}


def _neutralise_messages(links: set[str], erased: Erased) -> None:
    """Notifications and e-mails about the person's pages say « une personne » (ix_*_link)."""
    links = sorted(links)
    for notification in db.session.scalars(sa.select(Notification).where(Notification.link.in_(links))):
        notification.message = erased.neutralised(notification.message)
        notification.plural = erased.neutralised(notification.plural)
    for message in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.link.in_(links))):
        message.subject = erased.neutralised(message.subject)
        message.body = erased.neutralised(message.body)


def _scrub_audit(entities: dict[str, list[int]], erased: Erased) -> None:
    """Audit events about the person's records keep their ids and codes, lose any value holding
    an erased datum (details should never hold one; older events or free values might)."""
    conditions = [sa.and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(ids))
                  for kind, ids in entities.items() if ids]
    conditions.append(AuditEvent.candidate_id == entities["candidate"][0])  # every event naming the person
    for event in db.session.scalars(sa.select(AuditEvent).where(sa.or_(*conditions))):
        kept, changed = _scrubbed(event.details or {}, erased)
        if changed:
            event.details = kept


def _scrubbed(value: Any, erased: Erased) -> tuple[Any, bool]:
    """(the value without the strings holding an erased datum, whether anything was dropped)."""
    if isinstance(value, dict):
        kept, changed = {}, False
        for key, item in value.items():
            if isinstance(item, str) and erased.found_in(item):
                changed = True
                continue
            kept[key], dropped = _scrubbed(item, erased)
            changed = changed or dropped
        return kept, changed
    if isinstance(value, list):
        kept, changed = [], False
        for item in value:
            if isinstance(item, str) and erased.found_in(item):
                changed = True
                continue
            scrubbed, dropped = _scrubbed(item, erased)
            kept.append(scrubbed)
            changed = changed or dropped
        return kept, changed
    return value, False


def lock_candidate(candidate_id: int) -> Candidate | None:
    """The candidate row, locked until the end of the unit of work (re-read under the lock; on
    SQLite the database's write lock first: database.lock)."""
    return lock(db.session, Candidate, candidate_id)


def anonymise(candidate_id: int, actor_id: int | None, reason: str) -> bool:
    """One unit of work: lock the record, wipe it, commit. False when it was already anonymised."""
    candidate = lock_candidate(candidate_id)
    if candidate is None:
        db.session.rollback()
        raise LookupError(candidate_id)
    done = anonymise_in_session(candidate, actor_id, reason)
    db.session.commit()
    return done
