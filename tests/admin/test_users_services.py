"""clausematch/admin/users.py: administrators deactivate, reactivate, change the role or the
organisation of an account, resend or cancel an invitation; every change audited; the list
paginates in SQL."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine
from factories import (
    CandidateInTerritoryFactory,
    CompanyFactory,
    FacilitatorTeamFactory,
    NotificationFactory,
    PrescriberFactory,
    UserFactory,
)

from clausematch.accounts import services as account_services
from clausematch.accounts.models import Invitation, PasswordResetToken, Role, User
from clausematch.accounts.tokens import hash_token, new_token
from clausematch.admin import users
from clausematch.audit import AuditEvent
from clausematch.candidates.models import Candidate
from clausematch.database import utcnow
from clausematch.errors import DomainError, NotAllowed
from clausematch.notifications import Notification, OutboxMessage
from clausematch.versioning import EditConflict


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def fresh(db, model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# --- Deactivation ----------------------------------------------------------------------------------

def test_deactivation_ends_sessions_and_reset_links_and_is_audited(db, personas):
    admin, person = personas["admin"], personas["prescriber"]
    version = person.session_version
    db.session.add(PasswordResetToken(token_hash=hash_token("t"), user=person,
                                      expires_at=utcnow() + timedelta(hours=1)))
    db.session.commit()

    users.deactivate_user(admin, person.id)

    person = fresh(db, User, person.id)
    assert person.is_active is False and person.session_version == version + 1 and person.last_seen_at is None
    assert db.session.scalar(sa.select(PasswordResetToken.used_at)) is not None
    [event] = events(db, users.DEACTIVATED)
    assert (event.actor_id, event.entity_type, event.entity_id) == (admin.id, "user", person.id)


def test_deactivating_twice_says_by_whom_and_when(db, personas):
    users.deactivate_user(personas["admin"], personas["company"].id)
    with pytest.raises(DomainError, match=r"^Ce compte a déjà été désactivé par vous le \d\d/\d\d/\d{4}"):
        users.deactivate_user(personas["admin"], personas["company"].id)
    assert len(events(db, users.DEACTIVATED)) == 1


def test_an_admin_cannot_deactivate_themselves(db, personas):
    other_admin = UserFactory(role=Role.ADMIN)
    db.session.commit()
    with pytest.raises(DomainError, match="votre propre compte"):
        users.deactivate_user(personas["admin"], personas["admin"].id)
    assert fresh(db, User, personas["admin"].id).is_active and other_admin.is_active
    assert events(db, users.DEACTIVATED) == []


def test_the_last_admin_rule_counts_active_admins_under_the_lock(db, personas):
    """Two active admins A and B: B deactivates A; A, now inactive, can act no more (re-checked under
    the lock, so that the two cannot deactivate each other: see test_users_race.py)."""
    second = UserFactory(role=Role.ADMIN)
    db.session.commit()
    users.deactivate_user(second, personas["admin"].id)
    with pytest.raises(NotAllowed):
        users.deactivate_user(personas["admin"], second.id)
    assert fresh(db, User, second.id).is_active


def test_reactivation_lets_the_person_log_in_again(db, personas):
    from factories import TEST_PASSWORD

    from clausematch.accounts.login import authenticate

    person = personas["buyer"]
    users.deactivate_user(personas["admin"], person.id)
    with pytest.raises(DomainError, match="Ce compte est désactivé"):
        authenticate(person.email, TEST_PASSWORD)
    users.reactivate_user(personas["admin"], person.id)
    assert authenticate(person.email, TEST_PASSWORD).id == person.id
    with pytest.raises(DomainError, match=r"^Ce compte est déjà actif : il a été réactivé par vous le "):
        users.reactivate_user(personas["admin"], person.id)
    assert [e.entity_id for e in events(db, users.REACTIVATED)] == [person.id]


def test_non_admins_are_refused_by_every_service(db, personas):
    invitation = _invitation(db, personas)
    target = personas["company"]
    calls = (lambda actor: users.deactivate_user(actor, target.id),
             lambda actor: users.reactivate_user(actor, target.id),
             lambda actor: users.update_user(actor, target.id, users.AccountInput("X", Role.COMPANY, None)),
             lambda actor: users.resend_invitation(actor, invitation.id),
             lambda actor: users.cancel_invitation(actor, invitation.id),
             lambda actor: users.people_page(actor, users.PeopleFilters(), 1),
             lambda actor: users.user_history(actor, target, 1))
    for role in ("facilitator", "prescriber", "company", "buyer"):
        for call in calls:
            with pytest.raises(NotAllowed):
                call(personas[role])
    assert fresh(db, User, personas["company"].id).is_active
    assert fresh(db, Invitation, invitation.id).cancelled_at is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0


# --- Role and organisation ------------------------------------------------------------------------

def test_changing_a_prescribers_organisation_ends_sessions_and_their_former_position(db, personas):
    person = personas["prescriber"]
    old, new = person.organisation, PrescriberFactory(territory=person.organisation.territory)
    kept = CandidateInTerritoryFactory(prescriber=old, referent_id=person.id)
    NotificationFactory(user=person)
    db.session.commit()
    version, candidate_version = person.session_version, kept.version

    change = users.update_user(personas["admin"], person.id,
                               users.AccountInput(person.full_name, Role.PRESCRIBER, new.id), version=person.version)

    person = fresh(db, User, person.id)
    assert person.organisation_ids == {new.id} and person.session_version == version + 1
    candidate = db.session.get(Candidate, kept.id)
    assert candidate.referent_id is None and candidate.version == candidate_version + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert (change.changed, change.referents_cleared, change.notifications_deleted) == (["organisation"], 1, 1)
    [event] = events(db, users.UPDATED)
    assert event.details == {"organisation": [old.id, new.id], "sessions_ended": True, "referents_cleared": 1,
                             "notifications_deleted": 1}


def test_a_referent_of_the_new_organisations_candidates_stays_referent(db, personas):
    person = personas["prescriber"]
    home = person.organisation
    colleague_record = CandidateInTerritoryFactory(prescriber=home, referent_id=person.id)
    db.session.commit()
    users.update_user(personas["admin"], person.id, users.AccountInput("Nouveau Nom", Role.PRESCRIBER, home.id))
    assert fresh(db, Candidate, colleague_record.id).referent_id == person.id
    [event] = events(db, users.UPDATED)
    assert event.details == {"full_name": True}  # a name change alone ends no session
    assert fresh(db, User, person.id).full_name == "Nouveau Nom"


def test_role_and_organisation_must_go_together(db, personas):
    person = personas["company"]
    prescriber_org = personas["prescriber"].organisation
    with pytest.raises(DomainError, match="organisation de type « Prescripteur »") as refused:
        users.update_user(personas["admin"], person.id, users.AccountInput(person.full_name, Role.COMPANY,
                                                                           prescriber_org.id))
    assert refused.value.field == "organisation_id"
    with pytest.raises(DomainError) as refused:
        users.update_user(personas["admin"], person.id, users.AccountInput(person.full_name, Role.BUYER, None))
    assert refused.value.field == "organisation_id"
    with pytest.raises(DomainError) as refused:
        users.update_user(personas["admin"], person.id, users.AccountInput("  ", Role.COMPANY, person.organisation.id))
    assert refused.value.field == "full_name"
    person = fresh(db, User, person.id)
    assert person.role == Role.COMPANY and person.organisation_ids == {personas["company"].organisation.id}
    assert events(db, users.UPDATED) == []


def test_a_role_change_ends_sessions_and_an_admin_may_have_no_organisation(db, personas):
    person = personas["facilitator"]
    version = person.session_version
    users.update_user(personas["admin"], person.id, users.AccountInput(person.full_name, Role.ADMIN, None))
    person = fresh(db, User, person.id)
    assert person.role == Role.ADMIN and person.memberships == [] and person.session_version == version + 1
    [event] = events(db, users.UPDATED)
    assert event.details["role"] == ["facilitator", "admin"] and event.details["sessions_ended"] is True


def test_an_admin_cannot_change_their_own_role(db, personas):
    UserFactory(role=Role.ADMIN)
    team = FacilitatorTeamFactory()
    db.session.commit()
    with pytest.raises(DomainError, match="votre propre rôle"):
        users.update_user(personas["admin"], personas["admin"].id, users.AccountInput("A", Role.FACILITATOR, team.id))
    assert fresh(db, User, personas["admin"].id).role == Role.ADMIN


def test_an_edit_over_a_newer_version_is_refused_with_the_current_values(db, personas):
    person = personas["company"]
    loaded = person.version
    other_company = CompanyFactory(territory=person.organisation.territory)
    db.session.commit()
    users.update_user(personas["admin"], person.id,
                      users.AccountInput(person.full_name, Role.COMPANY, other_company.id), version=loaded)
    third = CompanyFactory(territory=person.organisation.territory)
    db.session.commit()
    with pytest.raises(EditConflict) as conflict:
        users.update_user(personas["admin"], person.id, users.AccountInput("Autre Nom", Role.COMPANY, third.id),
                          version=loaded)
    assert ("organisation_id", other_company.id) in conflict.value.differences
    assert ("full_name", person.full_name) in conflict.value.differences
    person = fresh(db, User, person.id)
    assert person.organisation_ids == {other_company.id} and person.version == loaded + 1
    assert len(events(db, users.UPDATED)) == 1


# --- Invitations -----------------------------------------------------------------------------------

def _invitation(db, personas, **kwargs) -> Invitation:
    token, token_hash = new_token()
    invitation = Invitation(token_hash=token_hash, email=kwargs.pop("email", "nouvelle@exemple.fr"),
                            full_name="Nouvelle Personne", organisation=personas["company"].organisation,
                            role=Role.COMPANY, invited_by=personas["facilitator"],
                            expires_at=utcnow() + timedelta(days=7), **kwargs)
    db.session.add(invitation)
    db.session.commit()
    invitation.token = token
    return invitation


def test_resending_gives_a_new_link_and_the_old_one_stops_working(app, db, personas):
    invitation = _invitation(db, personas, created_at=utcnow() - timedelta(hours=1))
    old_token = invitation.token
    users.resend_invitation(personas["admin"], invitation.id)

    message = db.session.scalars(sa.select(OutboxMessage)).one()
    assert message.recipient == "nouvelle@exemple.fr" and message.subject == "Votre invitation à rejoindre ClauseMatch"
    new_token = message.body.split("/invitation/")[1].split()[0]
    with pytest.raises(account_services.UnusableLink):
        account_services.invitation_for_token(old_token)
    assert account_services.invitation_for_token(new_token).id == invitation.id
    assert [e.entity_id for e in events(db, users.RESENT)] == [invitation.id]


def test_an_invitation_is_not_resent_within_ten_minutes(db, personas):
    invitation = _invitation(db, personas)
    with pytest.raises(DomainError, match="il y a moins de 10 minutes"):
        users.resend_invitation(personas["admin"], invitation.id)
    with time_machine.travel(utcnow() + timedelta(minutes=11), tick=False):
        users.resend_invitation(personas["admin"], invitation.id)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1


def test_an_expired_invitation_can_be_resent_for_a_new_period(app, db, personas):
    invitation = _invitation(db, personas, created_at=utcnow() - timedelta(days=8))
    invitation.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    users.resend_invitation(personas["admin"], invitation.id)
    assert fresh(db, Invitation, invitation.id).expires_at > utcnow() + timedelta(days=6)


def test_cancelling_makes_the_link_unusable_and_is_told_twice(db, personas):
    invitation = _invitation(db, personas)
    users.cancel_invitation(personas["admin"], invitation.id)
    with pytest.raises(account_services.UnusableLink, match="annulée"):
        account_services.invitation_for_token(invitation.token)
    with pytest.raises(DomainError, match=r"^Cette invitation a déjà été annulée par vous le "):
        users.cancel_invitation(personas["admin"], invitation.id)
    with pytest.raises(DomainError, match="a été annulée par vous"):
        users.resend_invitation(personas["admin"], invitation.id)
    assert account_services.invitation_status(fresh(db, Invitation, invitation.id)) == "Annulée"
    assert len(events(db, users.CANCELLED)) == 1


def test_an_accepted_invitation_is_neither_resent_nor_cancelled(db, personas):
    invitation = _invitation(db, personas)
    account_services.accept_invitation(invitation.token, "une phrase de passe assez longue")
    for call in (users.resend_invitation, users.cancel_invitation):
        with pytest.raises(DomainError, match="déjà été acceptée"):
            call(personas["admin"], invitation.id)


def test_a_cancelled_invitation_no_longer_blocks_a_new_one(app, db, personas):
    invitation = _invitation(db, personas)
    users.cancel_invitation(personas["admin"], invitation.id)
    with app.test_request_context():
        again = account_services.invite_user(personas["admin"], personas["company"].organisation.id,
                                             "nouvelle@exemple.fr", "Nouvelle Personne")
    assert again.id != invitation.id


# --- The list and the history ---------------------------------------------------------------------

def _names(page) -> list[str]:
    return [row.full_name for row in page.items]


def test_the_list_searches_and_filters_accounts_and_pending_invitations(db, personas):
    invitation = _invitation(db, personas, email="zoe.martin@exemple.fr")
    expired = _invitation(db, personas, email="expiree@exemple.fr")
    expired.full_name, expired.expires_at = "Ancienne Invitée", utcnow() - timedelta(days=1)
    cancelled = _invitation(db, personas, email="annulee@exemple.fr")
    cancelled.full_name, cancelled.cancelled_at = "Annulée Invitée", utcnow()
    personas["company"].full_name = "Zoé Dupont"
    personas["buyer"].is_active = False
    db.session.commit()
    admin = personas["admin"]

    def names(**filters) -> list[str]:
        return _names(users.people_page(admin, users.PeopleFilters(**filters), 1))

    everything = names()
    assert invitation.full_name in everything and "Ancienne Invitée" in everything
    assert "Annulée Invitée" not in everything and len(everything) == 7
    assert names(q="zoe") == ["Nouvelle Personne", "Zoé Dupont"]  # the invitation's e-mail, the accented name
    assert names(q="zoe.martin") == ["Nouvelle Personne"]  # the e-mail address of the invitation
    assert names(q="zoé DUP") == ["Zoé Dupont"]
    assert names(q="%") == [] and names(q="_") == []  # wildcards typed are taken literally
    assert set(names(role=Role.COMPANY)) == {"Zoé Dupont", "Nouvelle Personne", "Ancienne Invitée"}
    assert set(names(organisation=personas["company"].organisation.name)) == {
        "Zoé Dupont", "Nouvelle Personne", "Ancienne Invitée"}
    assert names(state="desactive") == [personas["buyer"].full_name]
    assert names(state="invitation") == ["Nouvelle Personne"]
    assert names(state="expiree") == ["Ancienne Invitée"]
    assert personas["buyer"].full_name not in names(state="actif")


def test_the_list_search_ignores_accents_and_case_and_follows_renames(db, personas):
    """"helene" and "HÉLÈNE" find "Hélène" (accounts and invitations alike), on SQLite as on
    PostgreSQL: both compare the stored normalised name; a rename is followed at once."""
    invitation = _invitation(db, personas, email="invitee@exemple.fr")
    invitation.full_name = "Hélène Lefèvre-Çelik"
    personas["company"].full_name = "Helene Martin"
    personas["buyer"].full_name = "Léa Dupont"
    db.session.commit()
    admin = personas["admin"]

    def names(q: str) -> list[str]:
        return _names(users.people_page(admin, users.PeopleFilters(q=q), 1))

    both = ["Hélène Lefèvre-Çelik", "Helene Martin"]
    assert names("helene") == both
    assert names("HÉLÈNE") == both
    assert names("Hélène") == both
    assert names("lefevre celik") == ["Hélène Lefèvre-Çelik"]
    assert names("lefèvre-çelik") == ["Hélène Lefèvre-Çelik"]
    assert names("HÉLÈNE M") == ["Helene Martin"]
    assert names("helena") == []
    personas["company"].full_name = "Hélène Zidane"
    db.session.commit()
    assert names("ZIDANE") == ["Hélène Zidane"] and names("martin") == []


def test_the_list_paginates_in_sql_with_two_queries(app, db, personas, count_queries):
    app.config["PAGE_SIZE"] = 5
    for _ in range(12):
        UserFactory(role=Role.FACILITATOR, organisation=personas["facilitator"].organisation)
    _invitation(db, personas)
    db.session.commit()
    assert personas["admin"].role == Role.ADMIN  # the acting user is loaded (by the login, in a request)
    with count_queries() as statements:
        page = users.people_page(personas["admin"], users.PeopleFilters(), 3)
    assert len(statements) == 2
    assert (page.total, page.pages, len(page.items)) == (18, 4, 5)


def test_the_history_says_who_did_what_with_organisation_names(db, personas):
    person = personas["prescriber"]
    old = person.organisation
    new = PrescriberFactory(name="Mission locale Est", territory=old.territory)
    db.session.commit()
    users.update_user(personas["admin"], person.id, users.AccountInput(person.full_name, Role.PRESCRIBER, new.id))
    users.deactivate_user(personas["admin"], person.id)
    db.session.add(AuditEvent(action="login", entity_type="user", entity_id=person.id, actor_id=person.id))
    db.session.commit()

    history = users.user_history(personas["admin"], fresh(db, User, person.id), 1)
    assert [line.action for line in history.items] == [users.DEACTIVATED, users.UPDATED]  # logins are not changes
    assert history.items[1].actor_name == personas["admin"].full_name
    assert f"organisation : {old.name} → Mission locale Est" in history.items[1].text
    assert "sessions fermées" in history.items[1].text
