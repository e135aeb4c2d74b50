"""The administrators' account form lists every error at the first submit: WTForms' (a required
name) and the service's (a role that does not fit the organisation) together; nothing changed."""
import pytest
from error_summary import error_count, field_errors

from clausematch.accounts.models import Role, User
from clausematch.admin import users
from clausematch.errors import FieldErrors


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def test_a_missing_name_and_a_role_that_does_not_fit_are_listed_together(db, client, personas, admin):
    person = personas["company"]
    response = client.post(f"/admin/utilisateurs/{person.id}/modifier", data={
        "version": str(person.version), "full_name": "", "role": "company",
        "organisation_id": str(personas["prescriber"].organisation.id)})
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert field_errors(html, "full_name")
    assert "Choisissez une organisation qui correspond" in field_errors(html, "organisation_id")
    db.session.expire_all()
    assert db.session.get(User, person.id).organisation.id == personas["company"].organisation.id


def test_the_service_gathers_every_refusal(db, personas, admin):
    with pytest.raises(FieldErrors) as refused:
        users.update_user(admin, admin.id, users.AccountInput(full_name=" ", role=Role.PRESCRIBER,
                                                              organisation_id=None))
    assert [error.field for error in refused.value.errors] == ["full_name", "organisation_id", "role"]
