"""Two facilitators record a pool with the same lot at the same moment (real parallel
connections, PostgreSQL, tests/concurrency.py): the lots are locked, then their pools read, so
exactly one pool is recorded and the other is refused, "déjà couvert par une autre
mutualisation" — never two pools on one lot, never an integrity error."""
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from concurrency import failures, race

from clausematch.accounts.models import User
from clausematch.contracts import pools
from clausematch.contracts.models import HoursPool, HoursPoolLot
from clausematch.errors import DomainError
from clausematch.extensions import db as _db


@pytest.mark.postgres
def test_two_pools_with_the_same_lot_at_once_one_wins(app, db, personas):
    from factories import ClauseFactory, LotInTerritoryFactory

    company = personas["company"].organisation
    company.territory.globalise_across_lots = True
    buyer = personas["buyer"].organisation
    shared, left, right = (LotInTerritoryFactory(contract__buyer=buyer, company=company) for _ in range(3))
    for lot in (shared, left, right):
        ClauseFactory(lot=lot, hours_objective=Decimal(100))
    db.session.commit()
    user_id = personas["facilitator"].id

    def pool_with(other_id):
        def attempt():
            return pools.create_pool(_db.session.get(User, user_id), shared.id, pools.PoolInput(
                lot_ids=[shared.id, other_id], agreed_on=date(2025, 1, 15))).id
        return attempt

    outcomes = race([app, app], [pool_with(left.id), pool_with(right.id)])

    assert failures(outcomes) == []
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(refused) == 1 and "déjà couvert par une autre mutualisation" in refused[0].message
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HoursPool)) == 1
    assert db.session.scalar(sa.select(HoursPoolLot.pool_id).where(HoursPoolLot.lot_id == shared.id)) == next(
        o for o in outcomes if isinstance(o, int))
