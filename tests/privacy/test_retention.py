"""Retention enforced (privacy/retention.py): a dataset with known dates, run by the daily job on
1 December 2026 and again 31 days later. Exactly who is told and who is anonymised each time; the
job runs once a day; the dry run predicts exactly what the run does and writes nothing; the
notice is void after a later activity; the notice goes to the referent, else to every active
member of the prescriber organisation, without personal data beyond the name and the dates."""
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    EmploymentContractFactory,
    HoursEntryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    TerritoryFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications.models import ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.jobs import JobRun
from clausematch.notifications import Notification, OutboxMessage
from clausematch.privacy import retention
from clausematch.privacy.retention import Action, add_months, decide, last_activity, plan, run
from clausematch.scheduler import find_job, run_scheduled

PARIS = ZoneInfo("Europe/Paris")
ON = date(2026, 12, 1)
LATER = date(2027, 1, 1)  # 31 days on
OLD = datetime(2022, 1, 10, 9, 0)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0)


@pytest.fixture
def world(db, territory):
    """Territory A (24 months) and B (12 months), their prescribers and people of known dates."""
    prescriber = PrescriberFactory(territory=territory, name="Mission locale Saint-Denis")
    referent = UserFactory(role=Role.PRESCRIBER, full_name="Rachid Référent", email="referent@exemple.fr",
                           organisation=prescriber)
    colleague = UserFactory(role=Role.PRESCRIBER, full_name="Colette Collègue", email="collegue@exemple.fr",
                            organisation=prescriber)
    UserFactory(role=Role.PRESCRIBER, full_name="Parti", email="parti@exemple.fr", is_active=False,
                organisation=prescriber)
    other_territory = TerritoryFactory(name="Est Ensemble", inactivity_months=12)
    other_prescriber = PrescriberFactory(territory=other_territory, name="Cap Emploi Est")
    other_member = UserFactory(role=Role.PRESCRIBER, email="cap@exemple.fr", organisation=other_prescriber)

    def person(first_name, last_activity=None, owner=prescriber, **values):
        moment = at(last_activity) if last_activity else OLD
        return CandidateInTerritoryFactory(prescriber=owner, first_name=first_name, last_name="Durand",
                                           created_at=moment, updated_at=moment, **values)

    people = {
        # inactive 25 months, told 31 days ago: anonymised
        "told_31": person("Amel", date(2024, 11, 1), retention_notice_on=date(2026, 10, 31)),
        # inactive 25 months, told 29 days ago: waits
        "told_29": person("Bruno", date(2024, 11, 1), retention_notice_on=date(2026, 11, 2)),
        # inactive 23.5 months: told now (by the referent), anonymised 30 days on
        "quiet_23": person("Chloé", date(2024, 12, 16), referent=referent),
        # inactive 30 months, never told: told now, not anonymised
        "never_told": person("Driss", date(2024, 6, 1)),
        # told in May 2024, an application moved since: the notice is void, told again
        "told_then_active": person("Élise", date(2022, 1, 10), retention_notice_on=date(2024, 5, 1)),
        "application_event": person("Farid"),
        "hours_entry": person("Gaëlle"),
        "running_contract": person("Hugo"),
        "anonymised": person("Inès", anonymised_at=datetime(2025, 1, 1)),
        # territory B, 12 months
        "b_13": person("Jade", date(2025, 11, 1), owner=other_prescriber, retention_notice_on=date(2026, 10, 31)),
        "b_11_5": person("Karim", date(2025, 12, 16), owner=other_prescriber),
        "b_10": person("Léo", date(2026, 2, 1), owner=other_prescriber),
    }
    db.session.flush()
    people["merged"] = person("Malik", merged_into_id=people["application_event"].id)

    offer = OfferInTerritoryFactory(created_at=OLD, updated_at=OLD)
    application = ApplicationFactory(candidate=people["told_then_active"], offer=offer, created_at=OLD,
                                     last_event_at=OLD, status=ApplicationStatus.SUBMITTED)
    db.session.add(ApplicationEvent(application=application, to_status=ApplicationStatus.SUBMITTED,
                                    occurred_at=at(date(2024, 11, 1))))
    application = ApplicationFactory(candidate=people["application_event"], offer=offer, created_at=OLD,
                                     last_event_at=OLD, status=ApplicationStatus.SENT)
    db.session.add(ApplicationEvent(application=application, to_status=ApplicationStatus.SENT,
                                    occurred_at=at(date(2026, 11, 3))))
    ended = EmploymentContractFactory(candidate=people["hours_entry"], lot=offer.lot, start_date=date(2022, 1, 10),
                                      planned_end_date=date(2022, 12, 31), end_date=date(2022, 12, 31),
                                      created_at=OLD, updated_at=OLD)
    HoursEntryFactory(contract=ended, month=date(2022, 12, 1), hours=Decimal("80"), created_at=OLD,
                      updated_at=at(date(2026, 11, 10)))  # corrected last month
    EmploymentContractFactory(candidate=people["running_contract"], lot=offer.lot, start_date=date(2022, 1, 10),
                              contract_type="cdi", planned_end_date=None, created_at=OLD, updated_at=OLD)
    db.session.commit()
    return {"people": {key: c.id for key, c in people.items()}, "referent": referent, "colleague": colleague,
            "other_member": other_member}


