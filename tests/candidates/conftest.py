"""Fixtures of the candidates tests: form values, consent, records in the personas' territory."""
import pytest
from candidate_inputs import next_number
from factories import CandidateInTerritoryFactory, PrescriberFactory, UserFactory

from clausematch.accounts.models import Role
from clausematch.candidates.duplicates import name_key
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
def prescriber(personas):
    return personas["prescriber"]


@pytest.fixture
def facilitator(personas):
    return personas["facilitator"]


@pytest.fixture
def other_prescriber(db, territory):
    """A prescriber user of another organisation of the same territory."""
    user = UserFactory(role=Role.PRESCRIBER, email="mission.locale@exemple.fr", full_name="Conseillère Mission locale",
                       organisation=PrescriberFactory(territory=territory, name="Mission locale"))
    db.session.commit()
    return user


@pytest.fixture
def record(db):
    """record(organisation, **columns) → a committed candidate with a consistent name_key."""
    def make(organisation, **columns):
        columns.setdefault("first_name", "Prénom")
        columns.setdefault("last_name", f"Nom{next_number()}")
        columns["name_key"] = name_key(columns["first_name"], columns["last_name"])
        candidate = CandidateInTerritoryFactory(prescriber=organisation, **columns)
        db.session.commit()
        return candidate
    return make
