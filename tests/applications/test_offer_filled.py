"""When hires reach an offer's positions the offer becomes filled in the hire's unit of work (a
closed one too, by the system), its open applications are closed as "poste pourvu" (prescribers
told), new proposals are refused and matching hears of it; two hires racing on the last position,
or a hire and a reopening of the closed offer, leave one outcome (PostgreSQL)."""
import re

import pytest
import sqlalchemy as sa
from applications_support import S, add_criterion
from concurrency import failures, messages, race
from factories import CandidateInTerritoryFactory

from clausematch.accounts.models import User
from clausematch.applications import services
from clausematch.applications.models import Application, ApplicationEvent, RefusalReason
from clausematch.audit import AuditEvent
from clausematch.database import today
from clausematch.errors import DomainError
from clausematch.extensions import db as _db
from clausematch.matching.models import MatchingChange
from clausematch.notifications import Notification, OutboxMessage
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.services import set_offer_status
from clausematch.pathways.hiring import HireData, record_hire
from clausematch.pathways.models import EmploymentContract


# Starts the day of the test: a contract may not start before the proposal (created now).
def hire_terms() -> HireData:
    """A CDI starting today, read when the hire is recorded (a date fixed at import goes stale when
    the run crosses midnight, and a start before the proposal is refused)."""
    return HireData(contract_type="cdi", start_date=today(), planned_end_date=None, weekly_hours=35)


@pytest.fixture
def other_candidates(db, personas, referent):
    """Two more candidates of the persona prescriber, with a valid criterion the offer accepts."""
    people = []
    for first, last in (("Awa", "Diallo"), ("Karim", "Benali")):
        person = CandidateInTerritoryFactory(prescriber=personas["prescriber"].organisation, referent_id=referent.id,
                                             first_name=first, last_name=last)
        add_criterion(person, "deld")
        people.append(person)
    db.session.commit()
    return people


def fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def test_last_hire_fills_the_offer_and_closes_the_open_applications(db, personas, referent, offer, make_application,
                                                                     other_candidates):
    awa, karim = other_candidates
    hired = make_application(S.SENT)
    shortlisted_too = make_application(S.SENT, candidate=awa)
    just_proposed = make_application(S.SUBMITTED, candidate=karim)
    before = db.session.scalar(sa.func.max(MatchingChange.id)) or 0

    record_hire(hired.id, hire_terms(), "", personas["company"])

    offer = fresh(db, Offer, offer.id)
    assert offer.status == OfferStatus.FILLED
    change = db.session.scalars(sa.select(OfferStatusChange).where(OfferStatusChange.offer_id == offer.id)
                                .order_by(OfferStatusChange.id.desc())).first()
    assert (change.from_status, change.to_status, change.actor_id) == (OfferStatus.PUBLISHED, OfferStatus.FILLED,
                                                                         personas["company"].id)
    assert change.comment == "Pourvue automatiquement : 1 embauche pour 1 poste."
    for application in (shortlisted_too, just_proposed):
        closed = fresh(db, Application, application.id)
        assert (closed.status, closed.refusal_reason) == (S.REFUSED, RefusalReason.POSITION_FILLED)
        last = closed.events[-1]
        assert (last.to_status, last.actor_id) == (S.REFUSED, None)
        assert "L'offre est pourvue" in last.comment
    assert fresh(db, Application, hired.id).status == S.HIRED
    # The referent hears of each closing, by name and offer.
    texts = db.session.scalars(sa.select(Notification.message).where(Notification.user_id == referent.id)).all()
    assert ("La candidature d'Awa D. à l'offre « Coffreur bancheur » est close : le poste est pourvu. "
            "Vous pouvez proposer la personne à une autre offre depuis sa candidature.") in texts
    karim_closed = "La candidature de Karim B. à l'offre « Coffreur bancheur » est close"
    assert any(text.startswith(karim_closed) for text in texts)
    subjects = db.session.scalars(sa.select(OutboxMessage.subject)).all()
    assert "Candidature d'Awa D. à l'offre « Coffreur bancheur » : close (poste pourvu)" in subjects
    # Matching hears of the offer in the same transaction (session events → change log).
    assert offer.id in db.session.scalars(sa.select(MatchingChange.entity_id).where(
        MatchingChange.side == "offer", MatchingChange.id > before)).all()


