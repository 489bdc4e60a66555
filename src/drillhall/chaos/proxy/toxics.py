"""What each toxic does to the data of a link (Toxiproxy's semantics).

A :class:`Toxic` sees every chunk of the links it affects, in order, and passes on what it
lets through with ``emit``; :meth:`Toxic.on_start` runs once it starts to affect a link (a new
connection, or the toxic added to a live one) and may arm timers, which are cancelled when
the toxic is removed. Waits go through :meth:`Link.wait_until`, so removing a toxic releases
data it was holding at once.
"""

from __future__ import annotations

import math
from random import Random

from drillhall.chaos.proxy.http import HttpDelay, HttpStatus
from drillhall.chaos.proxy.link import EOF, Chunk, Emit, Link, ToxicState
from drillhall.chaos.proxy.spec import (
    BandwidthAttrs,
    LatencyAttrs,
    LimitDataAttrs,
    ResetPeerAttrs,
    SlicerAttrs,
    SlowCloseAttrs,
    TimeoutAttrs,
    ToxicSpec,
)
from drillhall.chaos.proxy.toxic import Toxic


class Latency(Toxic):
    """Delay every chunk by ``latency`` ± ``jitter`` ms from the time it arrived."""

    def __init__(self, attrs: LatencyAttrs, rng: Random) -> None:
        self.attrs = attrs
        self.rng = rng

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        delay: float = self.attrs.latency
        if self.attrs.jitter:
            delay += self.rng.uniform(-self.attrs.jitter, self.attrs.jitter)
        await link.wait_until(chunk.ts + max(delay, 0) / 1000.0, state)
        await emit(chunk)


class Bandwidth(Toxic):
    """Pass at most ``rate`` KB/s (1 KB = 1,000 bytes); 0 holds the data."""

    def __init__(self, attrs: BandwidthAttrs) -> None:
        self.rate = attrs.rate * 1000

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        if not chunk.data or state.gone():
            await emit(chunk)
            return
        if self.rate <= 0:
            await link.wait_until(math.inf, state)
            await emit(chunk)
            return
        step = max(1, self.rate // 10)  # at most 100 ms worth of data at a time
        data = chunk.data
        for start in range(0, len(data), step):
            piece = data[start:start + step]
            if state.gone():
                await emit(Chunk(data[start:], chunk.ts))
                return
            due = max(state.extra.get("due", 0.0), link.loop.time()) + len(piece) / self.rate
            state.extra["due"] = due
            await link.wait_until(due, state)
            await emit(Chunk(piece, chunk.ts))


class SlowClose(Toxic):
    """Pass the close (end of stream) on only after ``delay`` ms."""

    def __init__(self, attrs: SlowCloseAttrs) -> None:
        self.delay = attrs.delay / 1000.0

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        if chunk.data == EOF:
            await link.wait_until(link.loop.time() + self.delay, state)
        await emit(chunk)


class Timeout(Toxic):
    """Stop all data; close the connection after ``timeout`` ms (0: hold until removed)."""

    def __init__(self, attrs: TimeoutAttrs) -> None:
        self.timeout = attrs.timeout / 1000.0

    def on_start(self, link: Link, state: ToxicState) -> None:
        if self.timeout > 0:
            link.call_later(state, self.timeout, link.conn.close)

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        if chunk.data == EOF:
            await emit(chunk)


class ResetPeer(Toxic):
    """Reset the connection (TCP RST, ``ECONNRESET``) ``timeout`` ms after it is affected."""

    def __init__(self, attrs: ResetPeerAttrs) -> None:
        self.timeout = attrs.timeout / 1000.0

    def on_start(self, link: Link, state: ToxicState) -> None:
        link.call_later(state, self.timeout, link.conn.reset)

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        await emit(chunk)


class Slicer(Toxic):
    """Cut data into slices of ``average_size`` ± ``size_variation`` bytes, ``delay`` µs
    apart."""

    def __init__(self, attrs: SlicerAttrs, rng: Random) -> None:
        self.attrs = attrs
        self.rng = rng

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        data = chunk.data
        start = 0
        while start < len(data):
            if state.gone():
                await emit(Chunk(data[start:], chunk.ts))
                return
            size = self.attrs.average_size
            if self.attrs.size_variation:
                size += self.rng.randint(-self.attrs.size_variation, self.attrs.size_variation)
            size = max(1, size)
            await emit(Chunk(data[start:start + size], chunk.ts))
            start += size
            if start < len(data) and self.attrs.delay:
                await link.wait_until(link.loop.time() + self.attrs.delay / 1e6, state)
        if not data:
            await emit(chunk)


class LimitData(Toxic):
    """Close the connection once ``bytes`` bytes have passed through this link."""

    def __init__(self, attrs: LimitDataAttrs) -> None:
        self.limit = attrs.bytes

    def on_start(self, link: Link, state: ToxicState) -> None:
        if state.extra.get("sent", 0) >= self.limit:
            link.loop.call_soon(link.conn.close)

    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        sent = state.extra.get("sent", 0)
        room = self.limit - sent
        if chunk.data == EOF:
            await emit(chunk)
            return
        if room > 0:
            piece = chunk.data[:room]
            state.extra["sent"] = sent + len(piece)
            await emit(Chunk(piece, chunk.ts))
        if state.extra.get("sent", 0) >= self.limit:
            link.conn.close()


def build_toxic(spec: ToxicSpec, rng: Random) -> Toxic:
    """The behaviour for a validated toxic."""
    a = spec.attributes
    match spec.type:
        case "latency":
            return Latency(a, rng)
        case "bandwidth":
            return Bandwidth(a)
        case "slow_close":
            return SlowClose(a)
        case "timeout":
            return Timeout(a)
        case "reset_peer":
            return ResetPeer(a)
        case "slicer":
            return Slicer(a, rng)
        case "limit_data":
            return LimitData(a)
        case "http_status":
            return HttpStatus(a)
        case "http_delay":
            return HttpDelay(a, rng)
    raise ValueError(f"unknown toxic type {spec.type!r}")  # parse_toxic rejects these first
