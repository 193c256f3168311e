"""E-mail out: over SMTP (STARTTLS, implicit TLS or plain), or into a local mailbox folder
when no SMTP server is set, so that the demo needs no mail server and the back office can
show what would have been sent."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.utils import format_datetime, formataddr, localtime
from pathlib import Path

from oms.domain.notifications.delivery import Outcome
from oms.services.ports.notifications import EmailMessage


def mime(message: EmailMessage, sender: str, sender_name: str) -> MimeMessage:
    """The message as sent: a plain-text part and an HTML alternative, its fixed id."""
    m = MimeMessage()
    m["Message-ID"] = message.message_id
    m["From"] = formataddr((sender_name, sender))
    m["To"] = message.to
    m["Subject"] = message.subject
    m["Date"] = format_datetime(localtime())
    m["Auto-Submitted"] = "auto-generated"
    m.set_content(message.text)
    m.add_alternative(message.html, subtype="html")
    # After the parts: making the message multipart moves every Content-* header set
    # before into its first part, where a mail client no longer sees the language.
    m["Content-Language"] = message.language
    return m


@dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls, tls (implicit) or none (a local relay only)
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in ("starttls", "tls", "none"):
            raise ValueError("SMTP security is starttls, tls or none")


class SmtpSender:
    """One connection per message: a worker sends few, and a broken connection never
    outlives the message it failed."""

    def __init__(self, server: SmtpServer, sender: str, sender_name: str) -> None:
        self.server, self.sender, self.sender_name = server, sender, sender_name

    def send(self, message: EmailMessage) -> Outcome:
        m = mime(message, self.sender, self.sender_name)
        try:
            srv = self.server
            if srv.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    srv.host, srv.port, timeout=srv.timeout, context=ssl.create_default_context()
                )
            else:
                client = smtplib.SMTP(srv.host, srv.port, timeout=srv.timeout)
            with client:
                if srv.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if srv.user:
                    client.login(srv.user, srv.password or "")
                refused = client.send_message(m)
        except smtplib.SMTPResponseException as error:
            return Outcome(False, error.smtp_code, f"SMTP {error.smtp_code}: {error.smtp_error!r}")
        except (OSError, smtplib.SMTPException) as error:
            return Outcome(False, error=f"{type(error).__name__}: {error}")
        if refused:
            return Outcome(False, error=f"refused by the server: {', '.join(refused)}")
        return Outcome(True)


class MailboxSender:
    """Writes each message as an .eml file (named by its Message-ID, so a repeat overwrites
    itself) in a folder."""

    def __init__(self, folder: Path, sender: str, sender_name: str) -> None:
        self.folder, self.sender, self.sender_name = folder, sender, sender_name

    def send(self, message: EmailMessage) -> Outcome:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = message.message_id.strip("<>").replace("@", "_at_").replace("/", "_")
        path = self.folder / f"{name}.eml"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(bytes(mime(message, self.sender, self.sender_name)))
        tmp.replace(path)
        return Outcome(True)
