"""Safety rails that decide whether an experiment may start at all.

Blackout windows
----------------
``blackout`` in ``[drills.chaos]`` lists windows during which experiments refuse to start
(a dry run and ``validate`` are still allowed). Each entry is one of:

* ``"Fri 16:00-Mon 08:00"`` — a weekly window from a day and time to a day and time (it may
  wrap over the week end); day names are the English three-letter abbreviations;
* ``"Sat-Sun"`` — whole days, weekly, both days included;
* ``"daily 22:00-06:00"`` — every day (may wrap over midnight);
* ``"2026-12-24/2026-12-26"`` — calendar dates, both included;
* ``"2026-12-24T18:00/2026-12-27T08:00"`` — from one date and time to another.

Times are wall-clock times in ``timezone`` (an IANA name such as ``"Europe/Berlin"``, from
``[drills.chaos]``), or in the machine's local time when none is given. A start time is in
the window, an end time is not.

Non-local faults
----------------
A fault whose class says ``local = False`` (containers, Kubernetes, cloud) runs only with
``--yes`` (``yes = true``); ``blast_radius.local_only`` refuses them even then.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKLY = re.compile(r"^(\w{3})\s+(\d{1,2}:\d{2})\s*-\s*(\w{3})\s+(\d{1,2}:\d{2})$")
_DAYSPAN = re.compile(r"^(\w{3})\s*-\s*(\w{3})$")
_DAILY = re.compile(r"^daily\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$", re.IGNORECASE)
_WEEK_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class Blackout:
    """One blackout window as written (``text``) and parsed. Weekly and daily windows are
    minute ranges within the week (``weekly``); dated ones are ``start``/``end``."""

    text: str
    weekly: tuple[tuple[int, int], ...] = ()
    start: datetime | None = None
    end: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` (naive wall-clock time) falls inside the window."""
        if self.start is not None and self.end is not None:
            return self.start <= moment < self.end
        minute = moment.weekday() * 1440 + moment.hour * 60 + moment.minute
        return any(lo <= minute < hi for lo, hi in self.weekly)


def _day(text: str, entry: str) -> int:
    try:
        return _DAYS.index(text.lower()[:3])
    except ValueError:
        raise ValueError(f"blackout {entry!r}: {text!r} is not a day name (Mon … Sun)") from None


def _clock(text: str, entry: str) -> int:
    hours, _, minutes = text.partition(":")
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(f"blackout {entry!r}: {text!r} is not a time of day")
    return h * 60 + m


def _ranges(lo: int, hi: int, period: int) -> tuple[tuple[int, int], ...]:
    """Minute ranges in [0, period) for a window from ``lo`` to ``hi`` that may wrap."""
    if lo < hi:
        return ((lo, hi),)
    if lo == hi:
        return ((0, period),)
    return ((lo, period), (0, hi))


def parse_blackout(entry: str) -> Blackout:
    """Parse one blackout entry (formats in the module docstring); ``ValueError`` names it."""
    text = entry.strip()
    if "/" in text:
        first, _, last = text.partition("/")
        try:
            if "T" in first or "T" in last:
                start = datetime.fromisoformat(first.strip())
                end = datetime.fromisoformat(last.strip())
            else:
                start = datetime.combine(date.fromisoformat(first.strip()), time())
                end = datetime.combine(date.fromisoformat(last.strip()), time()) + timedelta(1)
        except ValueError:
            raise ValueError(f"blackout {entry!r}: dates must read 2026-12-24/2026-12-26 or "
                             "2026-12-24T18:00/2026-12-27T08:00") from None
        if end <= start:
            raise ValueError(f"blackout {entry!r}: the end is not after the start")
        return Blackout(text, start=start.replace(tzinfo=None), end=end.replace(tzinfo=None))
    if m := _DAILY.match(text):
        lo, hi = _clock(m.group(1), entry), _clock(m.group(2), entry)
        days = tuple(r for d in range(7) for r in _shift(_ranges(lo, hi, 1440), d * 1440))
        return Blackout(text, weekly=days)
    if m := _WEEKLY.match(text):
        lo = _day(m.group(1), entry) * 1440 + _clock(m.group(2), entry)
        hi = _day(m.group(3), entry) * 1440 + _clock(m.group(4), entry)
        return Blackout(text, weekly=_ranges(lo, hi, _WEEK_MINUTES))
    if m := _DAYSPAN.match(text):
        lo = _day(m.group(1), entry) * 1440
        hi = (_day(m.group(2), entry) + 1) * 1440 % _WEEK_MINUTES
        return Blackout(text, weekly=_ranges(lo, hi, _WEEK_MINUTES))
    raise ValueError(f"blackout {entry!r} is not a window (write e.g. 'Fri 16:00-Mon 08:00', "
                     "'Sat-Sun', 'daily 22:00-06:00' or '2026-12-24/2026-12-26')")


def _shift(ranges: tuple[tuple[int, int], ...], by: int) -> tuple[tuple[int, int], ...]:
    out = []
    for lo, hi in ranges:
        a, b = lo + by, hi + by
        if b <= _WEEK_MINUTES:
            out.append((a, b))
        else:  # a daily window wrapping past Sunday midnight
            out.extend(((a, _WEEK_MINUTES), (0, b - _WEEK_MINUTES)))
    return tuple(out)


def zone(name: str | None) -> ZoneInfo | None:
    """The time zone named ``name`` (``None`` for local time); ``ValueError`` if unknown."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a known time zone (use an IANA name such as "
                         "'Europe/Berlin')") from None


def active_blackout(windows: Sequence[Blackout], moment: datetime | None = None,
                    tz: ZoneInfo | None = None) -> Blackout | None:
    """The first window in force at ``moment`` (default: now), or ``None``."""
    when = moment or datetime.now(tz).astimezone(tz)
    if when.tzinfo is not None:
        when = when.astimezone(tz).replace(tzinfo=None) if tz else when.replace(tzinfo=None)
    return next((w for w in windows if w.contains(when)), None)
