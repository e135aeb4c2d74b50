"""The application workflow: every move, allowed or refused, for each capacity; the events,
audit, eligibility check on validation, refusal reasons and reopening."""
from datetime import date, timedelta
from itertools import product

import pytest
import sqlalchemy as sa
from applications_support import S, add_criterion

from clausematch.applications import workflow
from clausematch.applications.models import Application, ApplicationEvent, RefusalReason
from clausematch.audit import AuditEvent
from clausematch.candidates.models import EligibilityStatus
from clausematch.database import today, utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.notifications import Notification
from clausematch.offers.models import OfferStatus
from clausematch.pathways.hiring import HireData

F, P, C = "facilitator", "prescriber", "company"
OPEN_STATES = (S.SUBMITTED, S.VALIDATED, S.SHORTLISTED, S.SENT, S.INTERVIEW)
# The documented table (workflow.py docstring), written out independently of the code.
ALLOWED = {
    (S.SUBMITTED, S.VALIDATED): {F},
    (S.VALIDATED, S.SHORTLISTED): {F},
    (S.SHORTLISTED, S.SENT): {F},
    (S.SENT, S.INTERVIEW): {C},
    (S.SENT, S.HIRED): {C},
    (S.INTERVIEW, S.HIRED): {C},
    **{(state, S.REFUSED): {F, C} if state in (S.SENT, S.INTERVIEW) else {F} for state in OPEN_STATES},
    **{(state, S.WITHDRAWN): {F, P} for state in OPEN_STATES},
    (S.REFUSED, S.SUBMITTED): {F},
    (S.WITHDRAWN, S.SUBMITTED): {F},
}
ALLOWED_CASES = [(current, target, role) for (current, target), roles in ALLOWED.items() for role in sorted(roles)]
MISSING_MOVES = [(current, target) for current, target in product(S, S) if (current, target) not in ALLOWED]
FORBIDDEN_CAPACITY = [(current, target, role) for (current, target), roles in ALLOWED.items()
                      for role in sorted({F, P, C} - roles)]
HIRE = HireData(contract_type="cdd", start_date=date(2026, 3, 2), planned_end_date=date(2026, 8, 31),
                weekly_hours=35)


def details(target):
    """What each move needs: a reason for refusals, a comment for reopening, a contract for hires."""
    return {"comment": "Rouverte après échange" if target == S.SUBMITTED else "Vu ensemble",
            "refusal_reason": RefusalReason.POSITION_FILLED if target == S.REFUSED else None,
            "hire": HIRE if target == S.HIRED else None}


def events(db, application):
    return list(db.session.scalars(sa.select(ApplicationEvent).where(ApplicationEvent.application_id == application.id)
                                   .order_by(ApplicationEvent.id)))


def test_transition_table_is_the_documented_one():
    table = {(current, target): {role.value for role in capacities if role != workflow.SYSTEM}
             for current, targets in workflow.TRANSITIONS.items() for target, capacities in targets.items()}
    assert table == ALLOWED
    assert workflow.next_statuses(S.HIRED, workflow.C) == []
    system_moves = {(current, target) for current, targets in workflow.TRANSITIONS.items()
                    for target, capacities in targets.items() if workflow.SYSTEM in capacities}
    assert system_moves == {(state, S.REFUSED) for state in OPEN_STATES}


def test_the_system_refuses_an_application_left_without_news(db, personas, make_application):
    application = make_application(S.SENT)
    event = workflow.change_status(application, S.REFUSED, None, "Clôture automatique", RefusalReason.NO_ANSWER)
    db.session.commit()
    assert (application.status, event.actor_id, event.refusal_reason) == (S.REFUSED, None, RefusalReason.NO_ANSWER)
    notified = db.session.scalars(sa.select(Notification.user_id)).all()
    assert personas["prescriber"].id in notified
    with pytest.raises(NotAllowed):
        workflow.change_status(application, S.SUBMITTED, None, "Réouverture")  # only refusing is the system's


