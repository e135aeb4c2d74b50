"""A real SMTP server's side for the delivery tests (aiosmtpd): what it accepted, what it refuses."""
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

PUBLIC_BASE_URL = "https://clausematch.exemple.fr"


class Mailroom:
    """The server's side: every message it accepted, and the addresses it refuses (550)."""

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.refused: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 Boite inconnue"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self.lock:
            self.received.append(message)
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [str(message["Subject"]) for message in self.received]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