def test_a_hire_that_leaves_positions_keeps_the_offer_published(db, personas, offer, make_application,
                                                                other_candidates):
    offer.positions = 2
    db.session.commit()
    first = make_application(S.SENT)
    second = make_application(S.SENT, candidate=other_candidates[0])

    record_hire(first.id, hire_terms(), "", personas["company"])
    assert fresh(db, Offer, offer.id).status == OfferStatus.PUBLISHED
    assert fresh(db, Application, second.id).status == S.SENT

    record_hire(second.id, hire_terms(), "", personas["company"])
    offer = fresh(db, Offer, offer.id)
    assert offer.status == OfferStatus.FILLED
    assert offer_history_comment(db, offer.id) == "Pourvue automatiquement : 2 embauches pour 2 postes."


def offer_history_comment(db, offer_id: int) -> str:
    return db.session.scalars(sa.select(OfferStatusChange.comment).where(OfferStatusChange.offer_id == offer_id)
                              .order_by(OfferStatusChange.id.desc())).first()


# --- A closed offer whose hires then reach its positions ------------------------------------------

def close(offer, personas):
    set_offer_status(offer.id, OfferStatus.CLOSED, personas["facilitator"])


def test_a_closed_offer_whose_last_hire_comes_in_becomes_filled(db, personas, offer, make_application,
                                                                other_candidates):
    hired = make_application(S.SENT)
    waiting = make_application(S.VALIDATED, candidate=other_candidates[0])
    close(offer, personas)

    record_hire(hired.id, hire_terms(), "", personas["company"])

    assert fresh(db, Offer, offer.id).status == OfferStatus.FILLED
    change = db.session.scalars(sa.select(OfferStatusChange).where(OfferStatusChange.offer_id == offer.id)
                                .order_by(OfferStatusChange.id.desc())).first()
    # The system's move: no person may mark a closed offer filled.
    assert (change.from_status, change.to_status, change.actor_id) == (OfferStatus.CLOSED, OfferStatus.FILLED, None)
    assert change.comment == "Pourvue automatiquement après sa clôture : 1 embauche pour 1 poste."
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "offer.status_changed",
                                                           AuditEvent.entity_id == offer.id)
                               .order_by(AuditEvent.id.desc())).first()
    assert audit.details == {"from_status": "closed", "to_status": "filled"} and audit.actor_id is None
    closed = fresh(db, Application, waiting.id)
    assert (closed.status, closed.refusal_reason) == (S.REFUSED, RefusalReason.POSITION_FILLED)
    assert fresh(db, Application, hired.id).status == S.HIRED
    # Filled is final: the closed offer can no longer be reopened.
    with pytest.raises(DomainError, match="^Cette offre a déjà été marquée comme pourvue automatiquement le .* : "
                                          "la remise en brouillon n'a pas été enregistrée.$"):
        set_offer_status(offer.id, OfferStatus.DRAFT, personas["facilitator"])


def test_a_hire_that_leaves_positions_keeps_a_closed_offer_closed(db, personas, offer, make_application,
                                                                 other_candidates):
    offer.positions = 2
    db.session.commit()
    hired = make_application(S.SENT)
    still_open = make_application(S.SENT, candidate=other_candidates[0])
    close(offer, personas)

    record_hire(hired.id, hire_terms(), "", personas["company"])

    assert fresh(db, Offer, offer.id).status == OfferStatus.CLOSED
    assert fresh(db, Application, still_open.id).status == S.SENT


