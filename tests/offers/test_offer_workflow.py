"""The offer workflow: every move, allowed or refused, for each capacity; history and audit."""
from datetime import date, timedelta
from itertools import product

import pytest
import sqlalchemy as sa

from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, NotAllowed
from clausematch.offers import transitions, workflow
from clausematch.offers.models import OfferStatus, OfferStatusChange

S = OfferStatus
ALLOWED = {
    (S.DRAFT, S.SUBMITTED): {"company", "facilitator"},
    (S.DRAFT, S.CLOSED): {"company", "facilitator"},
    (S.SUBMITTED, S.PUBLISHED): {"facilitator"},
    (S.SUBMITTED, S.DRAFT): {"facilitator"},
    (S.PUBLISHED, S.FILLED): {"company", "facilitator"},
    (S.PUBLISHED, S.CLOSED): {"company", "facilitator"},
    (S.CLOSED, S.DRAFT): {"facilitator"},
}
# Moves only the system makes (people are told they do not exist).
SYSTEM_ONLY = {(S.CLOSED, S.FILLED)}
ALLOWED_CASES = [(current, target, role) for (current, target), roles in ALLOWED.items() for role in sorted(roles)]
REFUSED_MOVES = [(current, target) for current, target in product(S, S) if (current, target) not in ALLOWED]
FORBIDDEN_CAPACITY = [(current, target, role) for (current, target), roles in ALLOWED.items()
                      for role in {"company", "facilitator"} - roles]


def history(db, offer):
    return list(db.session.scalars(sa.select(OfferStatusChange).where(OfferStatusChange.offer_id == offer.id)
                                   .order_by(OfferStatusChange.id)))


def test_transition_table_is_the_documented_one():
    table = {(current, target): {role.value for role in capacities if role != transitions.SYSTEM}
             for current, targets in transitions.TRANSITIONS.items() for target, capacities in targets.items()}
    assert {move: roles for move, roles in table.items() if roles} == ALLOWED
    assert {move for move, roles in table.items() if not roles} == SYSTEM_ONLY
    assert transitions.allowed_capacities(S.PUBLISHED, S.CLOSED) >= {transitions.SYSTEM}
    assert transitions.allowed_capacities(S.CLOSED, S.FILLED) == {transitions.SYSTEM}
    assert transitions.next_statuses(S.FILLED) == []


@pytest.mark.parametrize(("current", "target", "role"), ALLOWED_CASES)
def test_allowed_move_changes_status_and_logs_it(db, personas, make_offer, current, target, role):
    offer = make_offer(status=current)
    actor = personas[role]
    workflow.change_status(offer, target, actor, "À corriger : l'adresse du chantier")
    db.session.commit()

    db.session.expire_all()
    assert offer.status == target
    [change] = history(db, offer)
    assert (change.from_status, change.to_status, change.actor_id) == (current, target, actor.id)
    assert change.comment == "À corriger : l'adresse du chantier"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.entity_id == offer.id)).one()
    assert event.action == "offer.status_changed" and event.actor_id == actor.id
    assert event.details == {"from_status": current.value, "to_status": target.value}


@pytest.mark.parametrize(("current", "target"), REFUSED_MOVES)
@pytest.mark.parametrize("role", ["company", "facilitator"])
def test_refused_move_raises_french_error_and_changes_nothing(db, personas, make_offer, current, target, role):
    offer = make_offer(status=current)
    with pytest.raises(DomainError) as raised:
        workflow.change_status(offer, target, personas[role], "commentaire")
    assert not isinstance(raised.value, NotAllowed)
    assert raised.value.message.startswith(("Une offre", "L'offre est déjà"))
    db.session.rollback()
    assert offer.status == current
    assert history(db, offer) == []


@pytest.mark.parametrize(("current", "target", "role"), FORBIDDEN_CAPACITY)
def test_company_cannot_make_facilitator_moves(db, personas, make_offer, current, target, role):
    offer = make_offer(status=current)
    with pytest.raises(NotAllowed, match="Seul un facilitateur du territoire peut"):
        workflow.change_status(offer, target, personas[role], "commentaire")
    db.session.rollback()
    assert offer.status == current and history(db, offer) == []


def test_filled_offer_cannot_be_published_message(db, personas, make_offer):
    offer = make_offer(status=S.FILLED)
    with pytest.raises(DomainError, match="^Une offre pourvue ne peut plus être publiée.$"):
        workflow.change_status(offer, S.PUBLISHED, personas["facilitator"])


