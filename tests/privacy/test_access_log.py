"""The access log (issue 14): every change about a person leaves an audit event naming them, every
view of their sensitive data is logged, their page shows "Consultations et modifications" to
their prescriber and the territory's facilitators only, and the whole log is one page away."""
import html
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from factories import (
    CandidateInTerritoryFactory,
    ClauseFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications import services as applications
from clausematch.audit import AuditEvent, record
from clausematch.candidates import services as candidates
from clausematch.candidates import validation
from clausematch.candidates.checks import CandidateInput, ConsentInput, CriterionInput, DesiredJobInput
from clausematch.candidates.models import Candidate, EligibilityCriterion, EligibilityStatus
from clausematch.candidates.services import STANDARD_PURPOSES
from clausematch.database import today
from clausematch.pathways.exits import ExitData, record_exit
from clausematch.pathways.hiring import HireData, record_hire
from clausematch.pathways.hours import cell_name, save_grid
from clausematch.pathways.models import EmploymentContract, HoursKind
from clausematch.privacy import access_log
from clausematch.vocabulary import Criterion


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def person_input(**values) -> CandidateInput:
    defaults = dict(first_name="Hélène", last_name="Martin", birth_date=date(1990, 5, 17), gender="f",
                    education_level="cap_bep", email="helene.martin@exemple.fr", phone="06 12 34 56 78",
                    commune_text="Saint-Denis (93200)", commune_insee="93066",
                    desired_jobs=[DesiredJobInput("Maçon / Maçonne (F1703 Maçonnerie)", "16250")],
                    skills="Coffrage", experience="Deux ans sur chantier", mobility_km=20,
                    criteria=[CriterionInput("rsa", "Attestation CAF", date(2026, 2, 1))])
    defaults.update(values)
    return CandidateInput(**defaults)


def events_of(db, candidate_id: int) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.candidate_id == candidate_id)
                                   .order_by(AuditEvent.id)))


@pytest.fixture
def offer(db, personas, territory):
    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory),
                     company=personas["company"].organisation, title="Gros œuvre")
    ClauseFactory(lot=lot, eligible_criteria=["deld", "rsa"])
    offer = OfferInTerritoryFactory(lot=lot, title="Coffreur bancheur")
    db.session.commit()
    return offer


@pytest.fixture
def person(db, personas):
    candidate = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Awa",
                                            last_name="Diallo")
    db.session.commit()
    return candidate


def test_each_main_change_about_a_person_leaves_an_event_naming_them(db, personas, offer, time_machine):
    """Create, edit, criterion validated, proposed, application moved, hired, hours declared, exit:
    each leaves its event with the person's id and the actor's organisation, ids and codes only."""
    time_machine.move_to("2026-03-02 09:00", tick=False)
    prescriber, facilitator, company = personas["prescriber"], personas["facilitator"], personas["company"]
    created = candidates.create_candidate(prescriber, person_input(), ConsentInput(
        given=True, given_on=today(), purposes=STANDARD_PURPOSES)).candidate
    candidate_id = created.id
    candidates.update_candidate(prescriber, candidate_id, person_input(skills="Coffrage, ferraillage"),
                                version=db.session.get(Candidate, candidate_id).version)
    criterion_id = db.session.scalar(sa.select(EligibilityCriterion.id)
                                     .where(EligibilityCriterion.candidate_id == candidate_id))
    validation.validate_criterion(facilitator, criterion_id)
    application = applications.propose(candidate_id, offer.id, "", prescriber)
    for step in ("validated", "shortlisted", "sent"):
        applications.move(application.id, step, facilitator)
    record_hire(application.id, HireData(contract_type="cdd", start_date=date(2026, 3, 2),
                                         planned_end_date=date(2026, 8, 31), weekly_hours=35), "", company)
    contract = db.session.scalar(sa.select(EmploymentContract).where(EmploymentContract.candidate_id == candidate_id))
    time_machine.move_to("2026-04-03 09:00", tick=False)
    save_grid(company, offer.lot_id, date(2026, 3, 1),
              {cell_name(contract.id, HoursKind.WORK): "140"})
    record_exit(contract.id, ExitData(exit_date=date(2026, 4, 2), detail="cdi"), facilitator)

    events = events_of(db, candidate_id)
    actions = [event.action for event in events]
    for expected in ("candidate.created", "candidate.updated", "eligibility.validated", "application.created",
                     "application.status_changed", "employment_contract.created", "hours.person_declared",
                     "exit.recorded"):
        assert expected in actions, expected
    assert actions.count("application.status_changed") == 5  # proposed, three moves and the hire
    organisations = {event.action: event.organisation_id for event in events}
    assert organisations["candidate.created"] == prescriber.organisation.id
    assert organisations["eligibility.validated"] == facilitator.organisation.id
    assert organisations["hours.person_declared"] == company.organisation.id
    assert not any("Martin" in str(event.details) or "Hélène" in str(event.details) for event in events)


def test_hours_of_a_lot_are_logged_for_each_person_they_concern(db, personas, offer, time_machine):
    """A grid saved for two people leaves one lot event and one event per person."""
    time_machine.move_to("2026-04-03 09:00", tick=False)
    awa = EmploymentContractFactory(lot=offer.lot, candidate=CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation), start_date=date(2026, 3, 1),
        planned_end_date=date(2026, 12, 31))
    binta = EmploymentContractFactory(lot=offer.lot, candidate=CandidateInTerritoryFactory(
        prescriber=personas["prescriber"].organisation), start_date=date(2026, 3, 1),
        planned_end_date=date(2026, 12, 31))
    db.session.commit()
    save_grid(personas["company"], offer.lot_id, date(2026, 3, 1),
              {cell_name(awa.id, HoursKind.WORK): "100", cell_name(binta.id, HoursKind.WORK): "80"})
    db.session.expire_all()
    rows = db.session.execute(sa.select(AuditEvent.action, AuditEvent.candidate_id)
                              .where(AuditEvent.action.in_(["hours.declared", "hours.person_declared"]))).all()
    assert sorted(rows, key=str) == sorted([("hours.declared", None), ("hours.person_declared", awa.candidate_id),
                                            ("hours.person_declared", binta.candidate_id)], key=str)


