"""Two saves of the same version of a contract, a lot or a company, released together on real
parallel connections (PostgreSQL, tests/concurrency.py): exactly one is saved, the other gets
EditConflict naming the winner's value, and the version rises once (clausematch/versioning.py)."""
from dataclasses import replace

import pytest
from concurrency import failures, race

from clausematch.accounts.models import Company, User
from clausematch.contracts import organisations, services
from clausematch.contracts.models import Contract, Lot
from clausematch.extensions import db as _db
from clausematch.versioning import CONFLICT_MESSAGE, EditConflict


def as_user(user_id: int) -> User:
    return _db.session.get(User, user_id)


def one_saved(outcomes: list) -> tuple[object, EditConflict]:
    """(the winner's result, the loser's refusal); fails unless exactly one save went through."""
    assert failures(outcomes) == []
    refused = [outcome for outcome in outcomes if isinstance(outcome, EditConflict)]
    assert len(refused) == 1 and refused[0].message == CONFLICT_MESSAGE
    [won] = [outcome for outcome in outcomes if not isinstance(outcome, Exception)]
    return won, refused[0]


@pytest.mark.postgres
def test_two_saves_of_the_same_contract_version_at_once_exactly_one_wins(app, db, personas, build):
    contract = build.contract(object="Groupe scolaire")
    db.session.commit()
    contract_id, version, user_id = contract.id, contract.version, personas["facilitator"].id
    data = services.ContractInput(
        reference=contract.reference, object="", buyer_id=contract.buyer_id, sector=contract.sector,
        amount_ht=contract.amount_ht, notified_on=contract.notified_on, start_date=contract.start_date,
        end_date=contract.end_date, clause_kind=contract.clause_kind)

    def save(obj: str):
        return lambda: services.update_contract(as_user(user_id), contract_id, replace(data, object=obj),
                                                version=version).object

    outcomes = race([app, app], [save("Voirie"), save("Assainissement")])

    won, refused = one_saved(outcomes)
    assert ("object", won) in refused.differences and refused.current_version == version + 1
    db.session.expire_all()
    saved = db.session.get(Contract, contract_id)
    assert (saved.object, saved.version) == (won, version + 1)


@pytest.mark.postgres
def test_two_saves_of_the_same_lot_version_at_once_exactly_one_wins(app, db, personas, build):
    lot = build.lot(title="Gros œuvre")
    db.session.commit()
    lot_id, version, user_id = lot.id, lot.version, personas["facilitator"].id
    data = services.LotInput(number=lot.number, title="", company_id=lot.company_id, amount_ht=lot.amount_ht,
                             start_date=lot.start_date, end_date=lot.end_date)

    def save(title: str):
        return lambda: services.update_lot(as_user(user_id), lot_id, replace(data, title=title),
                                           version=version).title

    won, refused = one_saved(race([app, app], [save("Clos couvert"), save("Second œuvre")]))
    assert ("title", won) in refused.differences
    db.session.expire_all()
    saved = db.session.get(Lot, lot_id)
    assert (saved.title, saved.version) == (won, version + 1)


@pytest.mark.postgres
def test_two_saves_of_the_same_company_version_at_once_exactly_one_wins(app, db, personas, build):
    company = build.other_company(name="Bâtisseurs du 93")
    db.session.commit()
    company_id, version, user_id = company.id, company.version, personas["facilitator"].id
    data = organisations.CompanyInput(name=company.name, company_kind=company.company_kind, siret=company.siret)

    def save(phone: str):
        return lambda: organisations.update_company(as_user(user_id), company_id, replace(data, phone=phone),
                                                    version=version).phone

    won, refused = one_saved(race([app, app], [save("01 48 00 00 01"), save("01 48 00 00 02")]))
    assert ("phone", won) in refused.differences and refused.current_version == version + 1
    db.session.expire_all()
    saved = db.session.get(Company, company_id)
    assert (saved.phone, saved.version) == (won, version + 1)
