"""Two first saves of the same structure's profile, released together on real parallel
connections (PostgreSQL, tests/concurrency.py): the company row is locked, so exactly one profile
is created and the other save, loaded before it existed (version 0), is refused."""
import pytest
import sqlalchemy as sa
from concurrency import failures, race

from clausematch.accounts.models import CompanyKind, User
from clausematch.directory import services
from clausematch.directory.models import DirectoryProfile
from clausematch.extensions import db as _db
from clausematch.versioning import EditConflict


@pytest.mark.postgres
def test_two_first_saves_at_once_create_one_profile(app, db, personas, structure):
    company, _ = structure(kind=CompanyKind.GEIQ, profile=False)
    company_id, user_id = company.id, personas["facilitator"].id

    def save(activities: str):
        data = services.ProfileInput(activities=activities)
        return lambda: services.save_profile(_db.session.get(User, user_id), company_id, data, version=0).activities

    outcomes = race([app, app], [save("Maçonnerie"), save("Peinture")])

    assert failures(outcomes) == []
    refused = [o for o in outcomes if isinstance(o, EditConflict)]
    [won] = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(refused) == 1
    db.session.expire_all()
    rows = db.session.scalars(sa.select(DirectoryProfile).where(DirectoryProfile.company_id == company_id)).all()
    assert [(row.activities, row.version) for row in rows] == [(won, 1)]
