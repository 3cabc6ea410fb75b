"""Time helpers: local wall-clock milliseconds <-> epoch milliseconds, and fast RFC 3339.

The simulators plan a resident's day in *local* time (rules such as not_up at 10:00 are in the
home's local time) and publish UTC times (``2026-11-30T07:15:02.120Z``).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
MINUTE_MS = 60_000

_LOCAL_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?$")
_CLOCK_RE = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from None


def parse_local_datetime(text: str) -> datetime:
    """A naive local datetime from ``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM[:SS[.ffffff]]``."""
    m = _LOCAL_RE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not a local time like 2026-11-30T00:00:00")
    day = date.fromisoformat(m.group(1))
    hh = int(m.group(2) or 0)
    mm = int(m.group(3) or 0)
    ss = int(m.group(4) or 0)
    frac = m.group(5) or ""
    micro = int(frac.ljust(6, "0")) if frac else 0
    if hh > 23 or mm > 59 or ss > 59:
        raise ValueError(f"{text!r} is not a valid time of day")
    return datetime(day.year, day.month, day.day, hh, mm, ss, micro)


def parse_clock(text: str) -> int | None:
    """Milliseconds after midnight for ``HH:MM[:SS]``, or None if text is not a clock time."""
    m = _CLOCK_RE.match(text.strip())
    if not m:
        return None
    hh, mm, ss = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    if hh > 23 or mm > 59 or ss > 59:
        raise ValueError(f"{text!r} is not a valid time of day")
    return ((hh * 60 + mm) * 60 + ss) * 1000


def to_epoch_ms(naive_local: datetime, tz: ZoneInfo) -> int:
    """Epoch ms of a naive local time (fold=0 for repeated or skipped local times)."""
    aware = naive_local.replace(tzinfo=tz)
    return int(round(aware.timestamp() * 1000))


class LocalClock:
    """Maps local milliseconds since local midnight of ``origin`` (a date) to epoch ms.

    Built from a per-hour table, so a conversion is a list lookup. Across a daylight-saving change
    the mapping stays non-decreasing: the local hour that does not exist maps onto the transition
    instant, and the repeated hour is lived once (its first occurrence).
    """

    def __init__(self, tz: ZoneInfo, origin: date, days: int):
        self.tz = tz
        self.origin = origin
        hours = (days + 3) * 24
        base = datetime(origin.year, origin.month, origin.day)
        table = [to_epoch_ms(base + timedelta(hours=h), tz) for h in range(hours + 1)]
        for h in range(1, len(table)):  # non-decreasing
            if table[h] < table[h - 1]:
                table[h] = table[h - 1]
        self._table = table
        self._span = [min(HOUR_MS, max(0, table[h + 1] - table[h])) for h in range(hours)]
        self._limit = hours * HOUR_MS

    def epoch_ms(self, local_ms: int) -> int:
        h, rest = divmod(local_ms, HOUR_MS)
        if h < 0 or local_ms >= self._limit:
            # Outside the table: compute directly (slow path, never hit by the simulators).
            naive = datetime(self.origin.year, self.origin.month, self.origin.day) + timedelta(
                milliseconds=local_ms
            )
            return to_epoch_ms(naive, self.tz)
        span = self._span[h]
        return self._table[h] + (rest if rest < span else span)

    def constant_offset(self, lt0: int, lt1: int) -> int | None:
        """``epoch - local`` if it is the same for every local ms in [lt0, lt1), else None."""
        if lt0 < 0 or lt1 > self._limit or lt1 <= lt0:
            return None
        h0, h1 = lt0 // HOUR_MS, (lt1 - 1) // HOUR_MS
        delta = self._table[h0] - h0 * HOUR_MS
        for h in range(h0, h1 + 1):
            if self._table[h] - h * HOUR_MS != delta or self._span[h] != HOUR_MS:
                return None
        return delta

    def local_ms_of(self, naive_local: datetime) -> int:
        """Local ms since the origin's midnight for a naive local datetime (wall-clock arithmetic)."""
        delta = naive_local - datetime(self.origin.year, self.origin.month, self.origin.day)
        return delta.days * DAY_MS + delta.seconds * 1000 + delta.microseconds // 1000

    def local_datetime(self, local_ms: int) -> datetime:
        return datetime(self.origin.year, self.origin.month, self.origin.day) + timedelta(milliseconds=local_ms)


# "SS.mmmZ" for every millisecond of a minute.
SUFFIX = [f"{s // 1000:02d}.{s % 1000:03d}Z" for s in range(MINUTE_MS)]
_SUFFIX = SUFFIX


def minute_prefix(minute: int) -> str:
    """``YYYY-MM-DDTHH:MM:`` of an epoch minute."""
    return datetime.fromtimestamp(minute * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:")


class Rfc3339:
    """Formats epoch ms as ``YYYY-MM-DDTHH:MM:SS.mmmZ``, caching each minute's prefix."""

    def __init__(self) -> None:
        self._minutes: dict[int, str] = {}

    def __call__(self, epoch_ms: int) -> str:
        minute, rest = divmod(epoch_ms, MINUTE_MS)
        prefix = self._minutes.get(minute)
        if prefix is None:
            if len(self._minutes) > 200_000:
                self._minutes.clear()
            prefix = datetime.fromtimestamp(minute * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:")
            self._minutes[minute] = prefix
        return prefix + _SUFFIX[rest]


_fmt = Rfc3339()


def rfc3339_ms(epoch_ms: int) -> str:
    return _fmt(epoch_ms)


def rfc3339_us(epoch_seconds: float) -> str:
    """RFC 3339 UTC with microseconds, for wall-clock records."""
    return datetime.fromtimestamp(epoch_seconds, timezone.utc).isoformat(timespec="microseconds").replace(
        "+00:00", "Z"
    )


_RFC3339_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def parse_rfc3339(text: str) -> datetime:
    """An aware datetime from an RFC 3339 string (Z or offset); ValueError otherwise."""
    if not isinstance(text, str) or not _RFC3339_RE.match(text):
        raise ValueError(f"{text!r} is not RFC 3339 with a zone")
    t = text.replace("z", "Z").replace("t", "T")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    # Python 3.11 fromisoformat accepts up to 6 fractional digits; trim longer ones.
    m = re.match(r"^(.*\.\d{6})\d+(.*)$", t)
    if m:
        t = m.group(1) + m.group(2)
    return datetime.fromisoformat(t)


def rfc3339_to_epoch_ms(text: str) -> int:
    return int(round(parse_rfc3339(text).timestamp() * 1000))
