"""Seed-test helpers: one seeded database per test module (the seed takes seconds), queried
with plain SQL over the raw tables, and emptied again for the tests that follow."""
import time
from types import SimpleNamespace

import pytest
from database_support import empty_domain_tables

from clausematch import create_app
from clausematch.extensions import db as _db


@pytest.fixture(scope="module")
def seeded(database_url):
    """The demo seeded once for the module on the run's database; its app context stays pushed."""
    from seeds.demo import database_is_empty, seed_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        was_empty = database_is_empty()
        started = time.perf_counter()
        summary = seed_demo()
        seconds = time.perf_counter() - started
        yield SimpleNamespace(app=app, summary=summary, was_empty=was_empty, seconds=seconds)
        _db.session.remove()
        empty_domain_tables(_db)
        _db.engine.dispose()