def test_an_offer_reopened_as_a_draft_stays_a_draft_when_its_hires_reach_its_positions(
        db, personas, offer, make_application, other_candidates):
    hired = make_application(S.SENT)
    waiting = make_application(S.SENT, candidate=other_candidates[0])
    close(offer, personas)
    set_offer_status(offer.id, OfferStatus.DRAFT, personas["facilitator"])

    record_hire(hired.id, hire_terms(), "", personas["company"])

    assert fresh(db, Offer, offer.id).status == OfferStatus.DRAFT
    assert fresh(db, Application, waiting.id).refusal_reason == RefusalReason.POSITION_FILLED


def page_text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_staff_offer_page_shows_a_closed_offer_filled_by_its_hire(db, client, login_as, personas, offer,
                                                                      make_application):
    hired = make_application(S.SENT)
    close(offer, personas)
    login_as("facilitator")
    before = page_text(client.get(f"/gestion/offres/{offer.id}"))
    assert 'class="statut statut--closed">Clôturée<' in before
    assert "Marquer comme pourvue" not in before  # no one fills a closed offer by hand

    record_hire(hired.id, hire_terms(), "", personas["company"])

    page = page_text(client.get(f"/gestion/offres/{offer.id}"))
    assert 'class="statut statut--filled">Pourvue<' in page
    assert ('<th scope="row">Clôturée → Pourvue</th> <td>Automatique</td> '
            "<td>Pourvue automatiquement après sa clôture : 1 embauche pour 1 poste.</td>") in page
    assert "Rouvrir en brouillon" not in page  # a filled offer is final


def test_a_filled_offer_refuses_new_proposals_in_french(db, personas, candidate, offer, make_application,
                                                        other_candidates):
    record_hire(make_application(S.SENT, candidate=other_candidates[0]).id, hire_terms(), "", personas["company"])

    with pytest.raises(DomainError, match="Cette offre est pourvue : tous ses postes ont été attribués") as error:
        services.propose(candidate.id, offer.id, "", personas["prescriber"])
    assert error.value.field == "offer_id"
    assert db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.candidate_id == candidate.id)) == 0


def test_marking_an_offer_filled_by_hand_closes_its_open_applications(db, personas, offer, make_application):
    open_one = make_application(S.SHORTLISTED)

    set_offer_status(offer.id, OfferStatus.FILLED, personas["facilitator"])

    closed = fresh(db, Application, open_one.id)
    assert (closed.status, closed.refusal_reason) == (S.REFUSED, RefusalReason.POSITION_FILLED)


def test_a_hire_beyond_the_positions_is_refused_and_nothing_is_written(db, personas, offer, make_application,
                                                                        other_candidates):
    # Recorded before offers filled themselves: one hire for one position, the offer still published.
    make_application(S.HIRED, candidate=other_candidates[0])
    late = make_application(S.SENT)

    with pytest.raises(DomainError, match=r"Cette offre est pourvue \(1 poste, déjà attribué\)"):
        record_hire(late.id, hire_terms(), "", personas["company"])

    assert fresh(db, Application, late.id).status == S.SENT
    assert db.session.scalar(sa.select(sa.func.count(EmploymentContract.id))) == 0


def test_reopening_an_application_of_a_filled_offer_is_refused(db, personas, offer, make_application,
                                                               other_candidates):
    closed = make_application(S.SENT, candidate=other_candidates[0])
    record_hire(make_application(S.SENT).id, hire_terms(), "", personas["company"])

    with pytest.raises(DomainError, match="L'offre est pourvue : la candidature ne peut pas être rouverte"):
        services.move(closed.id, S.SUBMITTED, personas["facilitator"], "Nouvelle chance")


# --- Two hires at once (PostgreSQL) ---------------------------------------------------------------

def hire(application_id: int, user_id: int):
    return lambda: record_hire(application_id, hire_terms(), "", _db.session.get(User, user_id))


