"""Invitations: the service rules, the pages, the e-mail and the single-use link."""
import logging
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from factories import CompanyFactory, FacilitatorTeamFactory, PrescriberFactory, UserFactory

from clausematch.accounts import login, services
from clausematch.accounts.models import Invitation, Role, User
from clausematch.accounts.tokens import hash_token
from clausematch.audit import AuditEvent
from clausematch.errors import DomainError, NotAllowed

NOW = datetime(2025, 3, 10, 9, 0, tzinfo=UTC)
PASSWORD = "une phrase de passe solide"


def invite(actor, organisation, email="awa.diallo@exemple.fr", full_name="Awa Diallo"):
    return services.invite_user(actor, organisation.id, email, full_name)


def audit_events(db, action):
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


# --- Service ---------------------------------------------------------------------------------

def test_invite_creates_an_expiring_invitation_and_queues_the_link(db, personas, mailbox):
    facilitator, organisation = personas["facilitator"], personas["prescriber"].organisation
    with time_machine.travel(NOW, tick=False):
        invitation = invite(facilitator, organisation, email="  Awa.Diallo@Exemple.FR ")
    assert (invitation.email, invitation.role) == ("awa.diallo@exemple.fr", Role.PRESCRIBER)
    assert invitation.expires_at == NOW.replace(tzinfo=None) + timedelta(days=7)
    [message] = mailbox.messages()
    assert message.recipient == "awa.diallo@exemple.fr"
    assert "Awa Diallo" in message.body and organisation.name in message.body
    token = mailbox.token("invitation")
    assert invitation.token_hash == hash_token(token)  # only the hash is stored
    assert db.session.scalar(sa.select(sa.func.count()).where(Invitation.token_hash == token)) == 0
    assert message.sent_at is None  # MAIL_TRANSPORT="none": the outbox row, nothing sent
    [event] = audit_events(db, "invitation_sent")
    assert (event.entity_id, event.actor_id, event.details) == \
        (invitation.id, facilitator.id, {"organisation_id": organisation.id})


@pytest.mark.parametrize("factory, role", [(PrescriberFactory, Role.PRESCRIBER), (CompanyFactory, Role.COMPANY),
                                           (FacilitatorTeamFactory, Role.FACILITATOR)])
def test_the_role_follows_the_kind_of_organisation(db, personas, territory, factory, role):
    assert invite(personas["facilitator"], factory(territory=territory)).role == role


def test_a_facilitator_cannot_invite_into_another_territory(db, personas, other_territory, mailbox):
    elsewhere = PrescriberFactory(territory=other_territory)
    with pytest.raises(NotAllowed):
        invite(personas["facilitator"], elsewhere)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0
    assert mailbox.messages() == []


@pytest.mark.parametrize("role", ["prescriber", "company", "buyer"])
def test_other_roles_cannot_invite(db, personas, role):
    with pytest.raises(NotAllowed):
        invite(personas[role], personas[role].organisation)


def test_an_admin_invites_anywhere(db, personas, other_territory):
    assert invite(personas["admin"], CompanyFactory(territory=other_territory)).role == Role.COMPANY


def test_an_existing_account_cannot_be_invited(db, personas):
    with pytest.raises(DomainError) as caught:
        invite(personas["facilitator"], personas["company"].organisation, email="Entreprise@exemple.fr")
    assert caught.value.field == "email"
    assert caught.value.message == "Un compte existe déjà avec cette adresse e-mail."


def test_a_pending_invitation_into_the_same_organisation_is_refused(db, personas):
    facilitator, organisation = personas["facilitator"], personas["prescriber"].organisation
    with time_machine.travel(NOW, tick=False) as traveller:
        invite(facilitator, organisation)
        with pytest.raises(DomainError) as caught:
            invite(facilitator, organisation, email="AWA.DIALLO@exemple.fr")
        assert caught.value.field == "email"
        invite(facilitator, personas["company"].organisation)  # another organisation: fine
        traveller.shift(timedelta(days=8))
        invite(facilitator, organisation)  # the first one has expired: invite again
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 3


def test_an_inactive_organisation_cannot_receive_invitations(db, personas):
    organisation = personas["company"].organisation
    organisation.is_active = False
    with pytest.raises(DomainError) as caught:
        invite(personas["facilitator"], organisation)
    assert caught.value.field == "organisation_id"


def test_accepting_creates_the_account_once(db, personas, mailbox):
    organisation = personas["company"].organisation
    invitation = invite(personas["facilitator"], organisation)
    token = mailbox.token("invitation")
    user = services.accept_invitation(token, PASSWORD)
    assert (user.email, user.full_name, user.role) == ("awa.diallo@exemple.fr", "Awa Diallo", Role.COMPANY)
    assert user.organisation_ids == {organisation.id}
    assert invitation.accepted_at is not None and invitation.accepted_user_id == user.id
    [event] = audit_events(db, "invitation_accepted")
    assert (event.entity_id, event.actor_id, event.details) == (invitation.id, user.id, {"user_id": user.id})
    with pytest.raises(services.UnusableLink) as caught:
        services.accept_invitation(token, PASSWORD)
    assert "déjà été utilisé" in caught.value.message
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == len(personas) + 1


