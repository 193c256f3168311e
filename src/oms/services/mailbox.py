"""The local mailbox, for people who run oms without an SMTP server: what oms would have
sent to customers, listed and read in the back office (admins only: they are other
people's e-mails)."""

from __future__ import annotations

from oms.domain.access import Actor, Permission
from oms.domain.errors import NotFound
from oms.services.ports.mailbox import Mailbox, MailboxEntry, MailboxMessage

MAX_LISTED = 200


def list_messages(
    actor: Actor, mailbox: Mailbox | None, limit: int = MAX_LISTED
) -> list[MailboxEntry] | None:
    """The newest messages first; None when e-mails go to an SMTP server (no folder)."""
    actor.require(Permission.NOTIFICATION_MANAGE)
    if mailbox is None:
        return None
    return mailbox.entries(max(1, min(limit, MAX_LISTED)))


def read_message(actor: Actor, mailbox: Mailbox | None, name: str) -> MailboxMessage:
    actor.require(Permission.NOTIFICATION_MANAGE)
    found = mailbox.read(name) if mailbox is not None else None
    if found is None:
        raise NotFound(f"no message {name!r} in the mailbox")
    return found