def hires_of(db, offer_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(EmploymentContract.id)).join(
        Application, EmploymentContract.application_id == Application.id).where(Application.offer_id == offer_id))


@pytest.mark.postgres
def test_two_hires_racing_on_the_last_position_leave_one_hire(app, db, personas, offer, make_application,
                                                             other_candidates):
    first = make_application(S.SENT)
    second = make_application(S.SENT, candidate=other_candidates[0])
    company = personas["company"].id

    outcomes = race([app, app], [hire(first.id, company), hire(second.id, company)])

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    assert refused.startswith("Le poste est déjà pourvu : cette candidature a été close automatiquement le ")
    assert refused.endswith(" : l'embauche n'a pas été enregistrée.")
    assert hires_of(db, offer.id) == 1
    statuses = sorted(fresh(db, Application, a.id).status.value for a in (first, second))
    assert statuses == ["hired", "refused"]
    assert fresh(db, Offer, offer.id).status == OfferStatus.FILLED
    filled = db.session.scalar(sa.select(sa.func.count(OfferStatusChange.id)).where(
        OfferStatusChange.offer_id == offer.id, OfferStatusChange.to_status == OfferStatus.FILLED))
    assert filled == 1


@pytest.mark.postgres
def test_two_hires_racing_on_two_positions_are_both_recorded_and_fill_once(app, db, personas, offer,
                                                                          make_application, other_candidates):
    offer.positions = 2
    db.session.commit()
    awa, karim = other_candidates
    first = make_application(S.SENT)
    second = make_application(S.SENT, candidate=awa)
    waiting = make_application(S.VALIDATED, candidate=karim)
    company = personas["company"].id

    outcomes = race([app, app], [hire(first.id, company), hire(second.id, company)])

    assert failures(outcomes) == [] and messages(outcomes) == []
    assert hires_of(db, offer.id) == 2
    assert fresh(db, Offer, offer.id).status == OfferStatus.FILLED
    assert fresh(db, Application, waiting.id).refusal_reason == RefusalReason.POSITION_FILLED
    events = db.session.scalar(sa.select(sa.func.count(ApplicationEvent.id)).where(
        ApplicationEvent.application_id == waiting.id, ApplicationEvent.to_status == S.REFUSED))
    assert events == 1


@pytest.mark.postgres
def test_a_hire_on_a_closed_offer_and_its_reopening_at_once_leave_one_outcome(app, db, personas, offer,
                                                                             make_application, other_candidates):
    hired = make_application(S.SENT)
    waiting = make_application(S.SENT, candidate=other_candidates[0])
    close(offer, personas)
    reopen = lambda: set_offer_status(offer.id, OfferStatus.DRAFT,  # noqa: E731
                                      _db.session.get(User, personas["facilitator"].id))

    outcomes = race([app, app], [hire(hired.id, personas["company"].id), reopen])

    assert failures(outcomes) == []
    assert hires_of(db, offer.id) == 1
    assert fresh(db, Application, waiting.id).refusal_reason == RefusalReason.POSITION_FILLED
    moves = db.session.execute(sa.select(OfferStatusChange.from_status, OfferStatusChange.to_status).where(
        OfferStatusChange.offer_id == offer.id).order_by(OfferStatusChange.id)).all()[-1:]
    status = fresh(db, Offer, offer.id).status
    if status == OfferStatus.FILLED:  # the hire first: the reopening is refused, in French
        [refused] = messages(outcomes)
        assert refused.startswith("Cette offre a déjà été marquée comme pourvue automatiquement le ")
        assert refused.endswith(" : la remise en brouillon n'a pas été enregistrée.")
        assert moves == [(OfferStatus.CLOSED, OfferStatus.FILLED)]
    else:  # the reopening first: the hire is recorded, the draft stays a draft
        assert messages(outcomes) == []
        assert (status, moves) == (OfferStatus.DRAFT, [(OfferStatus.CLOSED, OfferStatus.DRAFT)])
