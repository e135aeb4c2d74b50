"""Password reset by e-mail link, and password change for a logged-in user."""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from factories import TEST_PASSWORD

from clausematch.accounts import login, services
from clausematch.accounts.models import PasswordResetToken
from clausematch.accounts.tokens import hash_token
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
NEW_PASSWORD = "une nouvelle phrase de passe"


def tokens(db) -> list[PasswordResetToken]:
    return list(db.session.scalars(sa.select(PasswordResetToken).order_by(PasswordResetToken.id)))


def logs_in(client, email, password) -> bool:
    response = client.post("/connexion", data={"email": email, "password": password})
    ok = response.status_code == 302
    if ok:
        client.post("/deconnexion")
    return ok


# --- Service ---------------------------------------------------------------------------------

def test_a_reset_request_mails_a_single_use_link(db, personas, mailbox):
    user = personas["prescriber"]
    with time_machine.travel(NOW, tick=False):
        services.request_password_reset(" PRESCRIPTEUR@exemple.fr")
    [reset] = tokens(db)
    assert reset.user_id == user.id
    assert reset.expires_at == NOW.replace(tzinfo=None) + timedelta(hours=2)
    message = mailbox.last()
    assert message.recipient == user.email and message.sent_at is None
    assert reset.token_hash == hash_token(mailbox.token("mot-de-passe"))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "password_reset_requested"))
    assert (event.entity_id, event.details) == (user.id, {})


@pytest.mark.parametrize("email", ["inconnu@exemple.fr", "acheteur@exemple.fr"])
def test_no_link_for_an_unknown_or_inactive_account(db, personas, mailbox, email):
    personas["buyer"].is_active = False
    db.session.commit()
    services.request_password_reset(email)
    assert tokens(db) == [] and mailbox.messages() == []


def test_reset_requests_are_limited(db, personas, mailbox):
    for _ in range(5):
        services.request_password_reset("prescripteur@exemple.fr")
    assert len(tokens(db)) == 3 and len(mailbox.messages()) == 3


def test_resetting_sets_the_password_and_closes_sessions_and_links(db, personas, mailbox):
    user = personas["company"]
    services.request_password_reset(user.email)
    first = mailbox.token("mot-de-passe")
    services.request_password_reset(user.email)
    second = mailbox.token("mot-de-passe")
    version = user.session_version
    services.reset_password(second, NEW_PASSWORD)
    assert user.session_version == version + 1
    assert all(reset.used_at is not None for reset in tokens(db))
    for token in (first, second):  # the link used, and the other pending one
        with pytest.raises(services.UnusableLink) as caught:
            services.reset_password(token, "encore une autre phrase")
        assert caught.value.status == 410
    assert login.authenticate(user.email, NEW_PASSWORD) == user
    with pytest.raises(DomainError):
        login.authenticate(user.email, TEST_PASSWORD)


def test_an_expired_reset_link_is_refused(db, personas, mailbox):
    with time_machine.travel(NOW, tick=False) as traveller:
        services.request_password_reset("entreprise@exemple.fr")
        traveller.shift(timedelta(hours=2, seconds=1))
        with pytest.raises(services.UnusableLink) as caught:
            services.reset_password(mailbox.token("mot-de-passe"), NEW_PASSWORD)
    assert "a expiré" in caught.value.message


def test_change_password_checks_the_current_one(db, personas):
    user = personas["buyer"]
    with pytest.raises(DomainError) as caught:
        services.change_password(user, "pas le bon", NEW_PASSWORD)
    assert (caught.value.field, caught.value.message) == ("current_password", "Le mot de passe actuel est incorrect.")
    with pytest.raises(DomainError) as caught:
        services.change_password(user, TEST_PASSWORD, TEST_PASSWORD)
    assert caught.value.field == "new_password"
    services.change_password(user, TEST_PASSWORD, NEW_PASSWORD)
    assert login.authenticate(user.email, NEW_PASSWORD) == user
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "password_changed"))
    assert (event.entity_id, event.actor_id, event.details) == (user.id, user.id, {})


# --- Pages -----------------------------------------------------------------------------------

def test_forgot_password_answers_the_same_whether_the_account_exists(client, personas, mailbox):
    pages = []
    for email in ("prescripteur@exemple.fr", "personne@ailleurs.fr"):
        response = client.post("/mot-de-passe-oublie", data={"email": email})
        assert response.headers["Location"] == "/connexion"
        pages.append(client.get("/connexion").get_data(as_text=True))
    assert pages[0] == pages[1]
    assert "Si un compte actif existe pour cette adresse" in pages[0]
    assert [m.recipient for m in mailbox.messages()] == ["prescripteur@exemple.fr"]


def test_reset_through_the_pages(client, personas, mailbox):
    client.post("/mot-de-passe-oublie", data={"email": "facilitateur@exemple.fr"})
    url = f"/mot-de-passe/{mailbox.token('mot-de-passe')}"
    form = client.get(url)
    assert form.status_code == 200 and form.headers["Referrer-Policy"] == "same-origin"
    short = client.post(url, data={"password": "court", "confirm": "court"}).get_data(as_text=True)
    assert "Le mot de passe doit contenir entre 12 et 128 caractères." in short
    response = client.post(url, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/connexion"
    assert "Votre mot de passe a été modifié" in client.get("/connexion").get_data(as_text=True)
    assert client.get(url).status_code == 410
    assert logs_in(client, "facilitateur@exemple.fr", NEW_PASSWORD)
    assert not logs_in(client, "facilitateur@exemple.fr", TEST_PASSWORD)


def test_an_unknown_reset_link_is_a_french_404(client):
    response = client.get("/mot-de-passe/inconnu")
    assert response.status_code == 404
    assert "Ce lien de réinitialisation n&#39;est pas valide" in response.get_data(as_text=True)


def test_change_password_page(client, login_as, personas):
    login_as("prescriber")
    wrong = client.post("/mon-compte/mot-de-passe", data={
        "current_password": "pas le bon", "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    page = wrong.get_data(as_text=True)
    assert "Le mot de passe actuel est incorrect." in page
    assert 'id="current_password-erreurs"' in page and 'aria-invalid="true"' in page
    response = client.post("/mon-compte/mot-de-passe", data={
        "current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.headers["Location"] == "/accueil"
    assert "Votre mot de passe a été modifié" in client.get("/prescripteur").get_data(as_text=True)
    client.post("/deconnexion")
    assert logs_in(client, "prescripteur@exemple.fr", NEW_PASSWORD)


def test_change_password_needs_a_login(client):
    assert client.get("/mon-compte/mot-de-passe").headers["Location"].startswith("/connexion?next=")