@pytest.mark.parametrize(("current", "target", "role"), ALLOWED_CASES, ids=str)
def test_allowed_move(db, personas, make_application, current, target, role):
    application = make_application(current)
    before = len(application.events)

    event = workflow.change_status(application, target, personas[role], **details(target))
    db.session.commit()

    assert application.status == target
    assert (event.from_status, event.to_status, event.actor_id) == (current, target, personas[role].id)
    assert event.comment == details(target)["comment"]
    assert len(events(db, application)) == before + 1
    assert application.last_event_at == event.occurred_at
    assert application.refusal_reason == (RefusalReason.POSITION_FILLED if target == S.REFUSED else None)


@pytest.mark.parametrize(("current", "target"), MISSING_MOVES, ids=str)
def test_missing_move_is_refused_whoever_asks(current, target):
    application = Application(status=current)
    for capacity in (workflow.F, workflow.P, workflow.C):
        with pytest.raises(DomainError) as caught:
            workflow.check_transition(application, target, capacity, "Vu", RefusalReason.OTHER)
        assert type(caught.value) is DomainError  # the move does not exist: not a permission matter
        assert "candidature" in caught.value.message.lower()


@pytest.mark.parametrize(("current", "target", "role"), FORBIDDEN_CAPACITY, ids=str)
def test_move_by_the_wrong_capacity_is_not_allowed(db, personas, make_application, current, target, role):
    application = make_application(current)

    with pytest.raises(NotAllowed):
        workflow.change_status(application, target, personas[role], **details(target))

    db.session.rollback()
    assert db.session.get(Application, application.id).status == current
    assert len(events(db, application)) == len(application.events)


def test_refusal_messages_are_clear():
    assert "déjà" in workflow.refusal_message(S.SENT, S.SENT)
    assert "embauche" in workflow.refusal_message(S.HIRED, S.REFUSED)
    assert "rouvrir" in workflow.refusal_message(S.REFUSED, S.SENT)
    message = workflow.refusal_message(S.SUBMITTED, S.SENT)
    assert "« Proposée »" in message and "« Éligibilité validée »" in message


def test_wrong_capacity_message_names_who_may(db, personas, make_application):
    application = make_application(S.SUBMITTED)
    with pytest.raises(NotAllowed, match="Seul un facilitateur du territoire peut valider"):
        workflow.change_status(application, S.VALIDATED, personas["prescriber"])


def test_people_outside_the_application_are_not_allowed(db, personas, make_application):
    application = make_application(S.SUBMITTED)
    for role in ("buyer", "admin", "company"):  # the company: not sent to it yet
        with pytest.raises(NotAllowed, match="Vous ne pouvez pas modifier"):
            workflow.change_status(application, S.WITHDRAWN, personas[role])


def test_event_and_audit_keep_actor_comment_and_reason(db, personas, make_application):
    application = make_application(S.SENT)
    workflow.change_status(application, S.REFUSED, personas["company"], "  Poste pourvu en interne  ",
                           RefusalReason.POSITION_FILLED)
    db.session.commit()

    last = events(db, application)[-1]
    assert (last.from_status, last.to_status, last.actor_id) == (S.SENT, S.REFUSED, personas["company"].id)
    assert (last.comment, last.refusal_reason) == ("Poste pourvu en interne", RefusalReason.POSITION_FILLED)
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "application.status_changed")).one()
    assert (audit.entity_id, audit.actor_id) == (application.id, personas["company"].id)
    assert audit.details == {"from_status": "sent", "to_status": "refused", "refusal_reason": "position_filled"}


@pytest.mark.parametrize("role", [F, C])
def test_refusal_needs_a_reason(db, personas, make_application, role):
    application = make_application(S.INTERVIEW)
    with pytest.raises(DomainError, match="motif") as caught:
        workflow.change_status(application, S.REFUSED, personas[role], "Pas retenu")
    assert caught.value.field == "refusal_reason"
    assert application.status == S.INTERVIEW


