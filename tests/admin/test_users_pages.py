"""/admin/utilisateurs and /admin/invitations/<id>: what an administrator sees and does, what the
person then lives (logged out at once, French message at login), and the denials."""
import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa
from factories import TEST_PASSWORD, CandidateInTerritoryFactory, PrescriberFactory, UserFactory

from clausematch.accounts.models import Invitation, Role, User
from clausematch.accounts.tokens import new_token
from clausematch.admin import users
from clausematch.audit import AuditEvent
from clausematch.database import utcnow
from clausematch.notifications import OutboxMessage


def text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def home_of(client) -> str:
    return client.get("/accueil").headers["Location"]


def logged_in_client(app, user):
    client = app.test_client()
    client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD})
    return client


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _invitation(db, personas, **kwargs) -> tuple[Invitation, str]:
    token, token_hash = new_token()
    invitation = Invitation(token_hash=token_hash, email="invitee@exemple.fr", full_name="Camille Invitée",
                            organisation=personas["company"].organisation, role=Role.COMPANY,
                            expires_at=utcnow() + timedelta(days=7), **kwargs)
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


# --- The list ----------------------------------------------------------------------------------

def test_the_list_shows_accounts_and_pending_invitations_with_their_filters(db, client, personas, admin):
    personas["buyer"].is_active = False
    _invitation(db, personas)
    page = text(client.get("/admin/utilisateurs"))
    assert "7 résultats, par nom" not in page and "6 résultats, par nom" in page
    assert "Camille Invitée" in page and "Invitation en attente jusqu'au" in page and "Désactivé" in page
    for label in ("Nom ou adresse e-mail", "Rôle", "Organisation", "État"):
        assert f'{label}' in page
    filtered = text(client.get("/admin/utilisateurs?etat=desactive&role=buyer"))
    assert "1 résultat, par nom" in filtered and personas["buyer"].full_name in filtered
    # Unknown filter values are ignored, as in other lists.
    assert "6 résultats" in text(client.get("/admin/utilisateurs?etat=zzz&role=pirate&page=abc"))


def test_the_list_runs_a_fixed_number_of_queries(app, db, client, personas, admin, count_queries):
    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get("/admin/utilisateurs").status_code == 200
        return len(statements)

    few = queries()
    for _ in range(30):
        UserFactory(role=Role.PRESCRIBER, organisation=personas["prescriber"].organisation)
    db.session.commit()
    assert queries() == few


# --- The account page, deactivation ------------------------------------------------------------

def test_deactivating_logs_the_person_out_at_once_and_login_says_to_ask_the_administrator(
        app, db, client, personas, admin):
    person = personas["prescriber"]
    elsewhere = logged_in_client(app, person)
    assert home_of(elsewhere) == "/prescripteur"

    response = client.post(f"/admin/utilisateurs/{person.id}/desactiver")
    assert response.headers["Location"] == f"/admin/utilisateurs/{person.id}"
    page = text(client.get(response.headers["Location"]))
    assert f"Le compte de {person.full_name} est désactivé" in page
    assert "Désactivé : la personne ne peut pas se connecter" in page
    assert "Compte désactivé ; ses sessions ont été fermées" in page  # the history
    assert personas["admin"].full_name in page

    assert elsewhere.get("/prescripteur").headers["Location"].startswith("/connexion")
    refused = text(elsewhere.post("/connexion", data={"email": person.email, "password": TEST_PASSWORD}))
    assert "Ce compte est désactivé" in refused and "adressez-vous à l'administrateur" in refused
    # A wrong password on the deactivated account gets the usual message: nothing more revealed.
    wrong = text(elsewhere.post("/connexion", data={"email": person.email, "password": "pas le bon"}))
    assert "Adresse e-mail ou mot de passe incorrect" in wrong and "désactivé" not in wrong


def test_an_admin_is_told_they_cannot_deactivate_themselves(db, client, personas, admin):
    page = text(client.get(f"/admin/utilisateurs/{admin.id}"))
    assert "Désactiver le compte" not in page and "C'est votre propre compte" in page
    response = client.post(f"/admin/utilisateurs/{admin.id}/desactiver", follow_redirects=True)
    assert "Vous ne pouvez pas désactiver votre propre compte" in text(response)
    db.session.expire_all()
    assert db.session.get(User, admin.id).is_active


