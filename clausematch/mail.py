"""How an e-mail leaves the platform: the transports named by MAIL_TRANSPORT.

Ground floor: the standard library only. The outbox (clausematch/notifications.py) decides what
is sent and when; a transport only sends one message, or raises.

- `log` (development default): the message is written to the application log, links included.
  The recipient's address is left out (personal data).
- `smtp` (production default): stdlib smtplib on SMTP_HOST:SMTP_PORT, STARTTLS when SMTP_STARTTLS=1,
  login when SMTP_USERNAME is set. One connection per delivery batch (`with transport:`).
- `none` (tests): nothing leaves; the messages stay in the outbox table.
"""
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

log = logging.getLogger(__name__)

SMTP_TIMEOUT_SECONDS = 20


class ServerUnavailable(Exception):
    """The SMTP server could not be reached, refused the login, or dropped the connection: every
    message of the batch would fail alike (the original error is the __cause__)."""


# Refusals of one message: the connection stays usable for the next ones.
MESSAGE_REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class Transport(Protocol):
    def __enter__(self) -> "Transport": ...
    def __exit__(self, *exc) -> None: ...
    def send(self, message_id: int, recipient: str, subject: str, body: str) -> None: ...


def build_message(sender: str, recipient: str, subject: str, body: str) -> EmailMessage:
    """A plain-text UTF-8 e-mail (French accents in the subject are encoded by the library)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    return message


class LogTransport:
    def __enter__(self) -> "LogTransport":
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, message_id: int, recipient: str, subject: str, body: str) -> None:
        # The log is the mailbox; bodies carry links and staff names, never candidate data.
        log.info("E-mail #%s — %s\n%s", message_id, subject, body)


class SmtpTransport:
    """One SMTP connection, opened on entering the `with` block and closed on leaving it."""

    def __init__(self, config) -> None:
        self.host = config["SMTP_HOST"]
        self.port = int(config["SMTP_PORT"])
        self.username = config.get("SMTP_USERNAME") or ""
        self.password = config.get("SMTP_PASSWORD") or ""
        self.starttls = bool(config.get("SMTP_STARTTLS"))
        self.sender = config["MAIL_SENDER"]
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> "SmtpTransport":
        return self

    def _connect(self) -> smtplib.SMTP:
        if self.connection is None:
            try:
                connection = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
            except OSError as error:  # smtplib's errors are OSErrors too
                raise ServerUnavailable() from error
            try:
                if self.starttls:
                    connection.starttls(context=ssl.create_default_context())
                if self.username:
                    connection.login(self.username, self.password)
            except OSError as error:
                connection.close()
                raise ServerUnavailable() from error
            self.connection = connection
        return self.connection

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def send(self, message_id: int, recipient: str, subject: str, body: str) -> None:
        connection = self._connect()
        try:
            connection.send_message(build_message(self.sender, recipient, subject, body))
        except MESSAGE_REFUSALS:
            raise
        except OSError as error:
            # The connection is unusable: the next batch opens a new one.
            self.connection = None
            connection.close()
            raise ServerUnavailable() from error


def transport_for(config) -> Transport:
    """The transport of MAIL_TRANSPORT (`none` sends nothing: the outbox does not call it)."""
    return SmtpTransport(config) if config["MAIL_TRANSPORT"] == "smtp" else LogTransport()


def describe_error(error: Exception) -> str:
    """A short French description of a failed delivery, without the recipient's address
    (smtplib puts refused addresses in its exceptions): what the admin page shows."""
    if isinstance(error, ServerUnavailable) and error.__cause__ is not None:
        cause = error.__cause__
        if isinstance(cause, smtplib.SMTPAuthenticationError):
            return f"Identifiants SMTP refusés (code {cause.smtp_code})"
        return describe_error(cause) if not isinstance(cause, ServerUnavailable) else "Serveur SMTP injoignable"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"Adresse du destinataire refusée par le serveur (code {', '.join(map(str, codes))})"
    if isinstance(error, smtplib.SMTPSenderRefused):
        return f"Expéditeur refusé par le serveur (code {error.smtp_code})"
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode("utf-8", "replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"Refus du serveur SMTP (code {error.smtp_code}) : {text}"[:500]
    if isinstance(error, smtplib.SMTPServerDisconnected | ConnectionError | TimeoutError):
        return f"Serveur SMTP injoignable ou connexion coupée ({type(error).__name__})"
    if isinstance(error, OSError):
        return f"Serveur SMTP injoignable ({type(error).__name__} : {error.strerror or error})"[:500]
    return f"{type(error).__name__}"
