"""Right of access (privacy/access.py, web/privacy/routes.py, privacy/cli.py): everything held about a
person, across organisations, as a page, as JSON and from the command line; every export logged;
nobody else opens it; a bounded number of queries whatever the person's history."""
import json
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from factories import (
    CandidateInTerritoryFactory,
    FacilitatorTeamFactory,
    LotInTerritoryFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    TerritoryFactory,
    UserFactory,
)

from clausematch import audit
from clausematch.accounts.models import Role
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus
from clausematch.audit import AuditEvent
from clausematch.candidates.models import CandidateDesiredJob, Consent, EligibilityCriterion, EligibilityStatus
from clausematch.pathways.models import EmploymentContract, Exit, FollowUp, HoursEntry, HoursRevision, HoursStatus
from clausematch.prehire.models import Event, EventKind, EventParticipant, ParticipantStatus, PreHireStep, StepKind
from clausematch.prehire.rules import local_now
from clausematch.privacy.access import EXPORT_ACTION, personal_data
from clausematch.vocabulary import EXIT_CATEGORY, ContractType, Criterion, ExitDetail, Gender, Mode

# Every table that refers to a person, directly or through one of those tables, and where the
# export lists its rows (ids). A new table referring to a person fails the first test until it is
# exported here (or excluded below, with the reason).
EXPORTED = {
    "candidates": lambda d: [row["id"] for row in d["merged_records"]],  # records merged into this one
    "candidate_desired_jobs": lambda d: [row["id"] for row in d["identity"]["desired_jobs"]],
    "consents": lambda d: [row["id"] for row in d["consents"]],
    "eligibility_criteria": lambda d: [row["id"] for row in d["eligibility_criteria"]],
    "event_participants": lambda d: [row["id"] for row in d["event_participations"]],
    "applications": lambda d: [row["id"] for row in d["applications"]],
    "application_events": lambda d: [event["id"] for row in d["applications"] for event in row["events"]],
    "prehire_steps": lambda d: [row["id"] for row in d["prehire_steps"]],
    "employment_contracts": lambda d: [row["id"] for row in d["employment_contracts"]],
    "exits": lambda d: [row["id"] for row in d["exits"]],
    "follow_ups": lambda d: [row["id"] for row in d["follow_ups"]],  # through exits: one level further
    "hours_entries": lambda d: [row["id"] for row in d["hours_entries"]],
    "hours_revisions": lambda d: [rev["id"] for row in d["hours_entries"] for rev in row["revisions"]],
    "audit_events": lambda d: [row["id"] for row in d["access_log"]],  # the person's log (candidate_id)
}
NOT_EXPORTED = {
    # The search index of the names: the person's names, normalised; the identity carries the names.
    "candidate_name_words",
}


def tables_about_a_person(db) -> dict[str, list[tuple]]:
    """table name -> the foreign-key paths from it to candidates.id: (column,) for a direct key,
    (column, parent table, parent's column) for a key to a table that refers to a person.
    A merged record's own rows are its export, not this one's: the self-reference stops there."""
    candidates = db.metadata.tables["candidates"]
    direct: dict[str, list[tuple]] = {}
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table is candidates:
                direct.setdefault(table.name, []).append((fk.parent.name,))
    found = {name: list(paths) for name, paths in direct.items()}
    for parent_name, parent_paths in direct.items():
        if parent_name == "candidates":
            continue
        parent = db.metadata.tables[parent_name]
        for table in db.metadata.sorted_tables:
            for fk in table.foreign_keys:
                if fk.column.table is parent:
                    for (parent_column,) in parent_paths:
                        found.setdefault(table.name, []).append((fk.parent.name, parent_name, parent_column))
    return found


def ids_in_database(db, table_name: str, paths: list[tuple], candidate_id: int) -> set[int]:
    table = db.metadata.tables[table_name]
    conditions = []
    for path in paths:
        if len(path) == 1:
            conditions.append(table.c[path[0]] == candidate_id)
        else:
            column, parent_name, parent_column = path
            parent = db.metadata.tables[parent_name]
            parent_ids = sa.select(parent.c.id).where(parent.c[parent_column] == candidate_id)
            conditions.append(table.c[column].in_(parent_ids))
    return set(db.session.scalars(sa.select(table.c.id).where(sa.or_(*conditions))))


