"""The scanner interface of the LLM guard: what every input and output scanner looks like.

A :class:`Scanner` looks at one text — a prompt on its way to the model (``direction ==
"input"``) or an answer on its way back (``"output"``) — and returns a :class:`Verdict`:
whether it flagged the text, a score in [0, 1], a one-sentence reason (redacted: never the
secret or personal value itself), and, for scanners that can, the text with the offending
spans masked (``redacted``). What happens to a flagged text is the scanner's configured
:class:`Action`: ``block`` (the request is refused with an OpenAI-style error), ``redact``
(the masked text goes on) or ``log`` (it goes on unchanged; the verdict is recorded).

Scanners are plain objects, safe to call from many threads at once, and fast: the proxy runs
every input scanner on every request. A scanner that raises is handled by the guard's failure
policy (fail closed by default); it never lets a text through silently.

An output scanner with ``scans_tool_arguments = True`` (``secrets``, ``pii``, ``leak`` and
``exfiltration`` unless built with ``tool_arguments=False``) is also run by the proxy on the
arguments of each tool call in an answer; the context's ``tool_call`` then names the tool, and
the text is what the application will act on rather than show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

Direction = Literal["input", "output"]


class Action(StrEnum):
    BLOCK = "block"
    REDACT = "redact"
    LOG = "log"


@dataclass(frozen=True, slots=True)
class ScanContext:
    """What a scanner may need besides the text: the application's system prompt and canaries
    (for leak detection in outputs), the hosts answers may link to, the user's prompt (for
    relevance checks on outputs), the client that sent it, and — when the text is the
    arguments of a tool call in an answer — the tool's name (``""`` when the answer did not
    name it)."""

    system_prompt: str | None = None
    canaries: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    prompt: str | None = None
    client: str | None = None
    tool_call: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """One scanner's decision on one text."""

    scanner: str
    flagged: bool
    score: float = 0.0
    reason: str = ""
    redacted: str | None = None
    """The text with what the scanner found masked, when it can mask (else ``None``)."""
    latency_ms: float = 0.0
    kinds: tuple[str, ...] = field(default=())
    """What was found, e.g. ``("email", "card")`` or ``("DH-SECRET-AWS-KEY",)``."""


@runtime_checkable
class Scanner(Protocol):
    """An input or output scanner. ``name`` is stable (``prompt-injection``, ``secrets``,
    ``pii``, ``invisible-text``, ``token-limit``, ``banned``, ``leak``, ``exfiltration``,
    ``relevance`` …) and appears in findings as the tag ``scanner:<name>``."""

    name: str
    directions: Sequence[Direction]

    def scan(self, text: str, direction: Direction, context: ScanContext) -> Verdict:
        """Scan one text."""
        ...