def ids(world, *keys):
    return {world["people"][key] for key in keys}


def planned(day: date) -> set[tuple[int, str]]:
    return {(d.candidate_id, d.action) for d in plan(day).decisions}


def scheduled(time_machine, day: date):
    moment = datetime(day.year, day.month, day.day, 1, 0, tzinfo=PARIS)
    time_machine.move_to(moment, tick=False)
    return run_scheduled(find_job("privacy.retention"), moment)


def counts(db) -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Notification, OutboxMessage, AuditEvent, JobRun))


def anonymised(db) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Candidate.id).where(Candidate.anonymised_at.is_not(None))))


def test_the_daily_job_tells_then_anonymises_exactly_who_the_rule_says(db, world, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 0, 30, tzinfo=PARIS), tick=False)
    already = ids(world, "anonymised")
    predicted = planned(ON)
    assert predicted == ({(i, Action.NOTIFY) for i in ids(world, "quiet_23", "never_told", "told_then_active",
                                                              "b_11_5")}
                         | {(i, Action.ANONYMISE) for i in ids(world, "told_31", "b_13")})

    done = scheduled(time_machine, ON)
    assert set(done.notified) == {i for i, action in predicted if action == Action.NOTIFY}
    assert set(done.anonymised) == {i for i, action in predicted if action == Action.ANONYMISE}
    assert anonymised(db) == already | ids(world, "told_31", "b_13")
    told = dict(db.session.execute(sa.select(Candidate.id, Candidate.retention_notice_on)
                                   .where(Candidate.retention_notice_on == ON)).all())
    assert set(told) == ids(world, "quiet_23", "never_told", "told_then_active", "b_11_5")
    # The notice is not an activity: the record's update time is kept.
    assert db.session.get(Candidate, world["people"]["quiet_23"]).updated_at == at(date(2024, 12, 16))
    assert str(done) == ("4 personne(s) signalée(s) à leur prescripteur (anonymisation dans 30 jours sans nouvelle "
                         "activité), 2 personne(s) anonymisée(s) après la durée de conservation, "
                         "0 personne(s) réduite(s) aux agrégats anonymes après la durée de justification des contrats.")

    # Once a day: the scheduler's second run of the day does nothing, a manual one finds nothing left.
    before = counts(db)
    assert scheduled(time_machine, ON) is None
    again = run(ON)
    assert (again.notified, again.anonymised) == ([], [])
    assert counts(db)[:3] == before[:3]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)
                             .where(JobRun.job_name == "privacy.retention", JobRun.period == "2026-12-01")) == 1

    # 31 days on: the people told on 1 December and the one told 29 days before are anonymised.
    predicted_later = planned(LATER)
    assert predicted_later == {(i, Action.ANONYMISE) for i in ids(world, "told_29", "quiet_23", "never_told",
                                                                  "told_then_active", "b_11_5")}
    later = scheduled(time_machine, LATER)
    assert set(later.anonymised) == {i for i, _ in predicted_later} and later.notified == []
    untouched = ids(world, "application_event", "hours_entry", "running_contract", "b_10", "merged")
    assert anonymised(db) == already | ids(world, "told_31", "b_13") | {i for i, _ in predicted_later}
    assert not untouched & anonymised(db)
    events = db.session.execute(sa.select(AuditEvent.entity_id, AuditEvent.details)
                                .where(AuditEvent.action == "candidate.anonymised")).all()
    assert sorted(entity for entity, _ in events) == sorted(set(done.anonymised) | set(later.anonymised))
    assert all(details == {"reason": "retention"} for _, details in events)


