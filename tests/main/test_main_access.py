"""Who may open which home page: each role its own (403 for the others), anonymous to the login."""
import pytest

HOMES = {
    "facilitator": "/facilitateur",
    "prescriber": "/prescripteur",
    "company": "/entreprise",
    "buyer": "/acheteur",
    "admin": "/admin",
}
H1 = {
    "facilitator": "Tableau de bord du facilitateur",
    "prescriber": "Espace prescripteur",
    "company": "Espace entreprise",
    "buyer": "Espace acheteur public",
    "admin": "Administration",
}


@pytest.mark.parametrize("role", HOMES)
@pytest.mark.parametrize("home_of", HOMES)
def test_each_home_is_for_its_role_only(client, login_as, role, home_of):
    login_as(role)

    response = client.get(HOMES[home_of])

    html = response.get_data(as_text=True)
    if role == home_of:
        assert response.status_code == 200
        assert f"<h1>{H1[role]}</h1>" in html
    else:
        assert response.status_code == 403
        assert "<h1>Accès refusé</h1>" in html


@pytest.mark.parametrize("path", [*HOMES.values(), "/accueil"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("role", HOMES)
def test_accueil_sends_each_role_to_its_home(client, login_as, role):
    login_as(role)

    response = client.get("/accueil")

    assert response.status_code == 302
    assert response.headers["Location"] == HOMES[role]


def test_the_landing_page_sends_logged_in_users_home(client, login_as):
    login_as("buyer")

    assert client.get("/").headers["Location"] == "/accueil"


def test_staff_without_organisation_is_refused(db, client, login_as, personas):
    import sqlalchemy as sa

    from clausematch.accounts.models import Membership

    db.session.execute(sa.delete(Membership).where(Membership.user_id == personas["company"].id))
    db.session.commit()
    login_as("company")

    response = client.get("/entreprise")

    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in response.get_data(as_text=True)
