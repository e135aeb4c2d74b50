"""Consent withdrawn (issue 14, privacy/withdrawal.py and its page): the person leaves the matching
index, cannot be proposed, disappears from the companies' views (open applications closed with a
neutral reason), and only the contracts and hours already declared stay, pseudonymised."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import (
    ApplicationFactory,
    CandidateInTerritoryFactory,
    ContractInTerritoryFactory,
    EmploymentContractFactory,
    HoursEntryFactory,
    LotFactory,
    OfferInTerritoryFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts.models import Role
from clausematch.applications import services as application_services
from clausematch.applications.models import Application, ApplicationEvent, ApplicationStatus, RefusalReason
from clausematch.audit import AuditEvent
from clausematch.candidates.models import (
    Candidate,
    CandidateDesiredJob,
    Consent,
    EligibilityCriterion,
    EligibilityStatus,
)
from clausematch.database import today, utcnow
from clausematch.errors import DomainError, FieldErrors, NotAllowed
from clausematch.matching import services as matching
from clausematch.matching import shortlisting
from clausematch.notifications import Notification, OutboxMessage
from clausematch.prehire.models import Event, EventKind, EventParticipant, ParticipantStatus
from clausematch.privacy.withdrawal import WithdrawalChannel, record_withdrawal
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.hours import hours_report
from clausematch.reporting.queries.publics import publics_report
from clausematch.vocabulary import Criterion

S = ApplicationStatus
MASON = 16250  # "Maçon / Maçonne", F1703
PATHS = {
    S.SUBMITTED: [S.SUBMITTED],
    S.SENT: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT],
    S.INTERVIEW: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW],
    S.HIRED: [S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.HIRED],
}


def criterion(person, code="rsa"):
    person.criteria.append(EligibilityCriterion(
        criterion=Criterion(code), status=EligibilityStatus.VALIDATED, evidence="Attestation CAF vue",
        validated_at=utcnow(), valid_until=today() + timedelta(days=90)))


def offer_of(company, territory, title="Maçon / Maçonne"):
    from clausematch.offers.services import offer_search_text

    lot = LotFactory(contract=ContractInTerritoryFactory(buyer__territory=territory), company=company)
    return OfferInTerritoryFactory(lot=lot, title=title, search_text=offer_search_text(title, "Maçon / Maçonne"))


def application(person, offer, status, actor):
    row = ApplicationFactory(candidate=person, offer=offer, status=status, proposed_by_id=actor.id)
    previous = None
    for step in PATHS[status]:
        db_session().add(ApplicationEvent(application=row, from_status=previous, to_status=step, actor_id=actor.id))
        previous = step
    return row


def db_session():
    from clausematch.extensions import db

    return db.session


@pytest.fixture
def person(db, personas):
    """Léa Martin, followed by the persona prescriber, consent given 60 days ago, a maçon with a valid RSA."""
    lea = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, first_name="Léa",
                                      last_name="Martin", email="lea.martin@exemple.fr", phone="06 12 34 56 78",
                                      skills="Lecture de plans", desired_jobs_text="maçonne")
    lea.desired_jobs.append(CandidateDesiredJob(appellation_code=MASON))
    criterion(lea)
    lea.consents.append(Consent(given_on=today() - timedelta(days=60), purposes="Accompagnement vers l'emploi",
                                recorded_by_id=personas["prescriber"].id))
    db.session.commit()
    return lea


@pytest.fixture
def offers(db, personas, territory):
    company = personas["company"].organisation
    made = [offer_of(company, territory, title) for title in ("Maçon VRD", "Maçon coffreur", "Maçon finisseur",
                                                               "Maçon en rénovation")]
    db.session.commit()
    return made


def withdraw(personas, person, role="prescriber", on=None, channel="email"):
    return record_withdrawal(personas[role], person.id, on or today() - timedelta(days=1), channel)


# --- The service ---------------------------------------------------------------------------------

def test_open_applications_close_with_the_neutral_reason_and_the_hire_stays(db, personas, territory, person, offers):
    prescriber = personas["prescriber"]
    submitted = application(person, offers[0], S.SUBMITTED, prescriber)
    sent = application(person, offers[1], S.SENT, prescriber)
    interview = application(person, offers[2], S.INTERVIEW, prescriber)
    hired = application(person, offers[3], S.HIRED, prescriber)
    contract = EmploymentContractFactory(candidate=person, lot=offers[3].lot, application_id=hired.id,
                                         start_date=date(2025, 3, 1))
    HoursEntryFactory(contract=contract, month=date(2025, 3, 1), hours=Decimal("120"))
    db.session.commit()
    before_notifications = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))

    outcome = withdraw(personas, person, channel="signed_letter")

    assert (outcome.closed_applications, outcome.channel) == (3, WithdrawalChannel.SIGNED_LETTER)
    db.session.expire_all()
    for row in (submitted, sent, interview):
        assert (row.status, row.refusal_reason) == (S.REFUSED, RefusalReason.CLOSED)
        last = row.events[-1]
        assert (last.to_status, last.refusal_reason, last.actor_id) == (S.REFUSED, RefusalReason.CLOSED, None)
    assert hired.status == S.HIRED
    # Nobody is told anything naming the person (no notification, no e-mail).
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before_notifications
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    # The consent says when and how; the person is anonymised; the contract and hours stay, counted.
    [consent] = person.consents
    assert (consent.withdrawn_on, consent.withdrawal_channel, consent.withdrawal_recorded_by_id) == (
        today() - timedelta(days=1), "signed_letter", prescriber.id)
    assert person.anonymised_at is not None and person.first_name == "Personne" and person.email is None
    assert not person.is_active
    assert db.session.scalar(sa.select(Candidate.id).where(Candidate.id == person.id, Candidate.is_active)) is None
    report = hours_report(Scope(territory_id=territory.id, lot_id=offers[3].lot_id), territory, "lot")
    assert sum(line.realised for line in report.lines) == Decimal("120")
    publics = publics_report(Scope(territory_id=territory.id, lot_id=offers[3].lot_id), territory)
    assert (publics.participants, publics.hours) == (1, Decimal("120"))
    # One audit event with the channel and the date, no personal data.
    [event] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "consent.withdrawn"))
    assert event.entity_id == person.id and event.actor_id == prescriber.id
    assert event.details == {"channel": "signed_letter", "withdrawn_on": (today() - timedelta(days=1)).isoformat(),
                             "closed_applications": 3, "removed_invitations": 0}
    assert "Martin" not in str(event.details) and "Léa" not in str(event.details)


def test_upcoming_invitations_are_withdrawn_and_past_attendance_stays(db, personas, territory, person):
    now = datetime.now().replace(microsecond=0)
    upcoming = Event(territory_id=territory.id, kind=EventKind.INFO_SESSION, title="Réunion BTP",
                     starts_at=now + timedelta(days=7), place="Salle 1")
    past = Event(territory_id=territory.id, kind=EventKind.JOB_DATING, title="Job-dating",
                 starts_at=now - timedelta(days=7), place="Salle 2")
    db.session.add_all([upcoming, past])
    db.session.flush()
    db.session.add_all([
        EventParticipant(event_id=upcoming.id, candidate_id=person.id, status=ParticipantStatus.REGISTERED),
        EventParticipant(event_id=past.id, candidate_id=person.id, status=ParticipantStatus.ATTENDED)])
    db.session.commit()

    outcome = withdraw(personas, person, role="facilitator")

    assert outcome.removed_invitations == 1
    left = db.session.execute(sa.select(EventParticipant.event_id, EventParticipant.status)).all()
    assert left == [(past.id, ParticipantStatus.ATTENDED)]


def test_refusals_are_french_and_nothing_is_saved(db, personas, person):
    consent_given = person.consents[0].given_on
    cases = [
        (today() + timedelta(days=1), "email", "ne peut pas être dans le futur"),
        (consent_given - timedelta(days=1), "email",
         f"ne peut pas précéder le consentement, donné le {consent_given.strftime('%d/%m/%Y')}"),
        (None, "email", "Indiquez la date"),
        (today(), "pigeon", "Choisissez comment la personne a exprimé son retrait"),
    ]
    for withdrawn_on, channel, expected in cases:
        with pytest.raises(FieldErrors) as refused:
            record_withdrawal(personas["prescriber"], person.id, withdrawn_on, channel)
        assert expected in str([e.message for e in refused.value.errors])
    db.session.expire_all()
    assert person.anonymised_at is None and person.first_name == "Léa"
    assert person.consents[0].withdrawn_on is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.in_(("consent.withdrawn", "candidate.anonymised")))) == 0


def test_the_day_the_consent_was_given_is_accepted(db, personas, person):
    outcome = withdraw(personas, person, on=person.consents[0].given_on)
    assert outcome.withdrawn_on == person.consents[0].given_on


def test_a_second_withdrawal_is_refused_saying_when_the_first_was(db, personas, person):
    withdraw(personas, person)
    with pytest.raises(DomainError) as refused:
        withdraw(personas, person)
    assert "a déjà été enregistré par vous le" in refused.value.message
    with pytest.raises(DomainError) as refused:
        withdraw(personas, person, role="facilitator")
    assert "a déjà été enregistré par le prescripteur le" in refused.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "consent.withdrawn")) == 1


def test_only_the_owning_prescriber_and_the_territory_facilitators_record_it(db, personas, territory, person):
    other_prescriber = UserFactory(role=Role.PRESCRIBER, organisation=PrescriberFactory(territory=territory))
    db.session.commit()
    for user in (personas["company"], personas["buyer"], personas["admin"], other_prescriber):
        with pytest.raises(NotAllowed):
            record_withdrawal(user, person.id, today(), "email")
    db.session.expire_all()
    assert person.anonymised_at is None


def test_a_withdrawn_person_cannot_be_proposed_nor_shortlisted(db, personas, person, offers):
    withdraw(personas, person)
    with pytest.raises(FieldErrors) as refused:
        application_services.propose(person.id, offers[0].id, "", personas["prescriber"])
    assert "a retiré son consentement" in str([e.message for e in refused.value.errors])
    result = shortlisting.add_to_shortlist(offers[0].id, [person.id], personas["facilitator"])
    assert result.added == [] and "a retiré son consentement" in result.refused[0]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_the_person_leaves_every_ranking(db, personas, person, offers):
    offer = offers[0]
    facilitator = personas["facilitator"]
    assert person.id in [s.id for s in matching.candidates_for_offer(offer, facilitator)]
    assert offer.id in [s.id for s in matching.offers_for_candidate(person, personas["prescriber"])]

    withdraw(personas, person)

    db.session.expire_all()
    assert person.id not in [s.id for s in matching.candidates_for_offer(offer, facilitator)]
    assert matching.offers_for_candidate(person, personas["prescriber"]) == []
    # After a full rebuild as well (the index reads only records one can act on).
    matching.rebuild_index()
    assert person.id not in [s.id for s in matching.candidates_for_offer(offer, facilitator)]
    assert person.id not in {p.id for p in matching.feed.candidate_profiles()}


# --- The pages -----------------------------------------------------------------------------------

def test_the_prescriber_records_it_from_the_person_page(db, client, login_as, personas, person, offers):
    sent = application(person, offers[0], S.SENT, personas["prescriber"])
    db.session.commit()
    login_as("prescriber")
    page = client.get(f"/candidats/{person.id}").get_data(as_text=True)
    assert f'href="/candidats/{person.id}/retrait-consentement"' in page
    form = client.get(f"/candidats/{person.id}/retrait-consentement").get_data(as_text=True)
    assert "<h1>Enregistrer le retrait du consentement de Léa Martin</h1>" in form
    assert 'for="confirm"' in form and "Courriel" in form

    # Without the confirmation: refused, in French, nothing saved.
    refused = client.post(f"/candidats/{person.id}/retrait-consentement",
                          data={"withdrawn_on": (today() - timedelta(days=2)).isoformat(), "channel": "email"})
    assert refused.status_code == 422
    assert "Cochez la case pour confirmer" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert person.anonymised_at is None

    done = client.post(f"/candidats/{person.id}/retrait-consentement",
                       data={"withdrawn_on": (today() - timedelta(days=2)).isoformat(), "channel": "email",
                             "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/candidats/{person.id}")
    shown = client.get(f"/candidats/{person.id}").get_data(as_text=True)
    day = (today() - timedelta(days=2)).strftime("%d/%m/%Y")
    assert f"Consentement retiré le {day} (courriel)" in shown and "données anonymisées le" in shown
    assert "Léa" not in shown and "Martin" not in shown
    assert "retrait-consentement" not in shown and "Modifier la fiche" not in shown
    assert "Proposer à une offre" not in shown
    db.session.expire_all()
    assert (sent.status, sent.refusal_reason) == (S.REFUSED, RefusalReason.CLOSED)

    # The same form sent again: told it was already done, nothing more.
    again = client.post(f"/candidats/{person.id}/retrait-consentement",
                        data={"withdrawn_on": today().isoformat(), "channel": "post", "confirm": "y"})
    assert again.status_code == 409 and "a déjà été enregistré par vous" in again.get_data(as_text=True)


def test_future_date_is_refused_on_the_page(db, client, login_as, person):
    login_as("facilitator")
    response = client.post(f"/candidats/{person.id}/retrait-consentement",
                           data={"withdrawn_on": (today() + timedelta(days=3)).isoformat(), "channel": "email",
                                 "confirm": "y"})
    assert response.status_code == 422
    assert "ne peut pas être dans le futur" in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.anonymised_at is None


def test_companies_and_other_prescribers_are_refused(db, client, login_as, territory, person):
    other = UserFactory(role=Role.PRESCRIBER, organisation=PrescriberFactory(territory=territory))
    db.session.commit()
    for who in ("company", other, "buyer"):
        login_as(who)
        assert client.get(f"/candidats/{person.id}/retrait-consentement").status_code == 403
        assert client.post(f"/candidats/{person.id}/retrait-consentement",
                           data={"withdrawn_on": today().isoformat(), "channel": "email",
                                 "confirm": "y"}).status_code == 403
    db.session.expire_all()
    assert person.anonymised_at is None


def test_the_company_sees_the_person_nowhere_but_in_the_hire(db, client, login_as, personas, person, offers):
    prescriber = personas["prescriber"]
    sent = application(person, offers[0], S.SENT, prescriber)
    hired = application(person, offers[1], S.HIRED, prescriber)
    db.session.commit()
    login_as("company")
    assert "Martin" in client.get("/entreprise/candidatures").get_data(as_text=True)
    assert client.get(f"/entreprise/candidatures/{sent.id}").status_code == 200

    withdraw(personas, person)

    listing = client.get("/entreprise/candidatures").get_data(as_text=True)
    assert "Martin" not in listing and "Léa" not in listing
    assert f"/entreprise/candidatures/{sent.id}\"" not in listing
    assert client.get(f"/entreprise/candidatures/{sent.id}").status_code == 404  # does not exist for it
    # The hire stays (its contract and hours are the clause's), under the anonymous name.
    kept = client.get(f"/entreprise/candidatures/{hired.id}")
    assert kept.status_code == 200 and "Martin" not in kept.get_data(as_text=True)
    assert f"anonymisée n° {person.id}" in kept.get_data(as_text=True)
    home = client.get("/entreprise").get_data(as_text=True)
    assert "Martin" not in home and "Léa" not in home


def test_proposing_on_the_page_is_refused_in_french(db, client, login_as, personas, person, offers):
    withdraw(personas, person)
    login_as("prescriber")
    response = client.post(f"/candidats/{person.id}/proposer", data={"offer_id": offers[0].id})
    assert response.status_code == 422
    assert "a retiré son consentement" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Application)) == 0


def test_the_facilitator_ranking_page_no_longer_lists_the_person(db, client, login_as, personas, person, offers):
    login_as("facilitator")
    assert "Martin" in client.get(f"/gestion/offres/{offers[0].id}/candidats-suggeres").get_data(as_text=True)
    withdraw(personas, person)
    page = client.get(f"/gestion/offres/{offers[0].id}/candidats-suggeres").get_data(as_text=True)
    assert "Martin" not in page and f"anonymisée n° {person.id}" not in page


def test_the_person_leaves_the_lists_and_searches(db, client, login_as, personas, person):
    login_as("prescriber")
    assert f"/candidats/{person.id}\"" in client.get("/candidats").get_data(as_text=True)
    withdraw(personas, person)
    mine = client.get("/candidats").get_data(as_text=True)
    assert f"/candidats/{person.id}\"" not in mine and "anonymisée" not in mine
    login_as("facilitator")
    found = client.get("/candidats?q=anonymisee").get_data(as_text=True)
    assert f"/candidats/{person.id}\"" not in found
    # The facilitator still opens the page, with nothing to do on it.
    page = client.get(f"/candidats/{person.id}")
    assert page.status_code == 200 and "Consentement retiré le" in page.get_data(as_text=True)
    assert "retrait-consentement" not in page.get_data(as_text=True)


def test_nobody_closes_an_application_with_the_neutral_reason_by_hand(db, personas, person, offers):
    row = application(person, offers[0], S.SUBMITTED, personas["prescriber"])
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        application_services.move(row.id, S.REFUSED, personas["facilitator"], refusal_reason="closed")
    assert "réservé aux clôtures faites par ClauseMatch" in refused.value.message
    db.session.expire_all()
    assert row.status == S.SUBMITTED
