"""Abuse controls per client: token buckets for requests and tokens, cost caps, and flagging or
blocking clients whose requests the guard keeps blocking.

Everything here is in memory and driven from the proxy's event loop (one thread), with the
clock injectable for tests. A decision is a :class:`Denial` (why, and how long to wait) or
``None``; the proxy logs and audits every one.

* Requests: a bucket of ``request_burst`` (default: one minute's worth), refilled at
  ``requests_per_minute``; each request takes one.
* Tokens: a bucket refilled at ``tokens_per_minute``; a request is let in while the bucket is
  not in debt, and its prompt and completion tokens are taken afterwards (the bucket may go
  negative, so a client that spends a burst at once waits until it is paid back).
* Cost: prompt and completion tokens priced per thousand; a client's spend within the current
  cost window (aligned to the epoch) may not pass ``cost_cap``.
* Abuse: over the last ``window_seconds``, a client with at least ``min_requests`` requests of
  which ``flag_share`` or more were blocked by a scanner is flagged; at ``block_share`` it is
  blocked for ``block_seconds`` (when blocking is on).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from drillhall.llm.guard.proxy.settings import AbuseSettings, LimitSettings

__all__ = ["AbuseMonitor", "Denial", "Limiter", "TokenBucket"]

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Denial:
    """Why a client is turned away: ``kind`` is ``requests``, ``tokens``, ``cost`` or
    ``abuse``; ``retry_after`` is in whole seconds (at least 1)."""

    kind: str
    retry_after: int
    message: str


@dataclass(slots=True)
class TokenBucket:
    """A bucket of ``capacity`` refilled at ``rate`` per second; its level may go negative
    (debt) through :meth:`charge`."""

    capacity: float
    rate: float
    level: float = field(default=math.nan)
    updated: float = 0.0

    def _fill(self, now: float) -> None:
        if math.isnan(self.level):
            self.level, self.updated = self.capacity, now
            return
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, amount: float, now: float) -> float:
        """Take ``amount`` if the bucket holds it and return 0; else return the seconds until
        it will (nothing taken)."""
        self._fill(now)
        if self.level >= amount:
            self.level -= amount
            return 0.0
        return (amount - self.level) / self.rate if self.rate > 0 else math.inf

    def in_debt(self, now: float) -> float:
        """Seconds until the level is positive again (0 when it is)."""
        self._fill(now)
        if self.level > 0:
            return 0.0
        return (-self.level + 1e-9) / self.rate if self.rate > 0 else math.inf

    def charge(self, amount: float, now: float) -> None:
        """Take ``amount`` whether or not the bucket holds it."""
        self._fill(now)
        self.level -= amount


def _seconds(wait: float) -> int:
    return max(1, math.ceil(min(wait, 86_400.0 * 366)))


class Limiter:
    """Request and token buckets and cost caps per client (see the module docstring)."""

    def __init__(self, settings: LimitSettings, clock: Clock = time.monotonic,
                 wall: Clock = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._wall = wall
        self._requests: dict[str, TokenBucket] = {}
        self._tokens: dict[str, TokenBucket] = {}
        self._spend: dict[str, tuple[int, float]] = {}

    @property
    def enabled(self) -> bool:
        s = self.settings
        return bool(s.requests_per_minute or s.tokens_per_minute or s.cost_cap)

    def admit(self, client: str) -> Denial | None:
        """Let one request of ``client`` in, or say why not."""
        s, now = self.settings, self._clock()
        if s.tokens_per_minute:
            bucket = self._token_bucket(client)
            wait = bucket.in_debt(now)
            if wait > 0:
                return Denial("tokens", _seconds(wait), "the client key has used its token "
                              f"budget ({s.tokens_per_minute:g} tokens per minute)")
        if s.cost_cap:
            window, spent = self._current_spend(client)
            if spent >= s.cost_cap:
                end = (window + 1) * s.cost_window_seconds
                return Denial("cost", _seconds(end - self._wall()), "the client key has reached "
                              f"its cost cap ({s.cost_cap:g} per "
                              f"{s.cost_window_seconds:g} seconds)")
        if s.requests_per_minute:
            burst = s.request_burst or max(1, math.ceil(s.requests_per_minute))
            bucket = self._requests.setdefault(
                client, TokenBucket(float(burst), s.requests_per_minute / 60.0))
            wait = bucket.take(1.0, now)
            if wait > 0:
                return Denial("requests", _seconds(wait), "the client key has reached its rate "
                              f"limit ({s.requests_per_minute:g} requests per minute)")
        return None

    def _token_bucket(self, client: str) -> TokenBucket:
        s = self.settings
        burst = s.token_burst or max(1, math.ceil(s.tokens_per_minute))
        return self._tokens.setdefault(client,
                                       TokenBucket(float(burst), s.tokens_per_minute / 60.0))

    def _current_spend(self, client: str) -> tuple[int, float]:
        window = int(self._wall() // self.settings.cost_window_seconds)
        previous, spent = self._spend.get(client, (window, 0.0))
        return window, (spent if previous == window else 0.0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """The price of a request's tokens."""
        s = self.settings
        return (prompt_tokens * s.price_per_1k_prompt_tokens
                + completion_tokens * s.price_per_1k_completion_tokens) / 1000.0

    def record(self, client: str, prompt_tokens: int, completion_tokens: int) -> float:
        """Charge ``client`` for a finished request's tokens; return its cost."""
        s = self.settings
        if s.tokens_per_minute:
            self._token_bucket(client).charge(prompt_tokens + completion_tokens, self._clock())
        cost = self.cost(prompt_tokens, completion_tokens)
        if cost:
            window, spent = self._current_spend(client)
            self._spend[client] = (window, spent + cost)
        return cost


