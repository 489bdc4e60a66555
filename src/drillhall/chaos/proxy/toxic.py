"""The toxic interface: how one toxic acts on the chunks of a link."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drillhall.chaos.proxy.link import Chunk, Emit, Link, ToxicState


class Toxic(ABC):
    """One toxic's behaviour, shared by every link it affects (per-link state lives in the
    :class:`~drillhall.chaos.proxy.link.ToxicState` passed in)."""

    def on_start(self, link: Link, state: ToxicState) -> None:  # noqa: B027 - optional hook
        """The toxic starts to affect ``link``: arm timers here (cancelled on removal)."""

    @abstractmethod
    async def handle(self, link: Link, state: ToxicState, chunk: Chunk, emit: Emit) -> None:
        """Act on one chunk and ``await emit(...)`` whatever passes on, in order."""
