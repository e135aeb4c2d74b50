"""Offer permissions as named predicates: company A never reaches company B's offers."""
import pytest
from factories import FacilitatorTeamFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.offers import permissions as p
from clausematch.offers.models import OfferStatus

S = OfferStatus


def test_company_user_creates_only_on_its_company_lots(personas, company_lot, other_lot):
    company = personas["company"]
    assert p.can_create_offer_for_lot(company, company_lot)
    assert not p.can_create_offer_for_lot(company, other_lot)


def test_facilitator_creates_on_any_lot_of_its_territory(personas, company_lot, other_lot):
    assert p.can_create_offer_for_lot(personas["facilitator"], company_lot)
    assert p.can_create_offer_for_lot(personas["facilitator"], other_lot)


@pytest.mark.parametrize("role", ["prescriber", "buyer", "admin"])
def test_other_roles_create_and_view_nothing(personas, company_lot, make_offer, role):
    offer = make_offer(status=S.PUBLISHED)
    user = personas[role]
    assert not p.can_manage_offers(user)
    assert not p.can_create_offer_for_lot(user, company_lot)
    assert not p.can_view_offer(user, offer)
    assert not p.can_edit_offer(user, offer)
    assert not any(p.can_change_offer_status(user, offer, target) for target in S)


def test_company_sees_and_edits_only_its_own_offers(personas, make_offer, other_lot):
    company = personas["company"]
    own, foreign = make_offer(), make_offer(lot=other_lot)
    assert p.can_view_offer(company, own) and p.can_edit_offer(company, own)
    assert not p.can_view_offer(company, foreign)
    assert not p.can_edit_offer(company, foreign)
    assert not p.can_change_offer_status(company, foreign, S.SUBMITTED)


@pytest.mark.parametrize(("status", "company_may", "facilitator_may"), [
    (S.DRAFT, True, True), (S.SUBMITTED, True, True), (S.PUBLISHED, False, True),
    (S.FILLED, False, False), (S.CLOSED, False, False),
])
def test_who_edits_in_which_status(personas, make_offer, status, company_may, facilitator_may):
    offer = make_offer(status=status)
    assert p.can_edit_offer(personas["company"], offer) is company_may
    assert p.can_edit_offer(personas["facilitator"], offer) is facilitator_may


def test_facilitator_of_another_territory_sees_nothing(db, make_offer, company_lot):
    stranger = UserFactory(role=Role.FACILITATOR, organisation=FacilitatorTeamFactory(name="Est Ensemble"))
    offer = make_offer()
    assert not p.can_view_offer(stranger, offer)
    assert not p.can_edit_offer(stranger, offer)
    assert not p.can_create_offer_for_lot(stranger, company_lot)


def test_status_change_permission_follows_the_transition_table(personas, make_offer):
    submitted = make_offer(status=S.SUBMITTED)
    assert p.can_change_offer_status(personas["facilitator"], submitted, S.PUBLISHED)
    assert not p.can_change_offer_status(personas["company"], submitted, S.PUBLISHED)
    assert not p.can_change_offer_status(personas["facilitator"], submitted, S.FILLED)
    draft = make_offer(status=S.DRAFT)
    assert p.can_change_offer_status(personas["company"], draft, S.SUBMITTED)
