"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the delivery tests, and an application whose
outbox sends to it (MAIL_TRANSPORT=smtp, no STARTTLS, links on PUBLIC_BASE_URL)."""
import pytest
from aiosmtpd.controller import Controller
from mail_support import PUBLIC_BASE_URL, Mailroom, free_port


@pytest.fixture
def mailroom():
    room = Mailroom()
    controller = Controller(room, hostname="127.0.0.1", port=free_port())
    controller.start()
    room.port = controller.port
    yield room
    controller.stop()


@pytest.fixture
def smtp_app(app, mailroom):
    app.config.update(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=mailroom.port,
                      SMTP_STARTTLS=False, SMTP_USERNAME="", PUBLIC_BASE_URL=PUBLIC_BASE_URL)
    return app
