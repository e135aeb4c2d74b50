"""Sessions: logout after inactivity (sliding), and invalidation when the password changes."""
from datetime import datetime, timedelta

import pytest
import time_machine
from factories import TEST_PASSWORD

from clausematch.web.sessions import safe_next

START = datetime(2025, 3, 10, 9, 0)


def home_of(client) -> str:
    return client.get("/accueil").headers["Location"]


def test_session_expires_after_thirty_minutes_of_inactivity(client, auth, personas):
    with time_machine.travel(START, tick=False) as traveller:
        auth.login(personas["facilitator"])
        assert home_of(client) == "/facilitateur"
        traveller.shift(timedelta(minutes=31))
        response = client.get("/facilitateur")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/connexion")
        assert home_of(client).startswith("/connexion")  # and it stays logged out


def test_expiry_is_checked_server_side_with_a_french_message(app, client, auth, personas):
    # Even when the cookie itself would live longer, the server ends the session after inactivity.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=1)
    with time_machine.travel(START, tick=False) as traveller:
        auth.login(personas["facilitator"])
        traveller.shift(timedelta(minutes=31))
        response = client.get("/invitations?page=2")
        assert response.headers["Location"] == "/connexion?next=/invitations?page%3D2"
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Votre session a expiré après une période d&#39;inactivité" in page
        assert home_of(client).startswith("/connexion")


def test_activity_renews_the_session(client, auth, personas):
    with time_machine.travel(START, tick=False) as traveller:
        auth.login(personas["facilitator"])
        for _ in range(4):  # 80 minutes in all, never 30 without a request
            traveller.shift(timedelta(minutes=20))
            assert client.get("/facilitateur").status_code == 200
        assert home_of(client) == "/facilitateur"


def test_changing_the_password_closes_other_sessions_only(app, personas):
    user = personas["company"]
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
        assert home_of(client) == "/entreprise"
    response = here.post("/mon-compte/mot-de-passe", data={
        "current_password": TEST_PASSWORD, "new_password": "une toute nouvelle phrase",
        "confirm": "une toute nouvelle phrase"})
    assert response.headers["Location"] == "/accueil"
    assert home_of(here) == "/entreprise"
    assert home_of(elsewhere).startswith("/connexion")


def test_a_deactivated_user_is_logged_out(client, login_as, db):
    user = login_as("buyer")
    assert home_of(client) == "/acheteur"
    user.is_active = False
    db.session.commit()
    assert home_of(client).startswith("/connexion")


@pytest.mark.parametrize("target, expected", [
    ("/offres", "/offres"),
    ("/offres?q=ma%C3%A7on&page=2", "/offres?q=ma%C3%A7on&page=2"),
    (None, None), ("", None), ("offres", None), ("//evil.example", None),
    ("https://evil.example/x", None), ("/\\evil.example", None), ("/\n/evil.example", None),
    ("/ /evil.example", None),
])
def test_safe_next(target, expected):
    assert safe_next(target) == expected