def test_the_notice_goes_to_the_referent_else_to_the_active_members_and_says_only_name_and_dates(
        db, world, time_machine):
    scheduled(time_machine, ON)
    referent, colleague, other = world["referent"], world["colleague"], world["other_member"]
    texts = {user: sorted(db.session.scalars(sa.select(Notification.message).where(Notification.user_id == user.id)))
             for user in (referent, colleague, other)}
    assert texts[referent] == [
        "Sans activité depuis le 01/06/2024, la fiche de Driss D. sera anonymisée à partir du 31/12/2026. Toute "
        "nouvelle activité (mise à jour de la fiche, orientation, étape…) la conserve.",
        "Sans activité depuis le 01/11/2024, la fiche d'Élise D. sera anonymisée à partir du 31/12/2026. Toute "
        "nouvelle activité (mise à jour de la fiche, orientation, étape…) la conserve.",
        "Sans activité depuis le 16/12/2024, la fiche de Chloé D. sera anonymisée à partir du 31/12/2026. Toute "
        "nouvelle activité (mise à jour de la fiche, orientation, étape…) la conserve."]
    assert len(texts[colleague]) == 2 and not any("Chloé" in text for text in texts[colleague])  # Chloé: her referent
    assert texts[other] == [
        "Sans activité depuis le 16/12/2025, la fiche de Karim D. sera anonymisée à partir du 31/12/2026. Toute "
        "nouvelle activité (mise à jour de la fiche, orientation, étape…) la conserve."]
    mails = {m.recipient: m for m in db.session.scalars(sa.select(OutboxMessage))}
    assert set(mails) == {"referent@exemple.fr", "collegue@exemple.fr", "cap@exemple.fr"}  # not the inactive member
    assert mails["referent@exemple.fr"].subject == "3 fiches bientôt anonymisées faute d'activité"
    assert mails["cap@exemple.fr"].subject == "Une fiche bientôt anonymisée faute d'activité"
    body = mails["referent@exemple.fr"].body
    assert "- Chloé D. : dernière activité le 16/12/2024, anonymisation à partir du 31/12/2026" in body
    assert f"/candidats/{world['people']['quiet_23']}" in body
    assert "Durand" not in body and "Durand" not in " ".join(texts[referent])
    notices = db.session.execute(sa.select(AuditEvent.entity_id, AuditEvent.actor_id, AuditEvent.details)
                                 .where(AuditEvent.action == "candidate.retention_notice")).all()
    assert len(notices) == 4 and all(actor is None for _, actor, _ in notices)
    assert {details["anonymise_from"] for _, _, details in notices} == {"2026-12-31"}
    assert all("Durand" not in str(details) for _, _, details in notices)