@dataclass(frozen=True, slots=True)
class AbuseState:
    """A client's standing after a request: its blocked share over the window and whether
    that flagged or blocked it (``changed``: the standing is new with this request)."""

    share: float
    requests: int
    flagged: bool
    blocked: bool
    changed: bool


class AbuseMonitor:
    """Blocked-request shares per client (see the module docstring)."""

    def __init__(self, settings: AbuseSettings, clock: Clock = time.monotonic) -> None:
        self.settings = settings
        self._clock = clock
        self._events: dict[str, deque[tuple[float, bool]]] = {}
        self._blocked_until: dict[str, float] = {}
        self._flagged: set[str] = set()

    def check(self, client: str) -> Denial | None:
        """A :class:`Denial` while ``client`` is blocked."""
        until = self._blocked_until.get(client)
        if until is None:
            return None
        now = self._clock()
        if now >= until:
            del self._blocked_until[client]
            self._events.pop(client, None)
            self._flagged.discard(client)
            return None
        return Denial("abuse", _seconds(until - now), "the client key is blocked because too "
                      "many of its recent requests were refused by the guard")

    def flagged(self, client: str) -> bool:
        return client in self._flagged

    @property
    def flagged_count(self) -> int:
        """Clients flagged now."""
        return len(self._flagged)

    def record(self, client: str, blocked: bool) -> AbuseState:
        """Count one scanned request of ``client`` (``blocked`` by a scanner or not)."""
        s, now = self.settings, self._clock()
        events = self._events.setdefault(client, deque())
        events.append((now, blocked))
        while events and events[0][0] < now - s.window_seconds:
            events.popleft()
        total = len(events)
        share = sum(1 for _, b in events if b) / total
        was_flagged = client in self._flagged
        was_blocked = client in self._blocked_until
        flagged = total >= s.min_requests and share >= s.flag_share
        block = s.block and total >= s.min_requests and share >= s.block_share
        if flagged:
            self._flagged.add(client)
        else:
            self._flagged.discard(client)
        if block and not was_blocked:
            self._blocked_until[client] = now + s.block_seconds
        return AbuseState(share, total, flagged, block or was_blocked,
                          flagged != was_flagged or (block and not was_blocked))