def build_person(db, owner, other_org_user, company, facilitator, size: int = 1):
    """A person of `owner` with rows in every table about a person (`size` of the repeatable ones),
    some declared by another prescriber organisation, a facilitator or the company."""
    prescriber_user = owner.memberships[0].user if owner.memberships else None
    person = CandidateInTerritoryFactory(prescriber=owner, first_name="Léa", last_name="Martin",
                                         email="lea.martin@example.org", phone="0601020304",
                                         birth_date=date(1990, 5, 17), gender=Gender.FEMALE,
                                         skills="Coffrage, lecture de plans", referent=prescriber_user)
    person.desired_jobs.append(CandidateDesiredJob(appellation_code=16250, position=1))
    db.session.flush()
    merged = CandidateInTerritoryFactory(prescriber=other_org_user.organisation, first_name="Léa",
                                         last_name="Martin-Diallo", merged_into_id=person.id)
    db.session.add(Consent(candidate_id=person.id, given_on=date(2025, 1, 6), recorded_by_id=prescriber_user.id,
                           purposes="Accompagnement vers l'emploi"))
    db.session.add_all([
        EligibilityCriterion(candidate_id=person.id, criterion=Criterion.RSA, evidence="Attestation CAF",
                             declared_by_id=prescriber_user.id, declared_by_organisation_id=owner.id,
                             status=EligibilityStatus.VALIDATED, validated_by_id=facilitator.id,
                             validated_at=local_now(), valid_until=date(2026, 7, 1)),
        # Declared by another organisation: the owner's pages never show it, the export does.
        EligibilityCriterion(candidate_id=person.id, criterion=Criterion.RQTH, evidence="Notification MDPH",
                             declared_by_id=other_org_user.id,
                             declared_by_organisation_id=other_org_user.organisation.id),
    ])
    lot = LotInTerritoryFactory(contract__buyer__territory=owner.territory, company=company)
    contracts = []
    for n in range(size):
        offer = OfferInTerritoryFactory(lot=lot, title=f"Coffreur bancheur {n}")
        application = Application(candidate_id=person.id, offer_id=offer.id, prescriber_id=owner.id,
                                   proposed_by_id=prescriber_user.id, message="Très motivée",
                                   status=ApplicationStatus.HIRED)
        db.session.add(application)
        db.session.flush()
        db.session.add_all([
            ApplicationEvent(application_id=application.id, to_status=ApplicationStatus.SUBMITTED,
                             actor_id=prescriber_user.id),
            ApplicationEvent(application_id=application.id, from_status=ApplicationStatus.SUBMITTED,
                             to_status=ApplicationStatus.HIRED, actor_id=facilitator.id, comment="Embauchée"),
        ])
        event = Event(territory_id=owner.territory_id, kind=EventKind.JOB_DATING, title=f"Job-dating {n}",
                      place="Mairie", starts_at=local_now() - timedelta(days=3 + n))
        db.session.add(event)
        db.session.flush()
        db.session.add_all([
            EventParticipant(event_id=event.id, candidate_id=person.id, status=ParticipantStatus.ATTENDED,
                             invited_by_id=facilitator.id),
            PreHireStep(candidate_id=person.id, kind=StepKind.POEC, start_date=date(2025, 1, 6) + timedelta(days=n),
                        organisation_name="AFPA", hours=Decimal("400"), created_by_id=facilitator.id),
        ])
        contract = EmploymentContract(candidate_id=person.id, application_id=application.id, lot_id=lot.id,
                                      company_id=company.id, employer_id=company.id, contract_type=ContractType.CDD,
                                      mode=Mode.DIRECT, start_date=date(2025, 3, 1), planned_end_date=date(2025, 8, 31),
                                      end_date=date(2025, 8, 31), weekly_hours=35,
                                      previous_contract_id=contracts[-1].id if contracts else None)
        db.session.add(contract)
        db.session.flush()
        contracts.append(contract)
        exit = Exit(contract_id=contract.id, exit_date=date(2025, 8, 31), detail=ExitDetail.CDI,
                    category=EXIT_CATEGORY[ExitDetail.CDI], recorded_by_id=facilitator.id)
        db.session.add(exit)
        db.session.flush()
        db.session.add(FollowUp(exit_id=exit.id, due_on=date(2026, 2, 28), done_on=date(2026, 3, 2), in_work=True,
                                situation=ExitDetail.CDI, recorded_by_id=facilitator.id))
        for month in (3, 4, 5):
            entry = HoursEntry(contract_id=contract.id, candidate_id=person.id, lot_id=lot.id, company_id=company.id,
                               mode=Mode.DIRECT, month=date(2025, month, 1), hours=Decimal("151.67"),
                               status=HoursStatus.VALIDATED, validated_by_id=facilitator.id, validated_at=local_now())
            db.session.add(entry)
            db.session.flush()
            db.session.add(HoursRevision(entry_id=entry.id, old_hours=Decimal("140"), new_hours=Decimal("151.67"),
                                         actor_id=facilitator.id, comment="Correction"))
    audit.record("candidate.created", "candidate", person.id, actor_id=prescriber_user.id, candidate_id=person.id)
    db.session.commit()
    return person, merged