def test_an_activity_after_the_notice_voids_it(db, world, time_machine):
    scheduled(time_machine, ON)
    person = db.session.get(Candidate, world["people"]["never_told"])
    time_machine.move_to(datetime(2026, 12, 10, 9, 0, tzinfo=PARIS), tick=False)
    person.skills = "CACES R489"  # the prescriber updates the record
    db.session.commit()
    assert last_activity([person.id], LATER) == {person.id: date(2026, 12, 10)}
    assert (person.id, Action.ANONYMISE) not in planned(LATER)
    assert person.id not in run(LATER).anonymised
    db.session.expire_all()
    assert person.anonymised_at is None


def test_last_activity_reads_every_kind_of_activity(db, world):
    people = world["people"]
    found = last_activity(list(people.values()), ON)
    assert found[people["application_event"]] == date(2026, 11, 3)
    assert found[people["hours_entry"]] == date(2026, 11, 10)
    assert found[people["running_contract"]] == ON  # a running contract is activity today
    assert found[people["told_then_active"]] == date(2024, 11, 1)
    assert people["anonymised"] not in found and people["merged"] not in found


def test_the_rule_at_its_edges():
    activity = retention.Activity(1, 1, 1, date(2024, 12, 31), None)
    # the deadline is 31/12/2026 for 24 months; the notice is due from 01/12/2026
    assert decide(activity, 24, date(2026, 11, 30)) is None
    notice = decide(activity, 24, date(2026, 12, 1))
    assert (notice.action, notice.anonymise_from) == (Action.NOTIFY, date(2026, 12, 31))
    told = retention.Activity(1, 1, 1, date(2024, 12, 31), date(2026, 12, 1))
    assert decide(told, 24, date(2026, 12, 30)) is None
    assert decide(told, 24, date(2026, 12, 31)).action == Action.ANONYMISE
    same_day = retention.Activity(1, 1, 1, date(2026, 12, 1), date(2026, 12, 1))  # activity after the notice
    assert decide(same_day, 24, date(2029, 1, 1)).action == Action.NOTIFY
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_small_batches_give_the_same_plan(db, world, monkeypatch):
    whole = planned(ON)
    monkeypatch.setattr(retention, "BATCH_SIZE", 2)
    assert planned(ON) == whole


def test_the_dry_run_prints_what_the_run_does_and_writes_nothing(db, world, runner, time_machine):
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=PARIS), tick=False)
    before = counts(db)
    dry = runner.invoke(args=["privacy", "retention", "--dry-run", "--on", "2026-12-01"])
    assert dry.exit_code == 0, dry.output
    assert counts(db) == before and anonymised(db) == ids(world, "anonymised")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Candidate)
                             .where(Candidate.retention_notice_on == ON)) == 0
    lines = dry.output.splitlines()
    assert lines[:2] == ["Simulation (rien n'est enregistré ni envoyé).",
                         "Conservation au 01/12/2026 : 4 personne(s) à signaler à leur prescripteur, "
                         "2 personne(s) à anonymiser, 0 personne(s) à réduire aux agrégats anonymes (fin de la "
                         "durée de justification des contrats)."]
    chloe = world["people"]["quiet_23"]
    assert (f"candidat n° {chloe} — Mission locale Saint-Denis — dernière activité le 16/12/2024 — prévenir "
            "(anonymisation à partir du 31/12/2026)") in lines
    assert (f"candidat n° {world['people']['b_13']} — Cap Emploi Est — dernière activité le 01/11/2025 — "
            "anonymiser") in lines

    done = runner.invoke(args=["privacy", "retention", "--on", "2026-12-01"])
    assert done.exit_code == 0, done.output
    assert done.output.splitlines()[1:] == lines[2:]  # the run did exactly what the dry run said
    assert done.output.splitlines()[0].startswith("4 personne(s) signalée(s)")
    db.session.expire_all()
    assert db.session.scalars(sa.select(JobRun.period).where(JobRun.job_name == "privacy.retention")).all() == [None]


def test_the_cli_refuses_a_bad_date_in_french(runner, db):
    result = runner.invoke(args=["privacy", "retention", "--dry-run", "--on", "01/12/2026"])
    assert result.exit_code == 2
    assert "date attendue au format AAAA-MM-JJ" in result.output
    assert "Données personnelles (RGPD)" in runner.invoke(args=["privacy", "--help"]).output


