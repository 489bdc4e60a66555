"""The ``tcp`` probe: can a TCP connection be opened? Output:
``{"connected": bool, "seconds": connect time, "error": text or None}``."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from threading import Event

from drillhall.chaos.probes.base import Observation, Provider


@dataclass(frozen=True)
class TcpProvider(Provider):
    """Connect to ``host:port`` within ``timeout`` seconds; ``ok`` when it connects."""

    kind = "tcp"
    host: str
    port: int
    timeout: float = 2.0

    def describe(self) -> str:
        return f"connect to tcp://{self.host}:{self.port}"

    def run(self, cancel: Event, timeout: float | None) -> Observation:
        limit = min(self.timeout, timeout) if timeout else self.timeout
        started = time.monotonic()
        try:
            with socket.create_connection((self.host, self.port), timeout=limit):
                pass
        except OSError as exc:
            seconds = time.monotonic() - started
            why = exc.strerror or type(exc).__name__
            return Observation({"connected": False, "seconds": round(seconds, 4),
                                "error": why}, False, detail=f"cannot connect: {why}")
        seconds = time.monotonic() - started
        return Observation({"connected": True, "seconds": round(seconds, 4), "error": None},
                           True, detail=f"connected in {seconds * 1000:.1f} ms")