@pytest.fixture
def other_org_user(db, territory):
    user = UserFactory(role=Role.PRESCRIBER, email="mission-locale@exemple.fr",
                       organisation=PrescriberFactory(territory=territory, name="Mission locale de Saint-Denis"))
    db.session.commit()
    return user


@pytest.fixture
def person(db, personas, other_org_user):
    person, _ = build_person(db, personas["prescriber"].organisation, other_org_user,
                             personas["company"].organisation, personas["facilitator"])
    return person


@pytest.fixture
def neighbour(db, personas, other_org_user):
    """Someone else, with a full history too (what must never appear in `person`'s export)."""
    neighbour, _ = build_person(db, other_org_user.organisation, personas["prescriber"],
                                personas["company"].organisation, personas["facilitator"])
    return neighbour


def exports(db) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == EXPORT_ACTION)
                                   .order_by(AuditEvent.id)))


def without_moment(data: dict) -> dict:
    """The export minus what changes from one export to the next (its time, the log that grows)."""
    return {key: value for key, value in data.items() if key not in ("generated_at", "access_log")}


def test_the_export_holds_every_row_of_every_table_about_the_person_and_nothing_else(db, person, neighbour):
    tables = tables_about_a_person(db)
    assert set(tables) - NOT_EXPORTED <= set(EXPORTED), "table about a person missing from the export"
    data = personal_data(person.id)
    for table_name, ids_of in EXPORTED.items():
        if table_name == "follow_ups":  # two tables away (exits, contracts): read by hand
            expected = set(db.session.scalars(sa.select(FollowUp.id).join(Exit).join(EmploymentContract)
                                              .where(EmploymentContract.candidate_id == person.id)))
        else:
            expected = ids_in_database(db, table_name, tables[table_name], person.id)
        assert expected, f"the test person has no row in {table_name}"
        assert sorted(ids_of(data)) == sorted(expected), table_name


def test_the_export_is_readable_and_crosses_organisations(db, person, personas, other_org_user):
    data = personal_data(person.id)
    identity = data["identity"]
    assert (identity["first_name"], identity["birth_date"], identity["email"]) == ("Léa", "1990-05-17",
                                                                                   "lea.martin@example.org")
    assert identity["gender"] == {"code": Gender.FEMALE.value, "label": "Femme"}
    assert identity["prescriber"]["name"] == personas["prescriber"].organisation.name
    assert identity["referent"] == {"id": personas["prescriber"].id, "name": personas["prescriber"].full_name,
                                    "organisation": personas["prescriber"].organisation.name}
    rqth = next(row for row in data["eligibility_criteria"] if row["criterion"]["code"] == "rqth")
    assert rqth["declared_by"]["organisation"] == "Mission locale de Saint-Denis"
    assert rqth["evidence"] == "Notification MDPH"
    [application] = data["applications"]
    assert application["offer"]["title"] == "Coffreur bancheur 0"
    assert application["company"]["name"] == personas["company"].organisation.name
    assert [e["to_status"]["label"] for e in application["events"]] == ["Proposée", "Embauchée"]
    assert data["hours_entries"][0]["month"] == "2025-03" and data["hours_entries"][0]["hours"] == 151.67
    assert data["hours_entries"][0]["revisions"][0]["actor"]["name"] == personas["facilitator"].full_name
    assert data["merged_records"][0]["last_name"] == "Martin-Diallo"
    assert [row["action"]["code"] for row in data["access_log"]] == ["candidate.created"]


