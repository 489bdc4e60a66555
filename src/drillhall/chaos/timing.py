"""Durations in experiment files and the timings an experiment measures.

Durations are written as seconds (``2``, ``0.5``) or as text with a unit (``"500ms"``,
``"30s"``, ``"5m"``, ``"1h"``). Every timing the runner measures uses the monotonic clock.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(value: object) -> float:
    """Seconds from a number or a text such as ``"500ms"``, ``"30s"``, ``"5m"``; raises
    ``ValueError`` naming the value."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration (use seconds or text like '30s')")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        m = _DURATION.match(value)
        if not m:
            raise ValueError(f"{value!r} is not a duration (use seconds or text like "
                             "'500ms', '30s', '5m', '1h')")
        seconds = float(m.group(1)) * _UNIT[(m.group(2) or "s").lower()]
    else:
        raise ValueError(f"{value!r} is not a duration (use seconds or text like '30s')")
    if seconds < 0:
        raise ValueError(f"{value!r} is negative; a duration must be zero or more")
    return seconds


def now() -> float:
    """The monotonic clock, in seconds."""
    return time.monotonic()


@dataclass(frozen=True, slots=True)
class Timings:
    """What an experiment measured, in seconds (``None`` when it did not happen).

    * ``detect`` — from the first fault injected (or the method's start when it injects none)
      to the moment a deviation or stop condition was detected;
    * ``preempt`` — from that detection to the running activity being abandoned;
    * ``revert`` — from the first revert starting to the last one finishing;
    * ``recover`` — from the start of the rollback to the steady state holding again;
    * ``total`` — the whole experiment.
    """

    detect: float | None = None
    preempt: float | None = None
    revert: float | None = None
    recover: float | None = None
    total: float = 0.0

    def as_dict(self) -> dict[str, float | None]:
        return {"detect_seconds": _r(self.detect), "preempt_seconds": _r(self.preempt),
                "revert_seconds": _r(self.revert), "recover_seconds": _r(self.recover),
                "total_seconds": _r(self.total)}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
