"""E-mails delivered for real: the job mail.deliver sends the outbox through a local SMTP server
(aiosmtpd, tests/mail/conftest.py); a failure is recorded, retried after a growing delay, and shown
to administrators; the log transport writes a message once its unit of work is committed."""
import logging
import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import time_machine
from mail_support import PUBLIC_BASE_URL, free_port

from clausematch.accounts import services as accounts
from clausematch.jobs import JobRun
from clausematch.notifications import MAX_ATTEMPTS, OutboxMessage, deliver_outbox, queue_email
from clausematch.scheduler import find_job, run_now, run_scheduled

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
NAIVE_NOW = NOW.replace(tzinfo=None)


def outbox(db) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def test_an_invitation_reaches_the_smtp_server_in_french_with_a_link_on_the_public_address(
        smtp_app, db, personas, mailroom):
    accounts.invite_user(personas["facilitator"], personas["prescriber"].organisation.id,
                         "awa.diallo@exemple.fr", "Awa Diallo")
    assert mailroom.received == []  # nothing leaves from the request: the job sends

    result = run_now(find_job("mail.deliver"))

    assert str(result) == "1 e-mail(s) envoyé(s)."
    [received] = mailroom.received
    assert received["Subject"] == "Votre invitation à rejoindre ClauseMatch"
    assert received["To"] == "awa.diallo@exemple.fr"
    assert received["From"] == smtp_app.config["MAIL_SENDER"]
    body = received.get_content()
    assert "Awa Diallo" in body
    link = re.search(r"https://clausematch\.exemple\.fr/invitation/[A-Za-z0-9_-]+", body)
    assert link, body
    [row] = outbox(db)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error is None
    assert link.group(0) in row.body
    assert str(run_now(find_job("mail.deliver"))) == "Aucun e-mail à envoyer."
    assert len(mailroom.received) == 1  # sent once


def test_a_refused_message_is_retried_later_and_later_and_shown_to_administrators(
        smtp_app, db, personas, mailroom, client, login_as):
    mailroom.refused.add("inconnu@exemple.fr")
    with time_machine.travel(NOW, tick=False) as clock:
        queue_email("inconnu@exemple.fr", "Réinitialisation de votre mot de passe ClauseMatch", "Bonjour")
        queue_email("connu@exemple.fr", "Heures d'insertion à déclarer", f"{PUBLIC_BASE_URL}/heures")
        db.session.commit()

        assert (deliver_outbox().sent, mailroom.subjects()) == (1, ["Heures d'insertion à déclarer"])
        failed, sent = outbox(db)
        assert (failed.attempts, failed.sent_at, failed.next_attempt_at) == (1, None, NAIVE_NOW + timedelta(minutes=1))
        assert "code 550" in failed.last_error and "inconnu@exemple.fr" not in failed.last_error
        assert sent.sent_at == NAIVE_NOW

        clock.shift(timedelta(seconds=50))  # not due yet: nothing is tried
        assert (deliver_outbox().failed, outbox(db)[0].attempts) == (0, 1)
        clock.shift(timedelta(seconds=10))  # due: second failure, next try twice as far
        assert deliver_outbox().failed == 1
        assert outbox(db)[0].next_attempt_at == NAIVE_NOW + timedelta(minutes=1 + 2)

        login_as("admin")
        html = client.get("/admin/courriels").get_data(as_text=True)
        assert "<caption" in html and "Tentatives" in html
        assert f"n° {failed.id} — Réinitialisation de votre mot de passe ClauseMatch" in html
        assert "Adresse du destinataire refusée par le serveur (code 550)" in html
        assert "10/03/2026 09:03" in html  # the next attempt
        assert "inconnu@exemple.fr" not in html

        mailroom.refused.clear()
        clock.shift(timedelta(minutes=2))
        assert deliver_outbox().sent == 1
    assert outbox(db)[0].attempts == 3 and outbox(db)[0].sent_at is not None
    assert mailroom.subjects().count("Réinitialisation de votre mot de passe ClauseMatch") == 1


def test_a_message_that_keeps_failing_is_given_up_after_the_last_attempt(smtp_app, db, mailroom, client, login_as):
    mailroom.refused.add("inconnu@exemple.fr")
    queue_email("inconnu@exemple.fr", "Invitation", "Bonjour")
    db.session.commit()
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(MAX_ATTEMPTS):
            assert deliver_outbox().failed == 1
            clock.shift(timedelta(hours=7))  # longer than the longest delay
        assert deliver_outbox().failed == 0
    [row] = outbox(db)
    assert (row.attempts, row.next_attempt_at, row.sent_at) == (MAX_ATTEMPTS, None, None)
    login_as("admin")
    html = client.get("/admin/courriels").get_data(as_text=True)
    assert "Abandonné" in html and "Dont abandonnés" in html


