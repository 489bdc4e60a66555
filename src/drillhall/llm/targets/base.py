"""What every target shares: the request budget, the rate-limit statistics, the retry policy
and the rules for turning what a target said into a safe one-sentence error.

A :class:`Budget` is shared by all the targets of one run; each :meth:`Target.send` takes one
request from it before anything is sent (retries of that request are not charged again: they
are bounded by :attr:`RetryPolicy.max_retries` and counted in :class:`RateLimitStats`). When
the budget is spent, :class:`BudgetExhausted` is raised. It is *not* a
:class:`~drillhall.errors.TargetError`, so a runner that records target failures per attack
still stops on it.
"""

from __future__ import annotations

import email.utils
import math
import re
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from drillhall.core.redact import scrub
from drillhall.errors import ConfigError, DrillhallError, TargetError

__all__ = [
    "Budget",
    "BudgetExhausted",
    "RateLimitSnapshot",
    "RateLimitStats",
    "RetryPolicy",
    "TargetTimeout",
    "one_line",
    "parse_retry_after",
    "read_api_key",
]


class BudgetExhausted(DrillhallError):
    """The run's request budget is spent; no further request was sent."""


class TargetTimeout(TargetError):
    """A target did not answer within its timeout (a :class:`~drillhall.errors.TargetError`
    that runners may count as an unbounded-latency observation)."""


class Budget:
    """At most ``max_requests`` requests for one run, shared by every target of the run
    (thread-safe). ``None`` means unlimited but still counted."""

    def __init__(self, max_requests: int | None) -> None:
        if max_requests is not None and max_requests < 0:
            raise ConfigError(f"the request budget must be zero or more, not {max_requests}")
        self.max_requests = max_requests
        self._used = 0
        self._lock = threading.Lock()

    @property
    def used(self) -> int:
        """Requests taken so far."""
        with self._lock:
            return self._used

    @property
    def remaining(self) -> int | None:
        """Requests left, or ``None`` when unlimited."""
        with self._lock:
            if self.max_requests is None:
                return None
            return max(self.max_requests - self._used, 0)

    def take(self, what: str = "the target") -> None:
        """Take one request, or raise :class:`BudgetExhausted` naming ``what`` and the limit."""
        with self._lock:
            if self.max_requests is not None and self._used >= self.max_requests:
                raise BudgetExhausted(
                    f"the request budget of {self.max_requests} is spent, so no further request "
                    f"was sent to {what}"
                )
            self._used += 1

    def __repr__(self) -> str:
        return f"Budget(max_requests={self.max_requests!r}, used={self.used})"


@dataclass(frozen=True, slots=True)
class RateLimitSnapshot:
    """The counters of :class:`RateLimitStats` at one moment, for a report."""

    requests: int
    """HTTP requests (attempts) sent, retries included."""
    retries: int
    rate_limited: int
    """Answers with status 429."""
    unavailable: int
    """Answers with status 502, 503 or 504."""
    timeouts: int
    backoff_seconds: float
    """Total time spent waiting before retries."""

    def as_metrics(self, prefix: str = "llm.target") -> dict[str, float]:
        """The counters as metric name → value (``llm.target.rate_limited`` …)."""
        return {
            f"{prefix}.requests": self.requests,
            f"{prefix}.retries": self.retries,
            f"{prefix}.rate_limited": self.rate_limited,
            f"{prefix}.unavailable": self.unavailable,
            f"{prefix}.timeouts": self.timeouts,
            f"{prefix}.backoff_seconds": round(self.backoff_seconds, 3),
        }


class RateLimitStats:
    """Counters a target updates as it talks to the server (thread-safe); share one between
    the targets of a run and read :meth:`snapshot` for the report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = self._retries = self._rate_limited = 0
        self._unavailable = self._timeouts = 0
        self._backoff = 0.0

    def record_attempt(self) -> None:
        with self._lock:
            self._requests += 1

    def record_status(self, status: int) -> None:
        with self._lock:
            if status == 429:
                self._rate_limited += 1
            elif status in (502, 503, 504):
                self._unavailable += 1

    def record_timeout(self) -> None:
        with self._lock:
            self._timeouts += 1

    def record_backoff(self, seconds: float) -> None:
        with self._lock:
            self._retries += 1
            self._backoff += seconds

    def snapshot(self) -> RateLimitSnapshot:
        with self._lock:
            return RateLimitSnapshot(self._requests, self._retries, self._rate_limited,
                                     self._unavailable, self._timeouts, self._backoff)

    def __repr__(self) -> str:
        return f"RateLimitStats({self.snapshot()})"


RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a target retries: statuses in :data:`RETRY_STATUSES` and connection failures are
    retried up to ``max_retries`` times, waiting ``Retry-After`` when the server sent one
    (seconds or an HTTP date) and otherwise ``base * 2**attempt`` seconds with full jitter,
    capped at ``max_backoff``. A ``Retry-After`` longer than ``max_backoff`` is not waited
    for: the request fails at once with an error saying so. Timeouts are not retried (a target
    that hangs once usually hangs again, and every retry would add the whole timeout)."""

    max_retries: int = 3
    base: float = 0.5
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        if self.max_retries < 0 or self.base < 0 or self.max_backoff < 0:
            raise ConfigError("retry settings (max_retries, backoff) must not be negative")

    def backoff(self, attempt: int, jitter: float) -> float:
        """The wait before retry number ``attempt`` (0-based); ``jitter`` in [0, 1)."""
        ceiling = min(self.max_backoff, self.base * 2.0 ** attempt)
        return ceiling * (0.5 + jitter / 2)


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (delta seconds or an HTTP
    date), or ``None`` when absent or unreadable. Never negative."""
    lowered = {k.lower(): v for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000
            if math.isfinite(value):
                return max(value, 0.0)
        except ValueError:
            pass
    raw = lowered.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        value = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = time.time() if now is None else now
        return max(when.timestamp() - current, 0.0)
    return max(value, 0.0) if math.isfinite(value) else None


_SPACE = re.compile(r"\s+")


def one_line(text: object, secrets: Iterable[str] = (), limit: int = 200) -> str:
    """``text`` as one short line for an error sentence: whitespace collapsed, known secrets
    masked, cut at ``limit`` characters, without a trailing full stop."""
    line = _SPACE.sub(" ", str(text)).strip()
    line = scrub(line, secrets)
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line.rstrip(". ")


def read_api_key(env_name: str | None, environ: Mapping[str, str]) -> str | None:
    """The API key from the environment variable ``env_name`` (``None`` when no variable is
    named). A named variable that is unset or empty is a :class:`ConfigError`."""
    if env_name is None:
        return None
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", env_name):
        # never echo the value: a user may have pasted the key itself here
        raise ConfigError("api_key_env is not an environment variable name: it names the "
                          "variable holding the key and must not be the key itself")
    value = environ.get(env_name, "").strip()
    if not value:
        raise ConfigError(f"the environment variable {env_name} named for the API key is not "
                          "set")
    return value


def http_date(seconds_from_now: float) -> str:
    """An HTTP date ``seconds_from_now`` in the future (for ``Retry-After`` in tests)."""
    when = datetime.fromtimestamp(time.time() + seconds_from_now, tz=UTC)
    return email.utils.format_datetime(when, usegmt=True)


def safe_uri(url: str) -> str:
    """``url`` without user information or query string (which may hold a key), for
    messages, labels and reports; ``python:`` targets unchanged."""
    if url.startswith("python:"):
        return url
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        netloc = host + (f":{parts.port}" if parts.port else "")
        return urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    except ValueError:
        return "(unreadable URL)"