def test_an_expired_invitation_cannot_be_accepted(db, personas, mailbox):
    with time_machine.travel(NOW, tick=False) as traveller:
        invite(personas["facilitator"], personas["company"].organisation)
        traveller.shift(timedelta(days=7, seconds=1))
        with pytest.raises(services.UnusableLink) as caught:
            services.accept_invitation(mailbox.token("invitation"), PASSWORD)
    assert caught.value.status == 410
    assert "a expiré le 17/03/2025" in caught.value.message
    assert login.find_user_by_email("awa.diallo@exemple.fr") is None


def test_an_unknown_token_is_a_404(db):
    with pytest.raises(services.UnusableLink) as caught:
        services.invitation_for_token("pas-un-vrai-jeton")
    assert caught.value.status == 404


def test_a_short_password_is_refused_and_nothing_is_created(db, personas, mailbox):
    invite(personas["facilitator"], personas["company"].organisation)
    with pytest.raises(DomainError) as caught:
        services.accept_invitation(mailbox.token("invitation"), "trop court")
    assert caught.value.message == "Le mot de passe doit contenir au moins 12 caractères."
    assert login.find_user_by_email("awa.diallo@exemple.fr") is None


def test_invitable_organisations_are_the_active_ones_of_the_territory(db, personas, other_territory):
    PrescriberFactory(territory=other_territory)
    CompanyFactory(territory=personas["facilitator"].organisation.territory, is_active=False)
    mine = {o.id for o in services.invitable_organisations(personas["facilitator"])}
    assert mine == {personas[r].organisation.id for r in ("facilitator", "prescriber", "company", "buyer")}
    assert len(services.invitable_organisations(personas["admin"])) == 5
    assert services.invitable_organisations(personas["prescriber"]) == []


# --- Pages -----------------------------------------------------------------------------------

def test_anonymous_is_sent_to_the_login_page(client):
    for url in ("/invitations", "/invitations/nouvelle"):
        assert client.get(url).headers["Location"].startswith("/connexion?next=")


@pytest.mark.parametrize("role, status", [("prescriber", 403), ("company", 403), ("buyer", 403),
                                          ("facilitator", 200), ("admin", 200)])
def test_who_may_open_the_invitation_pages(client, login_as, role, status):
    login_as(role)
    assert client.get("/invitations").status_code == status
    assert client.get("/invitations/nouvelle").status_code == status


def test_a_prescriber_cannot_post_an_invitation(client, login_as, personas, mailbox):
    login_as("prescriber")
    response = client.post("/invitations/nouvelle", data={
        "organisation_id": personas["prescriber"].organisation.id, "email": "x@exemple.fr", "full_name": "X"})
    assert response.status_code == 403
    assert mailbox.messages() == []


def test_the_list_shows_this_territory_newest_first(app, client, login_as, personas, other_territory):
    app.config["PAGE_SIZE"] = 2
    with time_machine.travel(NOW, tick=False) as traveller:
        facilitator = personas["facilitator"]
        for n in range(3):
            invite(facilitator, personas["prescriber"].organisation, email=f"p{n}@exemple.fr", full_name=f"Invité {n}")
            traveller.shift(timedelta(hours=1))
        invite(personas["admin"], PrescriberFactory(territory=other_territory), full_name="Ailleurs")
        login_as("facilitator")  # now, in the travelled time: a session signed earlier has expired
        page = client.get("/invitations").get_data(as_text=True)
        assert page.index("Invité 2") < page.index("Invité 1")
        assert "Invité 0" not in page and "Ailleurs" not in page
        assert "Page 1 sur 2" in page and "En attente" in page
        assert "Invité 0" in client.get("/invitations?page=2").get_data(as_text=True)
        traveller.shift(timedelta(days=8))
        login_as("facilitator")
        assert "Expirée" in client.get("/invitations").get_data(as_text=True)


def test_the_list_runs_the_same_number_of_queries_whatever_its_length(app, client, login_as, personas, count_queries):
    facilitator = login_as("facilitator")
    organisations = [personas[r].organisation for r in ("prescriber", "company", "buyer")]

    def queries_for_list() -> int:
        with count_queries() as statements:
            assert client.get("/invitations").status_code == 200
        return len(statements)

    invite(facilitator, organisations[0], email="a0@exemple.fr")
    one = queries_for_list()
    for n in range(1, 9):
        other = UserFactory(role=Role.FACILITATOR, organisation=personas["facilitator"].organisation)
        invite(other, organisations[n % 3], email=f"a{n}@exemple.fr")
    assert queries_for_list() == one


def test_inviting_through_the_form(client, login_as, personas, mailbox, db):
    login_as("facilitator")
    organisation = personas["buyer"].organisation
    form = client.get("/invitations/nouvelle").get_data(as_text=True)
    assert f'<option value="{organisation.id}">' in form and '<optgroup label="Acheteur public">' in form
    response = client.post("/invitations/nouvelle", data={
        "organisation_id": organisation.id, "email": "Jean.Martin@Ville.fr", "full_name": " Jean Martin "})
    assert response.headers["Location"] == "/invitations"
    assert "Invitation envoyée à Jean Martin." in client.get("/invitations").get_data(as_text=True)
    assert mailbox.last().recipient == "jean.martin@ville.fr"
    assert db.session.scalar(sa.select(Invitation.role)) == Role.BUYER


