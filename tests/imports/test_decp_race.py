"""An import and the contract form, or two imports, at once: real parallel PostgreSQL connections
(tests/concurrency.py). Writing, the import locks the buyers and contracts it touches."""
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa
from concurrency import failures, race
from import_files import import_decp

from clausematch.accounts.models import Territory, User
from clausematch.contracts import services
from clausematch.contracts.models import Contract
from clausematch.extensions import db as _db
from clausematch.imports.base import Outcome
from clausematch.versioning import EditConflict


def test_an_edit_form_loaded_before_an_import_conflicts(db, buyers, territory, personas, sample_json):
    import_decp(territory, None, sample_json, "decp.json")
    contract = db.session.scalars(sa.select(Contract).where(Contract.reference == "2024K0388")).one()
    loaded_version = contract.version
    data = services.ContractInput(
        reference=contract.reference, object="Mobilier", buyer_id=contract.buyer_id, sector=contract.sector,
        amount_ht=contract.amount_ht, notified_on=contract.notified_on, start_date=contract.start_date,
        end_date=contract.end_date, clause_kind=contract.clause_kind)
    changed = sample_json.replace(b'"montant": 42000.5', b'"montant": 43000')
    assert [r.outcome for r in import_decp(territory, None, changed, "decp.json").results].count(Outcome.UPDATED) == 1
    with pytest.raises(EditConflict):
        services.update_contract(personas["facilitator"], contract.id, replace(data), version=loaded_version)


@pytest.mark.postgres
def test_two_imports_of_the_same_file_at_once_create_each_contract_once(app, db, buyers, territory, sample_json):
    territory_id = territory.id

    def run():
        return import_decp(_db.session.get(Territory, territory_id), None, sample_json, "decp.json")

    outcomes = race([app, app], [run, run])
    assert failures(outcomes) == [] and all(outcome.committed for outcome in outcomes)
    # The second waited for the first's lock on the buyers, then found every contract.
    assert sorted({r.outcome for r in outcome.results} == {Outcome.CREATED} for outcome in outcomes) == [False, True]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Contract.id))) == 8


@pytest.mark.postgres
def test_an_import_and_a_form_save_at_once_one_waits_for_the_other(app, db, buyers, territory, personas,
                                                                   sample_json):
    import_decp(territory, None, sample_json, "decp.json")
    contract = db.session.scalars(sa.select(Contract).where(Contract.reference == "2024K0388")).one()
    contract_id, version = contract.id, contract.version
    user_id, territory_id = personas["facilitator"].id, territory.id
    data = services.ContractInput(
        reference=contract.reference, object="Mobilier scolaire et de bureau", buyer_id=contract.buyer_id,
        sector=contract.sector, amount_ht=contract.amount_ht, notified_on=date(2024, 10, 2),
        start_date=contract.start_date, end_date=contract.end_date, clause_kind=contract.clause_kind)
    changed = sample_json.replace(b'"montant": 42000.5', b'"montant": 43000')

    def save():
        return services.update_contract(_db.session.get(User, user_id), contract_id, data, version=version).version

    def reimport():
        return import_decp(_db.session.get(Territory, territory_id), None, changed, "decp.json")

    outcomes = race([app, app], [save, reimport])
    assert failures(outcomes) == []
    db.session.expire_all()
    saved = db.session.get(Contract, contract_id)
    # Whichever went first, the import's amount is kept and the version rose once per writer that
    # saved: the form either saved before the import (then the import updated over it), or
    # conflicted after it — never a lost update.
    assert str(saved.amount_ht) == "43000.00"
    if isinstance(outcomes[0], EditConflict):
        assert saved.version == version + 1
    else:
        assert saved.version == version + 2 and saved.object == "Fourniture de mobilier scolaire"
