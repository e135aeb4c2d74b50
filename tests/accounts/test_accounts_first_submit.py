"""The invitation form lists every error at the first submit: WTForms' (a required name) and the
service's (an e-mail that already has an account) together; no invitation, no e-mail."""
import sqlalchemy as sa
from error_summary import error_count, field_errors

from clausematch.accounts.models import Invitation


def test_a_missing_name_and_an_e_mail_that_has_an_account_are_listed_together(db, client, login_as, personas,
                                                                              mailbox):
    login_as("facilitator")
    response = client.post("/invitations/nouvelle", data={
        "organisation_id": personas["buyer"].organisation.id, "email": personas["company"].email.upper(),
        "full_name": ""})
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert field_errors(html, "full_name")
    assert "Un compte existe déjà avec cette adresse e-mail." in field_errors(html, "email")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert mailbox.messages() == []


def test_an_invalid_e_mail_is_said_once(db, client, login_as, personas):
    login_as("facilitator")
    response = client.post("/invitations/nouvelle", data={
        "organisation_id": personas["buyer"].organisation.id, "email": "pas-une-adresse", "full_name": ""})
    html = response.get_data(as_text=True)
    assert error_count(html) == 2
    assert field_errors(html, "email").count("champ__erreur") == 1
