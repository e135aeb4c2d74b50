"""Fixtures of the imports tests (the file builders are in import_files.py): the facilitator, the
DECP samples (data/README.md) and the territory's two buyers they name."""
from types import SimpleNamespace

import pytest
from import_files import ALLIER, DATA, ELSEWHERE, LYON


@pytest.fixture
def facilitator(personas):
    return personas["facilitator"]


@pytest.fixture
def sample_json() -> bytes:
    return (DATA / "decp_sample.json").read_bytes()


@pytest.fixture
def sample_csv() -> bytes:
    return (DATA / "decp_sample.csv").read_bytes()


@pytest.fixture
def buyers(db, personas, territory):
    """Buyer A (SIRET of the sample's Lyon marchés) and B (the Allier ones), in the territory; the
    third SIRET of the sample belongs to a buyer of another territory."""
    from factories import BuyerFactory, TerritoryFactory

    found = SimpleNamespace(a=BuyerFactory(territory=territory, name="Ville A", siret=LYON),
                            b=BuyerFactory(territory=territory, name="Commune B", siret=ALLIER),
                            elsewhere=BuyerFactory(territory=TerritoryFactory(), name="Ailleurs", siret=ELSEWHERE))
    db.session.commit()
    return found
