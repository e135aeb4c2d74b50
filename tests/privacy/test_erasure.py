"""Erasure that keeps the statistics (privacy/erasure.py): after it, no text of any table holds the
person's name, contacts or exact birth date, and every report's figures are those of before.

The person is c4 of the reporting tests' world (tests/reporting/conftest.py): a woman born on
2 March 1999, hired on 1 March 2025 (25 at hire, one day short of 26), CDD then CDI on lot 1, hours,
an exit and its follow-up, QPV and RSA, living in the territory, two applications (one hired, through
the programme's offer). She is given distinctive identity values and data in every table that can
name her: messages, comments, notifications and e-mails built by the real senders, audit events."""
import dataclasses
import json
from datetime import date, timedelta
from decimal import Decimal
from enum import Enum

import pytest
import sqlalchemy as sa

from clausematch.applications import messages as application_messages
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent, record
from clausematch.candidates import validation
from clausematch.candidates.models import Candidate, EligibilityCriterion
from clausematch.database import Base
from clausematch.matching import services as matching_services
from clausematch.notifications import Notification, OutboxMessage
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursRevision
from clausematch.prehire import participation
from clausematch.prehire.models import Event, EventKind, EventParticipant, PreHireStep, StepKind, StepStatus
from clausematch.prehire.rules import local_now
from clausematch.privacy.erasure import Reason, anonymise
from clausematch.reporting import bilans, contract_figures, homes
from clausematch.reporting.queries.clause_share import clause_share
from clausematch.reporting.queries.funnel import funnel
from clausematch.reporting.queries.hours import hours_report
from clausematch.reporting.queries.outcomes import outcomes_report
from clausematch.reporting.queries.programme_funnel import programme_funnel
from clausematch.reporting.queries.publics import publics_report
from clausematch.vocabulary import ExitConvention

FIRST, LAST = "Zéphirine", "Quatrefages"
EMAIL, PHONE = "zephirine.quatrefages@exemple.org", "0611223344"
BIRTH = date(1999, 3, 2)
# What must be found nowhere afterwards (any case), the accent-less forms of the name index included.
ERASED = [FIRST, LAST, "zephirine", EMAIL, PHONE, "06 11 22 33 44", BIRTH.isoformat(), BIRTH.strftime("%d/%m/%Y")]


@pytest.fixture
def person(db, world, personas):
    """c4, named and reachable, with something that names her in every table that can."""
    facilitator, prescriber = personas["facilitator"], personas["prescriber"]
    c4 = world.people[3]
    assert c4.birth_date == BIRTH
    c4.first_name, c4.last_name, c4.email, c4.phone = FIRST, LAST, EMAIL, PHONE
    c4.skills, c4.experience = f"Aide-maçon ; joindre {FIRST} au {PHONE}", "Deux ans en régie"
    c4.referent_id = prescriber.id
    db.session.commit()

    hired, submitted = sorted(db.session.scalars(sa.select(Application).where(Application.candidate_id == c4.id)),
                              key=lambda a: a.id)
    hired.message = f"{FIRST} est très motivée, joignable au {PHONE}."
    hired.proposed_by_id = submitted.proposed_by_id = prescriber.id
    for event in hired.events:
        event.comment = f"Échange avec {FIRST} {LAST}"
    sent = ApplicationEvent(application_id=submitted.id, from_status=ApplicationStatus.SUBMITTED,
                            to_status=ApplicationStatus.SENT, comment=f"Envoyée : {FIRST} née le 02/03/1999")
    db.session.add(sent)
    db.session.flush()
    # The real senders: the prescriber side (notification, e-mail) and the company (notification).
    application_messages.status_changed(submitted, sent, facilitator)
    application_messages.proposed_by_facilitator(hired, facilitator)

    contracts = db.session.scalars(sa.select(EmploymentContract).where(EmploymentContract.candidate_id == c4.id)
                                   .order_by(EmploymentContract.start_date)).all()
    exit_ = db.session.scalar(sa.select(Exit).where(Exit.contract_id == contracts[0].id))
    exit_.comment = f"{FIRST} a signé un CDI"
    exit_.follow_up.comment = f"Appel de {FIRST} {LAST} le 1er septembre"
    entry = db.session.scalars(sa.select(HoursEntry).where(HoursEntry.candidate_id == c4.id)).first()
    db.session.add(HoursRevision(entry_id=entry.id, old_hours=Decimal(90), new_hours=entry.hours,
                                 comment=f"Correction demandée par {LAST}"))
    db.session.add(PreHireStep(candidate_id=c4.id, kind=StepKind.PMSMP, status=StepStatus.COMPLETED,
                               organisation_name="Régie de quartier", title=f"Immersion de {FIRST}",
                               start_date=date(2025, 1, 6), end_date=date(2025, 1, 31),
                               comment=f"{FIRST} a apprécié le chantier"))
    db.session.commit()

    kept, left = (Event(territory_id=world.territory.id, kind=EventKind.INFO_SESSION, title=title,
                        place="Salle des fêtes", starts_at=local_now() + timedelta(days=days),
                        created_by_id=facilitator.id) for title, days in (("Réunion", 7), ("Job-dating", 9)))
    db.session.add_all([kept, left])
    db.session.commit()
    participation.invite(kept.id, [c4.id], facilitator)  # notifications and an e-mail to her prescribers
    [removed] = participation.invite(left.id, [c4.id], facilitator)
    participation.remove(removed.id, facilitator)  # the row goes; the messages and the audit stay
    db.session.execute(sa.update(EventParticipant).where(EventParticipant.candidate_id == c4.id)
                       .values(comment=f"{FIRST} viendra avec son CV"))
    rsa = db.session.scalar(sa.select(EligibilityCriterion.id).where(
        EligibilityCriterion.candidate_id == c4.id, EligibilityCriterion.criterion == "rsa"))
    validation.validate_criterion(facilitator, rsa)  # the referent is told, with a link to the record

    # Audit details should never hold personal data; older or careless ones might: they are scrubbed.
    record("candidate.updated", "candidate", c4.id, actor_id=facilitator.id, fields=["first_name"],
           note=f"Demande de {FIRST} {LAST}")
    record("application.noted", "application", hired.id, contact=[EMAIL, "courriel"], offer_id=hired.offer_id)
    record("hours.noted", "hours_entry", entry.id, caller="06 11 22 33 44", month="2025-03")
    record("exit.noted", "exit", exit_.id, born="1999-03-02", detail="cdi")
    db.session.commit()
    return c4