def test_an_unreachable_server_fails_the_batch_and_every_message_waits_for_the_next_try(app, db):
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_STARTTLS=False)
    for n in range(3):
        queue_email(f"personne{n}@exemple.fr", "Invitation", "Bonjour")
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        delivery = deliver_outbox()
    assert (delivery.sent, delivery.failed) == (0, 3)
    assert {(m.attempts, m.next_attempt_at) for m in outbox(db)} == {(1, NAIVE_NOW + timedelta(minutes=1))}
    assert all(m.last_error.startswith("Serveur SMTP injoignable") for m in outbox(db))


def test_the_scheduled_delivery_runs_once_a_minute_and_keeps_a_day_of_runs(smtp_app, db, mailroom):
    job = find_job("mail.deliver")
    queue_email("connu@exemple.fr", "Invitation", "Bonjour")
    db.session.commit()
    moment = datetime(2026, 3, 10, 10, 15, 0)
    assert str(run_scheduled(job, moment)) == "1 e-mail(s) envoyé(s)."
    assert run_scheduled(job, moment.replace(second=40)) is None  # same minute: the period is taken
    assert str(run_scheduled(job, moment + timedelta(minutes=1))) == "Aucun e-mail à envoyer."
    periods = set(db.session.scalars(sa.select(JobRun.period)))
    assert periods == {"2026-03-10T10:15", "2026-03-10T10:16"}
    with time_machine.travel(datetime.now(UTC) + timedelta(days=2), tick=False):
        run_scheduled(job, moment + timedelta(days=2))
    assert list(db.session.scalars(sa.select(JobRun.period))) == ["2026-03-12T10:15"]


def test_the_log_transport_writes_the_message_after_its_commit_only(app, db, caplog):
    app.config["MAIL_TRANSPORT"] = "log"
    caplog.set_level(logging.INFO, logger="clausematch.mail")
    queue_email("quelquun@exemple.fr", "Annulé", "Jamais écrit")
    db.session.flush()
    db.session.rollback()
    queue_email("quelquun@exemple.fr", "Votre invitation", "Le lien : http://127.0.0.1:5000/invitation/x")
    db.session.flush()
    assert "Votre invitation" not in caplog.text  # not before the commit
    db.session.commit()
    assert "Votre invitation" in caplog.text and "http://127.0.0.1:5000/invitation/x" in caplog.text
    assert "Annulé" not in caplog.text and "quelquun@exemple.fr" not in caplog.text
    [row] = outbox(db)
    assert row.sent_at is not None and row.attempts == 1
    assert deliver_outbox().sent == 0  # already delivered


def test_flask_outbox_deliver_is_a_manual_run_of_the_delivery_job(smtp_app, db, mailroom, runner):
    queue_email("connu@exemple.fr", "Invitation", "Bonjour")
    db.session.commit()
    result = runner.invoke(args=["outbox", "deliver"])
    assert (result.exit_code, result.output.strip()) == (0, "1 e-mail(s) envoyé(s).")
    assert mailroom.subjects() == ["Invitation"]
    assert db.session.scalars(sa.select(JobRun.job_name)).all() == ["mail.deliver"]


def test_smtp_credentials_are_used_and_a_refused_login_is_shown_without_sending(app, db):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword
    from mail_support import Mailroom

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and \
            (auth_data.login, auth_data.password) == (b"clausematch", b"s3cret")
        return AuthResult(success=ok, handled=False)

    room = Mailroom()
    controller = Controller(room, hostname="127.0.0.1", port=free_port(), authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        app.config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                          SMTP_STARTTLS=False, SMTP_USERNAME="clausematch", SMTP_PASSWORD="faux")
        queue_email("connu@exemple.fr", "Invitation", "Bonjour")
        db.session.commit()
        assert deliver_outbox().failed == 1
        assert outbox(db)[0].last_error == "Identifiants SMTP refusés (code 535)"
        app.config["SMTP_PASSWORD"] = "s3cret"
        db.session.execute(sa.update(OutboxMessage).values(next_attempt_at=None))
        db.session.commit()
        assert deliver_outbox().sent == 1
    finally:
        controller.stop()
    assert room.subjects() == ["Invitation"]