def test_reactivating_from_the_page(db, client, personas, admin):
    person = personas["company"]
    users.deactivate_user(personas["admin"], person.id)
    page = text(client.post(f"/admin/utilisateurs/{person.id}/reactiver", follow_redirects=True))
    assert f"Le compte de {person.full_name} est réactivé" in page
    assert text(logged_in_client_for(client, person)).count("Ce compte est désactivé") == 0


def logged_in_client_for(client, user):
    client.post("/deconnexion")
    return client.post("/connexion", data={"email": user.email, "password": TEST_PASSWORD}, follow_redirects=True)


# --- The edit form -----------------------------------------------------------------------------

def test_moving_a_prescriber_shows_them_their_new_organisations_people_only(app, db, client, personas, admin):
    person = personas["prescriber"]
    old = person.organisation
    new = PrescriberFactory(name="Mission locale Nord", territory=old.territory)
    old_record = CandidateInTerritoryFactory(prescriber=old)
    new_record = CandidateInTerritoryFactory(prescriber=new)
    db.session.commit()
    elsewhere = logged_in_client(app, person)
    assert elsewhere.get(f"/candidats/{old_record.id}").status_code == 200
    assert elsewhere.get(f"/candidats/{new_record.id}").status_code == 403

    form = client.get(f"/admin/utilisateurs/{person.id}/modifier").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    assert "Mission locale Nord" in form and '<optgroup label="Prescripteur">' in form
    response = client.post(f"/admin/utilisateurs/{person.id}/modifier", data={
        "version": version, "full_name": person.full_name, "role": "prescriber", "organisation_id": str(new.id)})
    assert response.headers["Location"] == f"/admin/utilisateurs/{person.id}"
    page = text(client.get(response.headers["Location"]))
    assert "Ses sessions ouvertes ont été fermées" in page
    assert f"organisation : {old.name} → Mission locale Nord" in page

    assert elsewhere.get("/prescripteur").headers["Location"].startswith("/connexion")  # logged out
    again = logged_in_client(app, person)
    assert again.get(f"/candidats/{old_record.id}").status_code == 403
    assert again.get(f"/candidats/{new_record.id}").status_code == 200


def test_a_refused_edit_shows_the_error_summary_and_keeps_the_input(db, client, personas, admin):
    person = personas["company"]
    response = client.post(f"/admin/utilisateurs/{person.id}/modifier", data={
        "version": str(person.version), "full_name": "Nom Saisi", "role": "company",
        "organisation_id": str(personas["prescriber"].organisation.id)})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="resume-erreurs"' in html and 'href="#organisation_id"' in html
    assert 'aria-invalid="true"' in html and 'value="Nom Saisi"' in html
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name != "Nom Saisi"
    # Forged values: an unknown role, an organisation id beyond the column: field errors, no 500.
    response = client.post(f"/admin/utilisateurs/{person.id}/modifier", data={
        "version": str(person.version), "full_name": "X", "role": "superuser", "organisation_id": str(2**63)})
    assert response.status_code == 200 and 'id="resume-erreurs"' in response.get_data(as_text=True)


def test_an_edit_over_someone_elses_save_lists_the_current_values(db, client, personas, admin):
    person = personas["company"]
    loaded = person.version
    users.update_user(personas["admin"], person.id, users.AccountInput("Nom Enregistré", Role.COMPANY,
                                                                       person.organisation.id))
    response = client.post(f"/admin/utilisateurs/{person.id}/modifier", data={
        "version": str(loaded), "full_name": "Nom Différent", "role": "company",
        "organisation_id": str(person.organisation.id)})
    page = text(response)
    assert "Quelqu'un d'autre a enregistré cette fiche" in page and "Prénom et nom : Nom Enregistré" in page
    db.session.expire_all()
    assert db.session.get(User, person.id).full_name == "Nom Enregistré"


# --- Invitations ---------------------------------------------------------------------------------

