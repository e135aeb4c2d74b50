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


# --- Sessions end on the server: a copied cookie replayed later does not bring them back ------

def session_cookie(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """Another browser (an attacker's) sending a copied session cookie to /accueil."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/accueil")


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, auth, personas):
    auth.login(personas["prescriber"])
    assert home_of(client) == "/prescripteur"
    copied = session_cookie(client)
    assert replay(app, copied).headers["Location"] == "/prescripteur"  # the copy works while logged in
    auth.logout()
    response = replay(app, copied)
    assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_idle_expiry_does_not_trust_the_clock_in_the_cookie(app, client, auth, personas):
    """The cookie's own last-seen time is signed, but a replayed or forged cookie can carry a
    recent one: the server keeps its own clock."""
    with time_machine.travel(START, tick=False) as traveller:
        auth.login(personas["facilitator"])
        traveller.shift(timedelta(minutes=31))
        with client.session_transaction() as session:  # a cookie claiming recent activity
            session["_last_seen"] = datetime.now().isoformat()
        response = client.get("/facilitateur")
        assert response.status_code == 302 and response.headers["Location"].startswith("/connexion")


def test_a_cookie_copied_before_idle_expiry_stays_refused_after_a_new_login(app, client, auth, personas):
    with time_machine.travel(START, tick=False) as traveller:
        auth.login(personas["company"])
        copied = session_cookie(client)
        traveller.shift(timedelta(minutes=31))
        assert home_of(client).startswith("/connexion")  # expired for inactivity
        auth.login(personas["company"])  # the person comes back and logs in again
        assert home_of(client) == "/entreprise"
        with client.session_transaction() as session:
            fresh = session["_last_seen"]
        other = app.test_client()
        other.set_cookie("session", copied)
        with other.session_transaction() as session:  # even with a recent clock in the copy
            session["_last_seen"] = fresh
        assert other.get("/accueil").headers["Location"].startswith("/connexion")
