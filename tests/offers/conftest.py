"""Fixtures of the offers workspace tests: lots held by the persona company and by another one."""
import pytest
from factories import (ClauseFactory, CompanyFactory, ContractInTerritoryFactory, LotFactory,
                       OfferInTerritoryFactory)

from clausematch.offers.models import OfferStatus
from clausematch.referential import search


@pytest.fixture(scope="session")
def _referential_index(database_url):
    """The in-memory search index, built once per run (reference data never changes in tests)."""
    from clausematch import create_app
    from clausematch.extensions import db

    with create_app({"SQLALCHEMY_DATABASE_URI": database_url}).app_context():
        index = search.ReferentialIndex.from_database()
        db.session.remove()
        db.engine.dispose()
    return index


@pytest.fixture(autouse=True)
def _shared_referential_index(app, _referential_index):
    app.extensions[search.EXTENSION_KEY] = _referential_index


@pytest.fixture
def contract(db, territory):
    return ContractInTerritoryFactory(buyer__territory=territory)


@pytest.fixture
def company_lot(db, personas, contract):
    """A lot held by the persona company, with a clause for DELD and RSA publics."""
    lot = LotFactory(contract=contract, company=personas["company"].organisation)
    ClauseFactory(lot=lot, eligible_criteria=["deld", "rsa"])
    db.session.commit()
    return lot


@pytest.fixture
def other_lot(db, territory, contract):
    """A lot of the same territory held by another company."""
    lot = LotFactory(contract=contract, company=CompanyFactory(territory=territory, name="Autre BTP"))
    db.session.commit()
    return lot


@pytest.fixture
def make_offer(db, company_lot):
    """make_offer(status=..., lot=..., **columns) → a committed offer (default: draft on company_lot)."""
    def make(status: OfferStatus = OfferStatus.DRAFT, lot=None, **columns):
        offer = OfferInTerritoryFactory(lot=lot or company_lot, status=status, **columns)
        db.session.commit()
        return offer
    return make


@pytest.fixture
def login_as(app, client, personas):
    """The root `login_as` with the session identifier computed from the test client's own
    environ (as tests/main and tests/accounts do): the root fixture's bare request context
    makes Flask-Login's "strong" protection drop the session. TODO(lead): fold into tests/conftest.py."""
    from flask_login.utils import _create_identifier

    def login(role_or_user):
        user = personas[role_or_user] if isinstance(role_or_user, str) else role_or_user
        with app.test_request_context(environ_base=client.environ_base):
            identifier = _create_identifier()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
            session["_id"] = identifier
        return user
    return login
