"""Offer status changes at the same moment, and the expiry job run several times at once: each
change is recorded once, the loser is told in French what happened. Parallel tests run on
PostgreSQL (tests/concurrency.py)."""
from datetime import date

import pytest
import sqlalchemy as sa
from concurrency import failures, messages, race

from clausematch.accounts.models import User
from clausematch.errors import DomainError
from clausematch.extensions import db as _db
from clausematch.jobs import JobRun
from clausematch.offers.jobs import expire_offers
from clausematch.offers.models import Offer, OfferStatus, OfferStatusChange
from clausematch.offers.services import set_offer_status
from clausematch.scheduler import find_job, run_now, run_scheduled

S = OfferStatus


def history(db, offer_id: int) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(sa.select(OfferStatusChange.from_status, OfferStatusChange.to_status)
                              .where(OfferStatusChange.offer_id == offer_id)
                              .order_by(OfferStatusChange.id)).all()


def move(offer_id: int, target: OfferStatus, user_id: int):
    return lambda: set_offer_status(offer_id, target, _db.session.get(User, user_id))


def page_read(offer_id: int):
    return lambda: _db.session.get(Offer, offer_id).status


@pytest.mark.postgres
def test_filled_and_closed_at_once_exactly_one_wins(app, db, personas, make_offer):
    offer = make_offer(status=S.PUBLISHED)
    outcomes = race([app, app], [move(offer.id, S.FILLED, personas["company"].id),
                                 move(offer.id, S.CLOSED, personas["facilitator"].id)],
                    before=[page_read(offer.id)] * 2)

    assert failures(outcomes) == []
    [refused] = messages(outcomes)
    [(from_status, to_status)] = history(db, offer.id)
    assert from_status == S.PUBLISHED and db.session.get(Offer, offer.id).status == to_status
    if to_status == S.FILLED:
        assert refused.startswith("Cette offre a déjà été marquée comme pourvue par l'entreprise le ")
        assert refused.endswith(" : la clôture n'a pas été enregistrée.")
    else:
        assert refused.startswith("Cette offre a déjà été clôturée par l'équipe de facilitation le ")
        assert refused.endswith(" : l'offre n'a pas été marquée comme pourvue.")


@pytest.mark.postgres
def test_the_same_status_change_submitted_twice_at_once_is_recorded_once(app, db, personas, make_offer):
    offer = make_offer(status=S.SUBMITTED)
    publish = move(offer.id, S.PUBLISHED, personas["facilitator"].id)

    outcomes = race([app] * 3, [publish] * 3, before=[page_read(offer.id)] * 3)

    assert failures(outcomes) == []
    assert [m.split(" le ")[0] for m in messages(outcomes)] == ["Cette offre a déjà été publiée par vous"] * 2
    assert history(db, offer.id) == [(S.SUBMITTED, S.PUBLISHED)]


def test_a_change_made_meanwhile_is_named_to_the_second_person(db, personas, make_offer):
    offer = make_offer(status=S.PUBLISHED)
    set_offer_status(offer.id, S.FILLED, personas["company"])
    changed_at = db.session.scalar(sa.select(OfferStatusChange.occurred_at))

    with pytest.raises(DomainError) as refused:
        set_offer_status(offer.id, S.CLOSED, personas["facilitator"])
    assert refused.value.message == (f"Cette offre a déjà été marquée comme pourvue par l'entreprise le "
                                     f"{changed_at:%d/%m/%Y %H:%M} : la clôture n'a pas été enregistrée.")
    with pytest.raises(DomainError, match="^Une offre pourvue ne peut plus être publiée.$"):
        set_offer_status(offer.id, S.PUBLISHED, personas["facilitator"])  # never possible: the rule itself
    assert history(db, offer.id) == [(S.PUBLISHED, S.FILLED)]


@pytest.fixture
def expired_offers(make_offer, time_machine):
    time_machine.move_to("2026-04-10 01:30", tick=False)
    return [make_offer(status=S.PUBLISHED, publication_end=date(2026, 4, 9)) for _ in range(5)]


@pytest.mark.postgres
def test_four_expiry_runs_at_once_close_each_offer_once(app, db, expired_offers):
    """Even without the job lock (a run taken for dead, a direct call), the work is done once."""
    outcomes = race([app] * 4, [lambda: expire_offers(date(2026, 4, 10))] * 4)

    assert sorted(outcomes) == [0, 0, 0, 5]
    for offer in expired_offers:
        assert history(db, offer.id) == [(S.PUBLISHED, S.CLOSED)]


@pytest.mark.postgres
def test_four_processes_starting_the_job_at_once_run_it_once(app, db, expired_offers):
    """Two schedulers and two manual runs (CLI, "Lancer maintenant") of offers.expire: one lock."""
    job = find_job("offers.expire")
    attempts = [lambda: run_scheduled(job), lambda: run_scheduled(job), lambda: run_now(job), lambda: run_now(job)]

    outcomes = race([app] * 4, attempts)

    done = [o for o in outcomes if isinstance(o, str)]
    assert failures(outcomes) == []
    assert len(done) + sum(1 for o in outcomes if o is None) + len(messages(outcomes)) == 4
    assert len(done) >= 1
    assert sum(int(o.split(" ")[0]) for o in done if o[0].isdigit()) == 5
    assert sum(len(history(db, offer.id)) for offer in expired_offers) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun).where(JobRun.finished_at.is_(None))) == 0