def text_columns(db) -> list[sa.Column]:
    """Every String, Text and JSON column of the schema (introspected, never listed by hand)."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if isinstance(column.type, (sa.String, sa.Text, sa.JSON))]


def where_found(db, needles: list[str]) -> list[str]:
    found = []
    for column in text_columns(db):
        for (value,) in db.session.execute(sa.select(column).where(column.is_not(None))):
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            found += [f"{column.table.name}.{column.name}: {needle}" for needle in needles
                      if needle.casefold() in text.casefold()]
    return found


def test_the_scan_sees_the_person_everywhere_before(db, person):
    """The scan is not fooled: before the erasure it finds her in every kind of place."""
    places = {hit.split(":")[0] for hit in where_found(db, ERASED)}
    assert {"candidates.first_name", "candidates.email", "candidate_name_words.word", "applications.message",
            "application_events.comment", "event_participants.comment", "prehire_steps.comment",
            "prehire_steps.title", "exits.comment", "follow_ups.comment", "hours_revisions.comment",
            "notifications.message", "notifications.plural", "outbox_messages.subject", "outbox_messages.body",
            "audit_events.details"} <= places


def test_after_the_erasure_no_text_holds_her_identity(db, person, world):
    others = [p.id for p in world.people if p.id != person.id]
    assert anonymise(person.id, None, Reason.ERASURE) is True
    db.session.expire_all()

    assert where_found(db, ERASED) == []
    # Targeted: the other people, the messages about others and the audit's codes are untouched.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)
                             .where(Candidate.id.in_(others), Candidate.anonymised_at.is_(None))) == len(others)
    messages = list(db.session.scalars(sa.select(Notification.message)))
    assert any("d'une personne" in m for m in messages) and any("une personne" in m for m in messages)
    subjects = list(db.session.scalars(sa.select(OutboxMessage.subject)))
    assert subjects and all(FIRST not in s for s in subjects)
    noted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.noted"))
    assert noted.details == {"contact": ["courriel"], "offer_id": world.offer1.id}
    exit_noted = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "exit.noted"))
    assert exit_noted.details == {"detail": "cdi"}
    # What the statistics need stays.
    step = db.session.scalar(sa.select(PreHireStep).where(PreHireStep.candidate_id == person.id))
    assert (step.kind, step.status, step.organisation_name, step.title, step.comment) == (
        StepKind.PMSMP, StepStatus.COMPLETED, "Régie de quartier", "", "")
    assert person.birth_date == date(1999, 1, 1)
    ages = db.session.scalars(sa.select(EmploymentContract.age_at_start)
                              .where(EmploymentContract.candidate_id == person.id)
                              .order_by(EmploymentContract.start_date)).all()
    assert ages == [25, 26]  # 1 March 2025 and 1 June 2025, born 2 March 1999
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursEntry)
                             .where(HoursEntry.candidate_id == person.id)) == 4
    in_work = sa.select(FollowUp.in_work).join(Exit).join(EmploymentContract).where(
        EmploymentContract.candidate_id == person.id, FollowUp.done_on.is_not(None))
    assert db.session.scalar(in_work) is True


# --- Every report, before and after -----------------------------------------------------------

def figures(value):
    """What a report shows as figures: numbers, dates, codes and row ids, in its structure; texts
    (labels, names) left out, since the person's name is meant to change."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return None
    if isinstance(value, (int, float, Decimal, date)) or value is None:
        return value
    if isinstance(value, Base):
        return (type(value).__name__, sa.inspect(value).identity)
    if dataclasses.is_dataclass(value):
        return {f.name: figures(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): figures(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [figures(item) for item in value]
    if hasattr(value, "_asdict"):
        return figures(value._asdict())
    if hasattr(value, "_mapping"):
        return figures(dict(value._mapping))
    if hasattr(value, "__dict__"):
        return {key: figures(item) for key, item in vars(value).items() if not key.startswith("_")}
    return repr(value)  # a marker such as masking's "< 5"


def all_reports(world, scope_of, personas) -> dict:
    territory, facilitator = world.territory, personas["facilitator"]
    scopes = {"territory": scope_of(), "2025": scope_of(year=2025), "2026": scope_of(year=2026),
              "programme": scope_of(programme_id=world.programme.id), "lot1": scope_of(lot_id=world.lot1.id)}
    reports = {}
    for name, scope in scopes.items():
        reports[f"funnel {name}"] = funnel(scope)
        reports[f"publics {name}"] = publics_report(scope, territory)
        for group in ("lot", "marche", "acheteur", "entreprise", "mode", "annee"):
            reports[f"hours {name} {group}"] = hours_report(scope, territory, group)
        for convention in ExitConvention:
            reports[f"outcomes {name} {convention.value}"] = outcomes_report(scope, convention)
        reports[f"clause share {name}"] = clause_share(scope)
    reports["programme funnel"] = programme_funnel(world.programme)
    for year in (2025, 2026):
        reports[f"contract bilan {year}"] = bilans.contract_bilan(facilitator, world.a1, year)
        reports[f"buyer bilan {year}"] = bilans.buyer_bilan(facilitator, world.buyer_a, year)
    reports["contract lots"] = contract_figures.contract_lots(world.a1)
    for lot in (world.lot1, world.lot2):
        reports[f"lot {lot.id}"] = contract_figures.lot_overview(lot, territory, with_offers=True, with_people=False)
        # The list of people hired is sorted by name at equal start dates: the same people, in any order.
        people = contract_figures.lot_overview(lot, territory, with_offers=False, with_people=True)
        reports[f"lot {lot.id} people"] = sorted(e.id for e in people.employments)
    reports["company"] = contract_figures.company_overview(world.company)
    reports["home facilitator"] = homes.facilitator_dashboard(facilitator)
    reports["home prescriber"] = homes.prescriber_dashboard(personas["prescriber"])
    reports["home company"] = homes.company_dashboard(personas["company"])
    reports["home buyer"] = homes.buyer_dashboard(personas["buyer"])
    return figures(reports)


def test_every_report_shows_the_same_figures_after_the_erasure(db, person, world, scope_of, personas):
    publics = publics_report(scope_of(), world.territory)
    # She is counted: the only participant under 26 at hire (by one day), a woman, QPV, RSA, local.
    assert (publics.line("under_26").people, publics.line("women").people, publics.line("rsa").people) == (1, 2, 1)
    before = all_reports(world, scope_of, personas)
    db.session.expire_all()

    assert anonymise(person.id, personas["facilitator"].id, Reason.ERASURE) is True
    db.session.expire_all()

    after = all_reports(world, scope_of, personas)
    # The homes' "candidates" count is a working list (records one can still act on, what "Mes
    # candidats" lists), not a report figure: she leaves it, and only it.
    for home in ("home facilitator", "home prescriber"):
        assert after[home].pop("candidates") == before[home].pop("candidates") - 1
    assert [name for name in before if before[name] != after[name]] == []
    assert publics_report(scope_of(), world.territory).line("under_26").people == 1


def test_the_age_band_would_change_without_the_frozen_age(db, person, world, scope_of):
    """The birth date becomes 1 January: computed from it, she would be 26 at hire."""
    anonymise(person.id, None, Reason.ERASURE)
    db.session.execute(sa.update(EmploymentContract).values(age_at_start=None))
    db.session.commit()
    assert publics_report(scope_of(), world.territory).line("under_26").people == 0


def test_she_leaves_the_matching_index(db, person, app):
    person.available = True
    db.session.commit()
    engine = matching_services.engine()
    indexed = engine.candidate_count
    anonymise(person.id, None, Reason.ERASURE)
    assert matching_services.engine().candidate_count == indexed - 1


def test_a_record_merged_into_hers_is_anonymised_with_it(db, person, world):
    from factories import CandidateInTerritoryFactory

    old = CandidateInTerritoryFactory(prescriber=person.prescriber, first_name=FIRST, last_name=LAST,
                                      email=EMAIL, birth_date=BIRTH, merged_into_id=person.id)
    db.session.commit()
    anonymise(person.id, None, Reason.ERASURE)
    db.session.expire_all()
    assert old.anonymised_at is not None and (old.first_name, old.email) == ("Personne", None)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "candidate.anonymised")) == 2