def test_other_reason_needs_a_comment_and_unknown_reason_is_refused(db, personas, make_application):
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError, match="Précisez") as caught:
        workflow.change_status(application, S.REFUSED, personas["facilitator"], "", "other")
    assert caught.value.field == "comment"
    with pytest.raises(DomainError, match="n'existe pas"):
        workflow.change_status(application, S.REFUSED, personas["facilitator"], "x", "fantaisie")
    workflow.change_status(application, S.REFUSED, personas["facilitator"], "Déménage", "other")
    assert application.refusal_reason == RefusalReason.OTHER


def test_reopening_needs_a_comment_and_a_published_offer(db, personas, make_application, offer):
    application = make_application(S.REFUSED)
    with pytest.raises(DomainError, match="pourquoi"):
        workflow.change_status(application, S.SUBMITTED, personas["facilitator"])
    offer.status = OfferStatus.CLOSED
    with pytest.raises(DomainError, match="n'est plus publiée"):
        workflow.change_status(application, S.SUBMITTED, personas["facilitator"], "Nouvelle chance")
    offer.status = OfferStatus.FILLED
    with pytest.raises(DomainError, match="L'offre est pourvue : la candidature ne peut pas être rouverte"):
        workflow.change_status(application, S.SUBMITTED, personas["facilitator"], "Nouvelle chance")
    offer.status = OfferStatus.PUBLISHED
    workflow.change_status(application, S.SUBMITTED, personas["facilitator"], "Nouvelle chance")
    assert (application.status, application.refusal_reason) == (S.SUBMITTED, None)


def test_comment_length_is_bounded(db, personas, make_application):
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError, match="1000 caractères"):
        workflow.change_status(application, S.WITHDRAWN, personas["prescriber"], "x" * 1001)


def test_hire_without_contract_is_refused(db, personas, make_application):
    application = make_application(S.SENT)
    with pytest.raises(DomainError, match="contrat"):
        workflow.change_status(application, S.HIRED, personas["company"])
    assert application.status == S.SENT


# --- Validation checks eligibility --------------------------------------------------------------

def test_validation_needs_a_valid_criterion(db, personas, make_application, candidate):
    for criterion in candidate.criteria:
        criterion.status, criterion.valid_until, criterion.validated_at = EligibilityStatus.DECLARED, None, None
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError, match="Aucun critère d'éligibilité de ce candidat n'est validé"):
        workflow.change_status(application, S.VALIDATED, personas["facilitator"])


def test_validation_needs_a_valid_criterion_the_offer_accepts(db, personas, make_application, offer, candidate):
    offer.eligible_criteria = ["rsa", "rqth"]  # the candidate's rsa is only declared
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError, match="Bénéficiaire du RSA, Travailleur handicapé"):
        workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    add_criterion(candidate, "rqth")
    workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    assert application.status == S.VALIDATED


def test_validation_checks_qpv_residence(db, personas, make_application, offer, candidate):
    offer.qpv_required = True
    application = make_application(S.SUBMITTED)
    with pytest.raises(DomainError, match="QPV"):
        workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    add_criterion(candidate, "qpv", status=EligibilityStatus.DECLARED)  # declared: not yet checked
    with pytest.raises(DomainError, match="validez d'abord le critère « Résident d'un quartier prioritaire"):
        workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    candidate.criteria[-1].status = EligibilityStatus.VALIDATED
    candidate.criteria[-1].validated_at, candidate.criteria[-1].valid_until = utcnow(), today() + timedelta(days=90)
    workflow.change_status(application, S.VALIDATED, personas["facilitator"])
    assert application.status == S.VALIDATED


def test_validation_refuses_an_expired_criterion(db, personas, make_application, time_machine):
    application = make_application(S.SUBMITTED)  # deld valid for 90 days from today
    time_machine.move_to(application.created_at.replace(year=application.created_at.year + 1), tick=False)
    with pytest.raises(DomainError, match="en cours de validité"):
        workflow.change_status(application, S.VALIDATED, personas["facilitator"])
