"""Logging in and out through the real forms."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from factories import TEST_PASSWORD

from clausematch.accounts.login import LOGIN_FAILED
from clausematch.audit import AuditEvent


def events(db, action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_login_redirects_home_records_the_login(client, auth, personas, db):
    user = personas["prescriber"]
    response = auth.login(user)
    assert response.status_code == 302
    assert response.headers["Location"] == "/accueil"
    assert client.get("/accueil").headers["Location"] == "/prescripteur"
    db.session.refresh(user)
    assert user.last_login_at is not None
    [event] = events(db, "login")
    assert (event.entity_id, event.actor_id, event.details) == (user.id, user.id, {})


def test_email_is_matched_without_regard_to_case(client, auth, personas):
    response = client.post("/connexion", data={"email": "  Prescripteur@Exemple.FR ", "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/accueil"


@pytest.mark.parametrize("email, password", [
    ("prescripteur@exemple.fr", "mauvais-mot-de-passe"),
    ("inconnu@exemple.fr", TEST_PASSWORD),
])
def test_failure_never_says_which_was_wrong(client, personas, email, password):
    response = client.post("/connexion", data={"email": email, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert LOGIN_FAILED.replace("'", "&#39;") in page
    assert "inconnu" not in page.replace("inconnu@exemple.fr", "")
    assert client.get("/accueil").headers["Location"].startswith("/connexion")


def test_failed_login_is_audited_with_ids_only(auth, personas, db):
    auth.login(personas["company"], password="mauvais-mot-de-passe")
    [event] = events(db, "login_failed")
    assert (event.entity_type, event.entity_id, event.actor_id, event.details) == \
        ("user", personas["company"].id, None, {})


def test_inactive_user_is_refused(client, auth, personas, db):
    user = personas["buyer"]
    user.is_active = False
    db.session.commit()
    response = auth.login(user)
    assert "Ce compte est désactivé" in response.get_data(as_text=True)
    assert client.get("/accueil").headers["Location"].startswith("/connexion")
    # With a wrong password the answer stays the generic one: nothing learnt about the account.
    response = auth.login(user, password="mauvais-mot-de-passe")
    assert "désactivé" not in response.get_data(as_text=True)


def test_empty_form_errors_are_in_french(client, personas):
    page = client.post("/connexion", data={}).get_data(as_text=True)
    assert "Saisissez votre adresse e-mail." in page
    assert "Saisissez votre mot de passe." in page
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize("next_url, expected", [
    ("/facilitateur", "/facilitateur"),
    ("/invitations?page=2", "/invitations?page=2"),
    ("//evil.example/", "/accueil"),
    ("https://evil.example/", "/accueil"),
    ("/\\evil.example", "/accueil"),
    ("/\t/evil.example", "/accueil"),
    ("javascript:alert(1)", "/accueil"),
])
def test_next_is_followed_only_when_it_is_a_local_path(client, personas, next_url, expected):
    response = client.post("/connexion", query_string={"next": next_url},
                           data={"email": "facilitateur@exemple.fr", "password": TEST_PASSWORD})
    assert response.headers["Location"] == expected


def test_login_page_keeps_a_safe_next_in_its_form(client):
    page = client.get("/connexion?next=/invitations").get_data(as_text=True)
    assert 'action="/connexion?next=/invitations"' in page
    assert "evil" not in client.get("/connexion?next=//evil.example").get_data(as_text=True)


def test_logged_in_user_visiting_login_goes_home(client, login_as):
    login_as("company")
    assert client.get("/connexion").headers["Location"] == "/accueil"


def test_five_failures_lock_the_account_for_fifteen_minutes(client, auth, personas):
    user = personas["facilitator"]
    start = datetime(2025, 3, 10, 9, 0)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(5):
            auth.login(user, password="mauvais-mot-de-passe")
        response = auth.login(user)  # right password, but locked
        assert response.status_code == 200
        assert LOGIN_FAILED.replace("'", "&#39;") in response.get_data(as_text=True)
        traveller.shift(timedelta(minutes=16))
        assert auth.login(user).headers["Location"] == "/accueil"


def test_a_successful_login_resets_the_failure_count(client, auth, personas):
    user = personas["facilitator"]
    with time_machine.travel(datetime(2025, 3, 10, 9, 0), tick=False) as traveller:
        for _ in range(4):
            auth.login(user, password="mauvais-mot-de-passe")
        traveller.shift(timedelta(seconds=1))
        assert auth.login(user).status_code == 302
        auth.logout()
        traveller.shift(timedelta(seconds=1))
        auth.login(user, password="mauvais-mot-de-passe")
        traveller.shift(timedelta(seconds=1))
        assert auth.login(user).headers["Location"] == "/accueil"


def test_logout_ends_the_session_and_is_audited(client, auth, personas, db):
    auth.login(personas["prescriber"])
    response = auth.logout()
    assert response.headers["Location"] == "/connexion"
    assert "Vous êtes déconnecté" in client.get("/connexion").get_data(as_text=True)
    assert client.get("/accueil").headers["Location"].startswith("/connexion")
    [event] = events(db, "logout")
    assert event.actor_id == personas["prescriber"].id


def test_logout_is_post_only(client, login_as):
    login_as("prescriber")
    assert client.get("/deconnexion").status_code == 405


def test_logout_needs_the_csrf_token(app, client, login_as):
    login_as("prescriber")
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/deconnexion").status_code == 400
    assert client.get("/accueil").headers["Location"] == "/prescripteur"  # still logged in
    page = client.get("/prescripteur").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/deconnexion", data={"csrf_token": token}).headers["Location"] == "/connexion"
    assert client.get("/accueil").headers["Location"].startswith("/connexion")


def test_no_open_sign_up(client):
    assert client.get("/inscription").status_code == 404
    page = client.get("/connexion").get_data(as_text=True)
    assert "sur invitation" in page