def test_the_person_page_logs_a_view_and_shows_the_latest_entries(db, personas, person, client, login_as):
    login_as("prescriber")
    assert client.get(f"/candidats/{person.id}").status_code == 200
    login_as("facilitator")
    response = client.get(f"/candidats/{person.id}")
    assert response.status_code == 200
    events = events_of(db, person.id)
    assert [(e.action, e.actor_id, e.details) for e in events] == [
        ("candidate.viewed", personas["prescriber"].id, {"what": "fiche"}),
        ("candidate.viewed", personas["facilitator"].id, {"what": "fiche"})]
    assert [e.organisation_id for e in events] == [personas["prescriber"].organisation.id,
                                                   personas["facilitator"].organisation.id]
    page = text_of(response)
    assert "Consultations et modifications" in page
    prescriber = personas["prescriber"]
    assert f"Consulté (fiche) par {prescriber.full_name} — {prescriber.organisation.name} — le " in page
    assert f"/candidats/{person.id}/journal" in page


def test_the_pathway_the_edit_form_and_the_queue_are_logged(db, personas, client, login_as):
    person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation)
    person.criteria.append(EligibilityCriterion(criterion=Criterion.RSA, evidence="Attestation CAF",
                                                status=EligibilityStatus.DECLARED))
    db.session.commit()
    login_as("prescriber")
    assert client.get(f"/parcours/{person.id}").status_code == 200
    assert client.get(f"/candidats/{person.id}/modifier").status_code == 200
    login_as("facilitator")
    assert client.get("/eligibilites").status_code == 200
    whats = [(e.actor_id, e.details["what"]) for e in events_of(db, person.id)]
    assert whats == [(personas["prescriber"].id, "parcours"), (personas["prescriber"].id, "criteres"),
                     (personas["facilitator"].id, "justificatifs")]


def test_a_refused_page_logs_nothing(db, personas, person, client, login_as):
    other = UserFactory(role=Role.PRESCRIBER, email="autre@exemple.fr",
                        organisation=PrescriberFactory(territory=person.territory))
    db.session.commit()
    for role in ("company", "buyer", "admin", other):
        login_as(role)
        assert client.get(f"/candidats/{person.id}").status_code in (403, 404)
        assert client.get(f"/candidats/{person.id}/journal").status_code in (403, 404)
        assert client.get(f"/parcours/{person.id}").status_code in (403, 404)
    assert events_of(db, person.id) == []


def test_the_view_is_not_shown_when_it_cannot_be_logged(db, personas, person, client, login_as, monkeypatch):
    """Fail closed: the log's commit fails, the page is not sent (the data is never shown unlogged)."""
    login_as("prescriber")

    def broken(*args, **kwargs):
        raise sa.exc.OperationalError("INSERT", {}, Exception("base injoignable"))

    monkeypatch.setattr(access_log, "log_views", broken)
    response = client.get(f"/candidats/{person.id}")
    assert response.status_code == 503
    assert person.last_name not in text_of(response)


def test_log_view_refuses_an_unknown_kind(db, personas, person):
    with pytest.raises(ValueError):
        access_log.log_view(personas["prescriber"], person.id, "photos")
    assert events_of(db, person.id) == []


def test_the_whole_log_is_paginated_with_french_labels_and_bounded_queries(db, personas, person, client, login_as,
                                                                           count_queries):
    facilitator = personas["facilitator"]
    for _ in range(60):
        record("candidate.viewed", "candidate", person.id, actor_id=facilitator.id, candidate_id=person.id,
               what="parcours")
    record("eligibility.validated", "eligibility_criterion", 1, actor_id=facilitator.id, candidate_id=person.id)
    record("something.new", "candidate", person.id, actor_id=facilitator.id, candidate_id=person.id)
    db.session.commit()
    login_as("prescriber")
    response = client.get(f"/candidats/{person.id}/journal")
    page = text_of(response)
    assert response.status_code == 200
    assert "62 entrées" in page and "Page 1 sur 2" in page
    assert "Modifié : autre changement" in page and "Modifié : critère validé" in page
    assert "Consulté (parcours)" in page and facilitator.full_name in page
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(f"/candidats/{person.id}/journal?page=2").status_code == 200
    small = len(statements)
    for _ in range(60):
        record("candidate.viewed", "candidate", person.id, actor_id=facilitator.id, candidate_id=person.id,
               what="fiche")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as statements:
        assert client.get(f"/candidats/{person.id}/journal?page=2").status_code == 200
    assert len(statements) == small


def test_the_moment_is_said_in_french_in_paris_time():
    assert access_log.format_moment(datetime(2026, 12, 3, 13, 5)) == "3 décembre 2026 à 14 h 05"
    assert access_log.format_moment(datetime(2026, 7, 1, 6, 30)) == "1er juillet 2026 à 8 h 30"


def test_labels_of_changes_and_views():
    assert access_log.action_label("candidate.viewed", {"what": "export"}) == "Consulté (export des données)"
    assert access_log.action_label("application.status_changed", {"to_status": "hired"}) == \
        "Modifié : candidature passée à l'étape « Embauchée »"
    assert access_log.action_label("unheard.of", {}) == "Modifié : autre changement"
