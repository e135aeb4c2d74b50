"""Migration tests run on the backend chosen by --db; under PostgreSQL they carry the
`postgres` marker (those that touch a database), so `-m postgres` selects them with the other PostgreSQL-only tests."""
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    if config.getoption("--db") != "postgresql":
        return
    for item in items:
        if HERE in item.path.parents and "empty_database_url" in item.fixturenames:
            item.add_marker(pytest.mark.postgres)
