"""The same file committed by two real connections at once (tests/concurrency.py): the territory
lock serialises them, the records are created once and the second run finds them unchanged."""
import pytest
import sqlalchemy as sa
from concurrency import failures, race
from import_files import COMPANY_HEADER, CONTRACT_HEADER, company_line, contract_line, csv_bytes, siret

from clausematch.accounts.models import Company, Territory, User
from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db as _db
from clausematch.imports.base import Outcome
from clausematch.imports.companies import KIND as COMPANIES
from clausematch.imports.contracts import KIND as CONTRACTS
from clausematch.imports.runner import commit


def attempt(kind, territory_id: int, user_id: int, data: bytes):
    def run():
        report = commit(kind, _db.session.get(Territory, territory_id), _db.session.get(User, user_id), data, "f.csv")
        return report.committed, report.counts
    return run


@pytest.mark.postgres
def test_the_same_file_committed_twice_at_once_creates_once(app, db, territory, facilitator):
    companies = csv_bytes([COMPANY_HEADER] + [company_line(n) for n in range(1, 51)])
    contracts = csv_bytes([CONTRACT_HEADER] + [contract_line(reference=f"R-{n}", company=siret(1))
                                               for n in range(40)])
    send = attempt(COMPANIES, territory.id, facilitator.id, companies)
    outcomes = race([app, app], [send, send])
    assert failures(outcomes) == []
    created = sorted(counts[Outcome.CREATED] for _, counts in outcomes)
    unchanged = sorted(counts[Outcome.UNCHANGED] for _, counts in outcomes)
    assert all(committed for committed, _ in outcomes)
    assert created == [0, 50] and unchanged == [0, 50]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Company)
                             .where(Company.siret.in_([siret(n) for n in range(1, 51)]))) == 50

    send = attempt(CONTRACTS, territory.id, facilitator.id, contracts)
    outcomes = race([app, app, app], [send, send, send])
    assert failures(outcomes) == []
    assert sorted(counts[Outcome.CREATED] for _, counts in outcomes) == [0, 0, 40]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Contract)) == 40
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Lot)) == 40
