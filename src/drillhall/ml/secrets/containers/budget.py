"""The running totals that bound the work on one top-level input, and a reader that
enforces them on a decompressed stream."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from drillhall.errors import DrillhallError
from drillhall.ml.secrets.containers.model import Blob, Limits, Skip

#: Expands in-memory content found inside an archive: ``(data, display, depth)``.
Recurse = Callable[[bytes, str, int], Iterator[Blob | Skip]]


class OverBudget(DrillhallError):
    """More bytes were decompressed under one top-level input than the limits allow."""


@dataclass(slots=True)
class Budget:
    """What is left of the limits for one top-level input (shared by nested archives)."""

    limits: Limits
    bytes_left: int = field(init=False)
    members: int = 0

    def __post_init__(self) -> None:
        self.bytes_left = self.limits.max_total_uncompressed

    def member_cap(self) -> int:
        """The most bytes one member may have now."""
        return max(0, min(self.limits.max_scan_bytes, self.bytes_left))

    def spend(self, n: int) -> None:
        """Charge ``n`` decompressed bytes; :class:`OverBudget` once the total is exceeded."""
        self.bytes_left -= n
        if self.bytes_left < 0:
            raise OverBudget

    def count_member(self) -> bool:
        """Count one archive member; false when the member allowance is used up."""
        self.members += 1
        return self.members <= self.limits.max_archive_members


class CountingReader(io.RawIOBase):
    """Counts the bytes read from an underlying (compressed) stream."""

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        return n


class BoundedReader(io.RawIOBase):
    """Reads a decompressed stream, charging every byte to a :class:`Budget`.

    Raises :class:`OverBudget` as soon as the budget is exceeded, so a bomb stops after at
    most ``bytes_left`` bytes whatever sizes its headers declare.
    """

    def __init__(self, inner: BinaryIO, budget: Budget) -> None:
        super().__init__()
        self.inner = inner
        self.budget = budget
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = min(len(buffer), max(self.budget.bytes_left, 0) + 1)
        data = self.inner.read(want)
        n = len(data)
        buffer[:n] = data
        self.count += n
        self.budget.spend(n)
        return n