def test_resending_an_invitation_from_its_page(db, client, personas, admin):
    invitation, old_token = _invitation(db, personas, created_at=utcnow() - timedelta(hours=2))
    page = text(client.get(f"/admin/invitations/{invitation.id}"))
    assert "Camille Invitée" in page and "En attente" in page
    response = client.post(f"/admin/invitations/{invitation.id}/renvoyer", follow_redirects=True)
    assert "L'invitation a été renvoyée avec un nouveau lien" in text(response)
    assert "Invitation renvoyée avec un nouveau lien" in text(response)  # the history
    message = db.session.scalars(sa.select(OutboxMessage)).one()
    new_token = re.search(r"/invitation/([A-Za-z0-9_-]+)", message.body).group(1)
    client.post("/deconnexion")
    assert client.get(f"/invitation/{old_token}").status_code == 404
    assert client.get(f"/invitation/{new_token}").status_code == 200


def test_cancelling_an_invitation_from_its_page(db, client, personas, admin):
    invitation, token = _invitation(db, personas)
    response = client.post(f"/admin/invitations/{invitation.id}/annuler", follow_redirects=True)
    page = text(response)
    assert "L'invitation est annulée" in page and "Annulée" in page and "Renvoyer l'invitation" not in page
    again = text(client.post(f"/admin/invitations/{invitation.id}/annuler", follow_redirects=True))
    assert "Cette invitation a déjà été annulée par vous le" in again
    assert "Camille Invitée" not in text(client.get("/admin/utilisateurs"))
    client.post("/deconnexion")
    gone = client.get(f"/invitation/{token}")
    assert gone.status_code == 410 and "Cette invitation a été annulée" in text(gone)


# --- Denials -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["facilitator", "prescriber", "company", "buyer"])
def test_other_roles_change_nothing(db, client, login_as, personas, role):
    invitation, _ = _invitation(db, personas)
    target = personas["company"] if role != "company" else personas["buyer"]
    login_as(role)
    assert client.post(f"/admin/utilisateurs/{target.id}/desactiver").status_code == 403
    assert client.post(f"/admin/utilisateurs/{target.id}/modifier", data={
        "full_name": "Pirate", "role": "admin", "organisation_id": ""}).status_code == 403
    assert client.post(f"/admin/invitations/{invitation.id}/annuler").status_code == 403
    assert client.post(f"/admin/invitations/{invitation.id}/renvoyer").status_code == 403
    db.session.expire_all()
    target = db.session.get(User, target.id)
    assert target.is_active and target.role != Role.ADMIN and target.full_name != "Pirate"
    assert db.session.get(Invitation, invitation.id).cancelled_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("user.%") | AuditEvent.action.like("invitation.%"))) == 0


def test_the_account_page_runs_a_fixed_number_of_queries(db, client, personas, admin, count_queries):
    person = personas["prescriber"]

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            assert client.get(f"/admin/utilisateurs/{person.id}").status_code == 200
        return len(statements)

    def changes(count: int) -> None:
        for number in range(count):
            db.session.add(AuditEvent(action=users.UPDATED, entity_type="user", entity_id=person.id,
                                      actor_id=admin.id, details={"organisation": [person.organisation.id, number]}))
        db.session.commit()

    changes(3)
    few = queries()
    changes(30)
    assert queries() == few


def test_resending_invitations_is_throttled_per_address(db, personas, database_url, referential_index):
    """10 resends a minute per IP address (each sends an e-mail), then the French 429 page."""
    from clausematch import create_app
    from clausematch.extensions import db as _db
    from clausematch.referential import search

    invitation, _ = _invitation(db, personas)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": True})
    app.extensions[search.EXTENSION_KEY] = referential_index
    try:
        client = app.test_client()
        environ = {"REMOTE_ADDR": "198.51.100.9"}
        client.post("/connexion", data={"email": personas["admin"].email, "password": TEST_PASSWORD},
                    environ_base=environ)
        responses = [client.post(f"/admin/invitations/{invitation.id}/renvoyer", environ_base=environ)
                     for _ in range(11)]
        assert [response.status_code for response in responses] == [302] * 10 + [429]
        assert {response.headers["Location"] for response in responses[:10]} == {f"/admin/invitations/{invitation.id}"}
        assert "Trop de tentatives" in text(responses[-1])
    finally:
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()
