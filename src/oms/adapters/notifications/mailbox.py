"""The mailbox folder read back: the .eml files MailboxSender wrote, parsed for the pages.

A name is only ever looked up among the files the folder lists, never joined to the
folder's path, so no name can reach outside it ("../", absolute paths, links).
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from oms.services.ports.mailbox import MailboxEntry, MailboxMessage


class MailboxFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _files(self) -> dict[str, Path]:
        if not self.folder.is_dir():
            return {}
        return {p.name: p for p in self.folder.iterdir() if p.suffix == ".eml" and p.is_file()}

    def entries(self, limit: int) -> list[MailboxEntry]:
        files = sorted(self._files().values(), key=_mtime, reverse=True)[:limit]
        found = [_entry(p.name, _parse(p)) for p in files]
        # The Date header is the message's own time; a rewritten file keeps it.
        return sorted(found, key=lambda e: e.date.timestamp() if e.date else 0.0, reverse=True)

    def read(self, name: str) -> MailboxMessage | None:
        path = self._files().get(name)
        if path is None:
            return None
        m = _parse(path)
        return MailboxMessage(
            entry=_entry(name, m),
            sender=str(m.get("From", "")),
            message_id=str(m.get("Message-ID", "")),
            text=_part(m, "plain"),
            html=_part(m, "html"),
        )


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:  # removed while listed
        return 0.0


def _parse(path: Path) -> EmailMessage:
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _date(m: EmailMessage) -> datetime | None:
    try:
        return parsedate_to_datetime(str(m["Date"])) if m["Date"] else None
    except (TypeError, ValueError):
        return None


def _entry(name: str, m: EmailMessage) -> MailboxEntry:
    return MailboxEntry(
        name=name,
        date=_date(m),
        to=str(m.get("To", "")),
        subject=str(m.get("Subject", "")),
        language=str(m.get("Content-Language", "")),
    )


def _part(m: EmailMessage, subtype: str) -> str:
    part = m.get_body((subtype,))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: show what can be read
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
