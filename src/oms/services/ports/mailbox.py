"""What the mailbox pages need: the e-mails written to the local folder instead of sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True, slots=True)
class MailboxEntry:
    """A message as the list shows it."""

    name: str  # the file's name, the only way to ask for the message
    date: datetime | None
    to: str
    subject: str
    language: str


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    entry: MailboxEntry
    sender: str
    message_id: str
    text: str
    html: str


class Mailbox(Protocol):
    def entries(self, limit: int) -> list[MailboxEntry]:
        """The newest messages first."""

    def read(self, name: str) -> MailboxMessage | None:
        """The message of that name, or None for any name the folder does not list."""
