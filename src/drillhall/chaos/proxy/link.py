"""One proxied connection: two links (upstream, downstream) and the path data takes.

With no toxic affecting a link, bytes read from one socket are written to the other straight
from the read callback (:meth:`asyncio.BufferedProtocol.buffer_updated`): no queue, no task.
When toxics apply, chunks are time-stamped on arrival and a pump task passes them, in order,
through the link's toxics (each a :class:`~drillhall.chaos.proxy.toxic.Toxic`), so a latency
toxic delays every chunk by its own arrival time plus the delay without serialising the
stream.

Toxics are re-evaluated on every change (:meth:`Link.sync`): new data meets the new chain at
once, a chunk waiting inside a removed toxic is released, and the toxicity draw (is this
connection affected?) is made once per connection and toxic, as Toxiproxy does.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
import struct
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING, Any

from drillhall.chaos.proxy.spec import Stream, ToxicSpec

if TYPE_CHECKING:
    from drillhall.chaos.proxy.toxic import Toxic

EOF = b""
"""The chunk that stands for end of stream (half-close) inside a toxic chain."""

_QUEUE_HIGH = 1 << 20  # bytes queued in a toxic chain before reading from the source pauses
_READ_SIZE = 256 * 1024  # bytes read from a socket at a time
_WRITE_HIGH = 1 << 20  # bytes buffered for a socket before reading from its source pauses


@dataclass(slots=True)
class Chunk:
    """Bytes read from a socket and the loop time they arrived; ``data == EOF`` ends."""

    data: bytes
    ts: float


@dataclass(slots=True)
class Shared:
    """State one toxic shares across every connection of its proxy (e.g. a request count)."""

    count: int = 0


@dataclass(slots=True)
class ToxicState:
    """One toxic as it applies to one link: the toxicity draw, timers, and counters."""

    spec: ToxicSpec
    toxic: Toxic
    shared: Shared
    affected: bool
    removed: bool = False
    waiters: set[asyncio.Future[None]] = field(default_factory=set)
    timers: list[asyncio.TimerHandle] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def gone(self) -> bool:
        """Whether the toxic was removed from this link (it then passes data through)."""
        return self.removed

    def stop(self) -> None:
        """Cancel timers and release any chunk waiting inside this toxic."""
        self.removed = True
        for timer in self.timers:
            timer.cancel()
        self.timers.clear()
        for fut in self.waiters:
            if not fut.done():
                fut.set_result(None)


Emit = Callable[[Chunk], Awaitable[None]]


def _set_done(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_result(None)


class Link:
    """One direction of a connection: reads from ``src``, writes to ``dst``."""

    def __init__(self, conn: Connection, stream: Stream, src: asyncio.Transport,
                 dst: asyncio.Transport) -> None:
        self.conn = conn
        self.stream = stream
        self.src = src
        self.dst = dst
        self.direct = True
        self.states: dict[str, ToxicState] = {}
        self.chain: tuple[ToxicState, ...] = ()
        self._queue: deque[Chunk] = deque()
        self._queued = 0
        self._busy = False
        self._wake: asyncio.Future[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._pauses: set[str] = set()
        self.eof_fed = False
        self.eof_done = False

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self.conn.loop

    # -- toxics -------------------------------------------------------------------------

    def sync(self, entries: Sequence[tuple[ToxicSpec, Toxic, Shared]], rng: Random) -> None:
        """Bring this link's toxics in line with the proxy's current list for its stream."""
        wanted = {spec.name: (spec, toxic, shared) for spec, toxic, shared in entries
                  if spec.stream is self.stream}
        for name in list(self.states):
            state = self.states[name]
            entry = wanted.get(name)
            if entry is None or entry[0] != state.spec:
                state.stop()
                del self.states[name]
                if entry is not None and entry[0].toxicity == state.spec.toxicity:
                    # an attribute update keeps the draw and the counters
                    spec, toxic, shared = entry
                    new = ToxicState(spec, toxic, shared, state.affected, extra=state.extra)
                    self.states[name] = new
                    if new.affected:
                        toxic.on_start(self, new)
        for name, (spec, toxic, shared) in wanted.items():
            if name not in self.states:
                affected = spec.toxicity >= 1.0 or rng.random() < spec.toxicity
                state = ToxicState(spec, toxic, shared, affected)
                self.states[name] = state
                if affected:
                    toxic.on_start(self, state)
        self.chain = tuple(s for n in wanted if (s := self.states[n]).affected)
        if self.chain:
            self.direct = False
            if self._pump is None:
                self._pump = self.loop.create_task(self._run())
        elif not self._queue and not self._busy:
            self.direct = True
        self._poke()

    def stop_all(self) -> None:
        for state in self.states.values():
            state.stop()
        if self._pump is not None:
            self._pump.cancel()
            self._pump = None

    async def wait_until(self, deadline: float, state: ToxicState) -> None:
        """Sleep until loop time ``deadline`` (``inf`` for ever) unless ``state``'s toxic is
        removed first."""
        if state.removed:
            return
        fut: asyncio.Future[None] = self.loop.create_future()
        handle = None if math.isinf(deadline) else self.loop.call_at(deadline, _set_done, fut)
        state.waiters.add(fut)
        try:
            await fut
        finally:
            state.waiters.discard(fut)
            if handle is not None:
                handle.cancel()

    def call_later(self, state: ToxicState, delay: float, fn: Callable[[], None]) -> None:
        """Run ``fn`` after ``delay`` seconds unless the toxic is removed first."""
        state.timers.append(self.loop.call_later(delay, fn))

    # -- data ---------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        """Data read from ``src`` (called only when not :attr:`direct`)."""
        self._queue.append(Chunk(data, self.loop.time()))
        self._queued += len(data)
        if self._queued > _QUEUE_HIGH:
            self.pause("queue")
        self._poke()

    def feed_eof(self) -> None:
        """``src`` half-closed (or was lost)."""
        if self.eof_fed:
            return
        self.eof_fed = True
        if self.direct:
            self.deliver_eof()
        else:
            self._queue.append(Chunk(EOF, self.loop.time()))
            self._poke()

    def _poke(self) -> None:
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    async def _run(self) -> None:
        while True:
            while not self._queue:
                if not self.chain and not self._busy:
                    self.direct = True
                self._wake = self.loop.create_future()
                await self._wake
            chunk = self._queue.popleft()
            self._queued -= len(chunk.data)
            if self._queued <= _QUEUE_HIGH // 2:
                self.resume("queue")
            self._busy = True
            try:
                await self._through(self.chain, 0, chunk)
            finally:
                self._busy = False

    async def _through(self, chain: tuple[ToxicState, ...], i: int, chunk: Chunk) -> None:
        while i < len(chain) and chain[i].removed:
            i += 1
        if i == len(chain):
            if chunk.data:
                self.deliver(chunk.data)
            else:
                self.deliver_eof()
            return
        state = chain[i]

        async def emit(out: Chunk) -> None:
            await self._through(chain, i + 1, out)

        await state.toxic.handle(self, state, chunk, emit)

    def deliver(self, data: bytes) -> None:
        if not self.dst.is_closing():
            self.dst.write(data)

    def deliver_eof(self) -> None:
        if self.eof_done:
            return
        self.eof_done = True
        if not self.dst.is_closing() and self.dst.can_write_eof():
            self.dst.write_eof()
        self.conn.link_ended()

    def reply(self, data: bytes, *, close: bool) -> None:
        """Answer the peer that wrote to this link (an injected HTTP response)."""
        if not self.src.is_closing():
            self.src.write(data)
        if close:
            self.conn.close()

    # -- flow control --------------------------------------------------------------------

    def pause(self, reason: str) -> None:
        if not self._pauses:
            with contextlib.suppress(RuntimeError):
                self.src.pause_reading()
        self._pauses.add(reason)

    def resume(self, reason: str) -> None:
        if reason in self._pauses:
            self._pauses.discard(reason)
            if not self._pauses and not self.src.is_closing():
                with contextlib.suppress(RuntimeError):
                    self.src.resume_reading()


class Side(asyncio.BufferedProtocol):
    """The protocol of one socket of a connection (client side or upstream side).

    Reads land in a reusable buffer; on the direct path they are written to the other socket
    from it, and the buffer is given up (a new one is made) whenever the other transport
    keeps part of the data queued, since it may hold a view of it.
    """

    def __init__(self, conn: Connection, dial: tuple[str, int] | None = None) -> None:
        self.conn = conn
        self.dial = dial
        self.transport: asyncio.Transport | None = None
        self.out: Link | None = None  # data read here goes into this link
        self.into: Link | None = None  # this link writes to this socket
        self._view: memoryview | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        # fewer pause/resume cycles per 256 KiB read when the reader is a little slower
        transport.set_write_buffer_limits(high=_WRITE_HIGH)
        if self.dial is not None:
            self.conn.start(*self.dial)

    def get_buffer(self, sizehint: int) -> memoryview:
        view = self._view
        if view is None:
            view = self._view = memoryview(bytearray(_READ_SIZE))
        return view

    def buffer_updated(self, nbytes: int) -> None:
        link = self.out
        view = self._view
        if link is None or view is None:
            return
        if link.direct:
            dst = link.dst
            dst.write(view[:nbytes])
            if dst.get_write_buffer_size():
                self._view = None
        else:
            link.feed(bytes(view[:nbytes]))

    def eof_received(self) -> bool:
        if self.out is not None:
            self.out.feed_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        self.conn.side_lost(self)

    def pause_writing(self) -> None:
        if self.into is not None:
            self.into.pause("dst")

    def resume_writing(self) -> None:
        if self.into is not None:
            self.into.resume("dst")


class Connection:
    """A client connection and its upstream connection, joined by two links."""

    def __init__(self, owner: ConnectionOwner, upstream: tuple[str, int]) -> None:
        self.owner = owner
        self.loop = asyncio.get_running_loop()
        self.client = Side(self, dial=upstream)
        self.upstream = Side(self)
        self.links: tuple[Link, ...] = ()
        self.closed = False
        self.lost = False
        self._ended = 0
        self._dial: asyncio.Task[None] | None = None

    def start(self, host: str, port: int) -> None:
        """Called once the client is accepted: dial the upstream, then join the two."""
        assert self.client.transport is not None
        self.client.transport.pause_reading()
        self._dial = self.loop.create_task(self._connect(host, port))

    async def _connect(self, host: str, port: int) -> None:
        try:
            await self.loop.create_connection(lambda: self.upstream, host, port)
        except OSError:
            self.close()
            return
        client, upstream = self.client.transport, self.upstream.transport
        if self.closed or client is None or upstream is None or client.is_closing():
            self.close()
            return
        up = Link(self, Stream.UPSTREAM, client, upstream)
        down = Link(self, Stream.DOWNSTREAM, upstream, client)
        self.client.out, self.upstream.into = up, up
        self.upstream.out, self.client.into = down, down
        self.links = (up, down)
        self.owner.joined(self)
        if not self.closed:
            client.resume_reading()

    def sync(self, entries: Sequence[tuple[ToxicSpec, Toxic, Shared]], rng: Random) -> None:
        for link in self.links:
            link.sync(entries, rng)

    def link_ended(self) -> None:
        self._ended += 1
        if self._ended >= 2 or self.lost:
            self.close()

    def side_lost(self, side: Side) -> None:
        """One socket closed: let data already read from it drain through its link, then
        close the other."""
        self.lost = True
        link = side.out
        if link is None or link.eof_done or self.closed:
            self.close()
        else:
            link.feed_eof()

    def close(self) -> None:
        """Close both sockets, flushing what was already written."""
        for side in (self.client, self.upstream):
            if side.transport is not None and not side.transport.is_closing():
                side.transport.close()
        self._finish()

    def reset(self) -> None:
        """Close both sockets with a TCP RST (``SO_LINGER`` 0): the peers see
        ``ECONNRESET``."""
        for side in (self.client, self.upstream):
            transport = side.transport
            if transport is None or transport.is_closing():
                continue
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                    struct.pack("ii", 1, 0))
            transport.abort()
        self._finish()

    def _finish(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._dial is not None and not self._dial.done():
            self._dial.cancel()
        for link in self.links:
            link.stop_all()
        self.owner.forget(self)


class ConnectionOwner:
    """What a :class:`Connection` tells its proxy (implemented by the proxy)."""

    def joined(self, conn: Connection) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def forget(self, conn: Connection) -> None:  # pragma: no cover - interface
        raise NotImplementedError