@pytest.mark.parametrize("role", ["prescriber", "buyer", "admin"])
def test_other_roles_cannot_move_any_offer(db, personas, make_offer, role):
    offer = make_offer(status=S.DRAFT)
    with pytest.raises(NotAllowed):
        workflow.change_status(offer, S.SUBMITTED, personas[role])


def test_another_companys_user_cannot_move_the_offer(db, personas, make_offer, other_lot):
    offer = make_offer(status=S.DRAFT, lot=other_lot)
    with pytest.raises(NotAllowed):
        workflow.change_status(offer, S.SUBMITTED, personas["company"])


def test_facilitator_of_another_territory_cannot_move_the_offer(db, make_offer):
    from factories import FacilitatorTeamFactory, UserFactory

    from clausematch.accounts.models import Role

    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(name="Est Ensemble"))
    offer = make_offer(status=S.SUBMITTED)
    with pytest.raises(NotAllowed):
        workflow.change_status(offer, S.PUBLISHED, stranger)


def test_sending_back_needs_a_comment(db, personas, make_offer):
    offer = make_offer(status=S.SUBMITTED)
    with pytest.raises(DomainError, match="Indiquez en commentaire") as raised:
        workflow.change_status(offer, S.DRAFT, personas["facilitator"], "   ")
    assert raised.value.field == "comment"
    assert offer.status == S.SUBMITTED


def test_comment_longer_than_the_column_is_refused(db, personas, make_offer):
    offer = make_offer(status=S.DRAFT)
    with pytest.raises(DomainError, match="500 caractères"):
        workflow.change_status(offer, S.SUBMITTED, personas["company"], "x" * 501)


def test_publishing_stamps_published_at_and_republishing_restamps(db, personas, make_offer, time_machine):
    time_machine.move_to("2026-03-02 09:00", tick=False)
    offer = make_offer(status=S.SUBMITTED, published_at=None, publication_end=date(2026, 6, 30))
    workflow.change_status(offer, S.PUBLISHED, personas["facilitator"])
    assert offer.published_at.isoformat() == "2026-03-02T09:00:00"
    for target in (S.CLOSED, S.DRAFT, S.SUBMITTED):
        workflow.change_status(offer, target, personas["facilitator"])
    time_machine.move_to("2026-03-09 10:30", tick=False)
    workflow.change_status(offer, S.PUBLISHED, personas["facilitator"])
    db.session.commit()
    assert offer.published_at.isoformat() == "2026-03-09T10:30:00"
    assert [c.to_status for c in history(db, offer)] == [S.PUBLISHED, S.CLOSED, S.DRAFT, S.SUBMITTED, S.PUBLISHED]


@pytest.mark.parametrize(("current", "target"), [(S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.PUBLISHED)])
def test_an_offer_past_its_publication_end_cannot_go_public(db, personas, make_offer, current, target):
    offer = make_offer(status=current, publication_end=date.today() - timedelta(days=1))
    with pytest.raises(DomainError, match="La fin de publication .* est dépassée") as raised:
        workflow.change_status(offer, target, personas["facilitator"])
    assert raised.value.field == "publication_end"


def test_system_may_only_close_a_published_offer_or_fill_a_closed_one(db, make_offer):
    draft = make_offer(status=S.DRAFT)
    with pytest.raises(NotAllowed):
        workflow.change_status(draft, S.SUBMITTED, None)
    published = make_offer(status=S.PUBLISHED)
    change = workflow.change_status(published, S.CLOSED, None, "Clôture automatique")
    assert change.actor_id is None and published.status == S.CLOSED
    change = workflow.change_status(published, S.FILLED, None, "Pourvue automatiquement après sa clôture")
    assert (change.from_status, change.actor_id, published.status) == (S.CLOSED, None, S.FILLED)


@pytest.mark.parametrize("role", ["company", "facilitator"])
def test_no_one_marks_a_closed_offer_filled_by_hand(db, personas, make_offer, role):
    offer = make_offer(status=S.CLOSED)
    with pytest.raises(DomainError) as raised:
        workflow.change_status(offer, S.FILLED, personas[role])
    assert not isinstance(raised.value, NotAllowed)
    assert raised.value.message == ("Une offre clôturée ne peut pas être marquée comme pourvue : "
                                    "un facilitateur doit d'abord la rouvrir en brouillon.")
    assert offer.status == S.CLOSED