def test_the_form_shows_errors_in_french_on_their_fields(client, login_as, personas, other_territory):
    login_as("facilitator")
    page = client.post("/invitations/nouvelle", data={
        "organisation_id": personas["company"].organisation.id, "email": "pas-une-adresse", "full_name": ""
    }).get_data(as_text=True)
    assert "Adresse e-mail non valide" in page
    assert "Indiquez le prénom et le nom de la personne." in page
    assert 'aria-describedby="email-aide email-erreurs"' in page
    page = client.post("/invitations/nouvelle", data={
        "organisation_id": personas["company"].organisation.id, "email": "acheteur@exemple.fr",
        "full_name": "Déjà Là"}).get_data(as_text=True)
    assert "Un compte existe déjà avec cette adresse e-mail." in page
    elsewhere = PrescriberFactory(territory=other_territory)
    page = client.post("/invitations/nouvelle", data={
        "organisation_id": elsewhere.id, "email": "x@exemple.fr", "full_name": "X"}).get_data(as_text=True)
    assert "N&#39;est pas un choix valide" in page


def test_accepting_through_the_link_logs_the_new_user_in(client, personas, mailbox):
    invite(personas["facilitator"], personas["company"].organisation)
    url = f"/invitation/{mailbox.token('invitation')}"
    page = client.get(url)
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert "Awa Diallo" in page.get_data(as_text=True)
    assert personas["company"].organisation.name in page.get_data(as_text=True)
    mismatch = client.post(url, data={"password": PASSWORD, "confirm": PASSWORD + "!"}).get_data(as_text=True)
    assert "Les deux mots de passe saisis ne sont pas identiques." in mismatch
    response = client.post(url, data={"password": PASSWORD, "confirm": PASSWORD})
    assert response.headers["Location"] == "/accueil"
    assert client.get("/accueil").headers["Location"] == "/entreprise"
    assert "Bienvenue sur ClauseMatch" in client.get("/entreprise").get_data(as_text=True)
    again = client.get(url)
    assert again.status_code == 410
    assert "a déjà été utilisé" in again.get_data(as_text=True)


def test_an_expired_or_unknown_link_gets_a_clear_page(client, personas, mailbox):
    with time_machine.travel(NOW, tick=False) as traveller:
        invite(personas["facilitator"], personas["company"].organisation)
        traveller.shift(timedelta(days=8))
        response = client.get(f"/invitation/{mailbox.token('invitation')}")
    assert response.status_code == 410
    assert "Ce lien d&#39;invitation a expiré" in response.get_data(as_text=True)
    response = client.get("/invitation/inconnu")
    assert response.status_code == 404
    assert "n&#39;est pas valide" in response.get_data(as_text=True)


@pytest.mark.parametrize("transport", ["none", "log"])
def test_no_token_or_address_in_the_logs(app, client, personas, mailbox, caplog, transport):
    app.config["MAIL_TRANSPORT"] = transport
    caplog.set_level(logging.DEBUG)
    invite(personas["facilitator"], personas["company"].organisation)
    token = mailbox.token("invitation")
    client.post(f"/invitation/{token}", data={"password": PASSWORD, "confirm": PASSWORD})
    assert login.find_user_by_email("awa.diallo@exemple.fr") is not None
    assert "awa.diallo@exemple.fr" not in caplog.text
    if transport == "none":
        assert token not in caplog.text and caplog.text.count("\n") < 5
    else:
        # The development transport is the mailbox: it logs the body (with the link), not the address.
        assert "Votre invitation à rejoindre ClauseMatch" in caplog.text
        assert mailbox.last().sent_at is not None


# --- The same link used twice at once (tests/concurrency.py) -------------------------------------

def test_an_invitation_accepted_twice_at_once_creates_one_account(app, db, personas, mailbox):
    """Two tabs (or a double click) submit the same link: one account, the other told in French.
    Runs on SQLite too: there the write lock is taken before the link is read (BEGIN IMMEDIATE)."""
    from concurrency import failures, messages, race

    invite(personas["facilitator"], personas["prescriber"].organisation)
    token = mailbox.token("invitation")
    page_read = lambda: services.invitation_for_token(token)  # noqa: E731 — what the page read first
    accept = lambda: services.accept_invitation(token, PASSWORD)  # noqa: E731

    outcomes = race([app, app], [accept, accept], before=[page_read, page_read])

    assert failures(outcomes) == []
    assert messages(outcomes) == ["Ce lien d'invitation a déjà été utilisé : le compte a été créé. "
                                  "Connectez-vous avec votre adresse e-mail et votre mot de passe."]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)
                             .where(User.email == "awa.diallo@exemple.fr")) == 1
    assert len(audit_events(db, "invitation_accepted")) == 1