def test_a_run_rechecks_each_person_on_what_the_database_holds_when_it_acts(db, world, time_machine, monkeypatch):
    """The plan was read, then the prescriber acted on two of its people: neither is told nor anonymised."""
    time_machine.move_to(datetime(2026, 12, 1, 9, 0, tzinfo=PARIS), tick=False)
    stale = plan(ON)
    for key in ("never_told", "told_31"):
        db.session.get(Candidate, world["people"][key]).skills = "Nouvelle expérience"
    db.session.commit()
    monkeypatch.setattr(retention, "plan", lambda on: stale)
    done = run(ON)
    assert set(done.notified) == ids(world, "quiet_23", "told_then_active", "b_11_5")
    assert done.anonymised == [world["people"]["b_13"]]
    db.session.expire_all()
    assert db.session.get(Candidate, world["people"]["never_told"]).retention_notice_on is None
    assert db.session.get(Candidate, world["people"]["told_31"]).anonymised_at is None


@pytest.mark.postgres
def test_two_runs_at_once_tell_and_anonymise_each_person_once(app, db, world):
    """Two runs (a manual one beside the scheduler's, say) released together: the rows locked and the
    rule re-checked under the lock, each person is told once and anonymised once."""
    from concurrency import failures, race

    outcomes = race([app, app], [lambda: run(ON), lambda: run(ON)])

    assert failures(outcomes) == []
    assert sorted(i for outcome in outcomes for i in outcome.notified) == sorted(
        ids(world, "quiet_23", "never_told", "told_then_active", "b_11_5"))
    assert sorted(i for outcome in outcomes for i in outcome.anonymised) == sorted(ids(world, "told_31", "b_13"))
    db.session.expire_all()
    actions = db.session.execute(sa.select(AuditEvent.action, sa.func.count()).group_by(AuditEvent.action)).all()
    assert dict(actions) == {"candidate.retention_notice": 4, "candidate.anonymised": 2}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 3
    assert db.session.scalar(sa.select(sa.func.sum(Notification.repeat_count))) == 6  # 3 + 2 + 1, none twice


def test_a_plan_reads_a_batch_in_a_fixed_number_of_queries(db, world, count_queries, territory):
    """The last activity of a whole batch is one grouped query: more people, same number of queries."""
    with count_queries() as statements:
        first = plan(ON)
    prescriber = db.session.get(Candidate, world["people"]["never_told"]).prescriber
    for index in range(10):
        CandidateInTerritoryFactory(prescriber=prescriber, created_at=OLD, updated_at=OLD, first_name=f"P{index}")
    db.session.commit()
    with count_queries() as more:
        second = plan(ON)
    assert len(second.notices) == len(first.notices) + 10
    assert len(more) == len(statements)


def test_an_organisation_without_active_members_has_the_territory_facilitators_told_and_else_nobody_is(
        db, territory, personas):
    orphan = PrescriberFactory(territory=territory, name="Association dissoute")
    UserFactory(role=Role.PRESCRIBER, email="ancien@exemple.fr", is_active=False, organisation=orphan)
    person = CandidateInTerritoryFactory(prescriber=orphan, created_at=OLD, updated_at=OLD)
    alone_territory = TerritoryFactory(name="Sans équipe")
    nobody = CandidateInTerritoryFactory(prescriber=PrescriberFactory(territory=alone_territory), created_at=OLD,
                                         updated_at=OLD)
    db.session.commit()

    done = run(ON)

    assert done.notified == [person.id]  # `nobody` has nobody to tell: no notice, tried again the next day
    facilitator = personas["facilitator"]
    assert db.session.scalars(sa.select(OutboxMessage.recipient)).all() == [facilitator.email]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == facilitator.id)) == 1
    db.session.expire_all()
    assert db.session.get(Candidate, nobody.id).retention_notice_on is None
    assert (nobody.id, Action.NOTIFY) in planned(ON)
