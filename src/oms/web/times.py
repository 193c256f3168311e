"""Times as people read them: in a location's time zone, with the zone named."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from markupsafe import Markup, escape


def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def when(at: datetime | None, zone: str) -> Markup:
    """`<time>` with the moment in the zone ('Mon 2 Mar 2026, 10:00 CET'), UTC in its title."""
    if at is None:
        return Markup("")
    local = at.astimezone(zone_of(zone))
    text = f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    utc = at.astimezone(UTC)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.isoformat(timespec="seconds"), f"{utc:%Y-%m-%d %H:%M} UTC", escape(text)
    )


def day(value: date | None) -> str:
    """'Wed 4 Mar 2026'."""
    return f"{value:%a} {value.day} {value:%b %Y}" if value else ""


def day_span(first: date | None, last: date | None, zone: str) -> tuple[datetime | None, ...]:
    """The instants that bound whole days in the zone: from the first day's start to the
    start of the day after the last."""
    tz = zone_of(zone)
    start = datetime.combine(first, time(0), tz).astimezone(UTC) if first else None
    end = datetime.combine(last + timedelta(days=1), time(0), tz).astimezone(UTC) if last else None
    return start, end
