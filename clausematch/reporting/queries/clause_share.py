"""The buyer indicator (SPASER): share of the contracts notified each year that carry a social
clause. Scoped by territory and buyer (and contract), the period restricting notification dates.
One SQL statement."""
from dataclasses import dataclass

import sqlalchemy as sa

from clausematch.contracts.models import Contract
from clausematch.extensions import db
from clausematch.reporting.filters import Scope
from clausematch.reporting.queries.scoping import in_period
from clausematch.reporting.queries.sql import count_if, ratio


@dataclass(frozen=True)
class ClauseShareLine:
    year: int
    contracts: int
    with_clause: int

    @property
    def share(self):
        return ratio(self.with_clause, self.contracts)


def clause_share(scope: Scope) -> list[ClauseShareLine]:
    """One line per notification year that has contracts, oldest first."""
    year = sa.extract("year", Contract.notified_on)
    conditions = [Contract.territory_id == scope.territory_id, *in_period(Contract.notified_on, scope)]
    if scope.buyer_id:
        conditions.append(Contract.buyer_id == scope.buyer_id)
    if scope.contract_id:
        conditions.append(Contract.id == scope.contract_id)
    rows = db.session.execute(
        sa.select(year, sa.func.count(Contract.id), count_if(Contract.clause_kind.is_not(None)))
        .where(*conditions).group_by(year).order_by(year))
    return [ClauseShareLine(int(y), n, clausal or 0) for y, n, clausal in rows]