def test_the_json_download_is_the_export_and_is_logged(client, login_as, db, person, personas):
    login_as("prescriber")
    response = client.get(f"/candidats/{person.id}/donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="donnees-{person.id}.json"'
    assert "Léa".encode() in response.data  # UTF-8, not \u escapes
    assert without_moment(json.loads(response.data.decode("utf-8"))) == without_moment(personal_data(person.id))
    [event] = exports(db)
    assert (event.entity_type, event.entity_id, event.actor_id, event.details) == (
        "candidate", person.id, personas["prescriber"].id, {"format": "json"})
    # The next export shows this one in the log.
    assert personal_data(person.id)["access_log"][-1]["action"]["code"] == EXPORT_ACTION


def test_the_page_and_the_json_agree(client, login_as, db, person, personas):
    login_as("facilitator")
    page = client.get(f"/candidats/{person.id}/donnees").get_data(as_text=True)
    data = personal_data(person.id)
    assert page.count("<h1") == 1 and "<caption" in page and 'scope="col"' in page
    shown = {}
    for section, row_id in re.findall(r'id="([a-z_]+)-(\d+)"', page):
        shown.setdefault(section, set()).add(int(row_id))
    for table_name, ids_of in EXPORTED.items():
        if table_name == "audit_events":  # the log grew by this page's own export: below
            continue
        section = "merged_records" if table_name == "candidates" else table_name
        assert shown.get(section, set()) == set(ids_of(data)), table_name
    assert shown["audit_events"] == {row["id"] for row in data["access_log"]} - {exports(db)[-1].id}
    assert "17/05/1990" in page and "Mission locale de Saint-Denis" in page and "Notification MDPH" in page
    [event] = exports(db)
    assert (event.actor_id, event.details) == (personas["facilitator"].id, {"format": "page"})


def test_the_candidate_page_links_to_the_export(client, login_as, person):
    for role in ("prescriber", "facilitator"):
        login_as(role)
        page = client.get(f"/candidats/{person.id}").get_data(as_text=True)
        assert f'href="/candidats/{person.id}/donnees"' in page
        assert "Données personnelles de la personne (droit d'accès)" in page


def test_the_command_prints_the_same_json_and_is_logged(runner, db, person):
    result = runner.invoke(args=["privacy", "export", "--candidate", str(person.id)])
    assert result.exit_code == 0, result.output
    assert "Léa" in result.output
    assert without_moment(json.loads(result.output)) == without_moment(personal_data(person.id))
    [event] = exports(db)
    assert (event.actor_id, event.details) == (None, {"format": "cli"})


def test_the_command_refuses_an_unknown_person_in_french(runner, db, person):
    result = runner.invoke(args=["privacy", "export", "--candidate", "999999"])
    assert result.exit_code != 0
    assert "Aucune personne n'a la fiche n° 999999" in result.output
    assert exports(db) == []


def test_nobody_else_opens_the_export(client, login_as, db, person, personas, other_org_user):
    elsewhere = UserFactory(role=Role.FACILITATOR, email="facilitateur-ailleurs@exemple.fr",
                            organisation=FacilitatorTeamFactory(territory=TerritoryFactory(name="Ailleurs")))
    db.session.commit()
    for user in (personas["company"], personas["buyer"], personas["admin"], other_org_user, elsewhere):
        login_as(user)
        for path in (f"/candidats/{person.id}/donnees", f"/candidats/{person.id}/donnees.json"):
            assert client.get(path).status_code == 403, (user.email, path)
    login_as("prescriber")
    assert client.get("/candidats/999999/donnees.json").status_code == 404
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/candidats/{person.id}/donnees.json")
    assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/connexion"
    assert exports(db) == []


def test_the_export_runs_a_fixed_number_of_queries(db, personas, other_org_user, count_queries):
    owner, company = personas["prescriber"].organisation, personas["company"].organisation
    small, _ = build_person(db, owner, other_org_user, company, personas["facilitator"], size=1)
    large, _ = build_person(db, owner, other_org_user, company, personas["facilitator"], size=12)
    db.session.expire_all()
    with count_queries() as statements:
        small_data = personal_data(small.id)
    small_count = len(statements)
    db.session.expire_all()
    with count_queries() as statements:
        large_data = personal_data(large.id)
    assert len(large_data["hours_entries"]) == 36 and len(large_data["applications"]) == 12
    assert len(small_data["hours_entries"]) == 3
    assert len(statements) == small_count <= 20


def test_an_anonymised_record_exports_what_is_left_and_why(db, person, personas):
    from clausematch.privacy.erasure import Reason, anonymise

    anonymise(person.id, personas["facilitator"].id, Reason.ERASURE)
    data = personal_data(person.id)
    assert (data["identity"]["first_name"], data["identity"]["email"]) == ("Personne", None)
    assert data["identity"]["anonymised_at"] is not None
    assert {row["evidence"] for row in data["eligibility_criteria"]} == {""}
    assert data["access_log"][-1]["action"] == {"code": "candidate.anonymised",
                                                "label": "Modifié : données anonymisées"}
    assert len(data["hours_entries"]) == 3  # the statistics stay, and they are still the person's
