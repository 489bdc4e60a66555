"""Running the scanners on one text for the proxy, with the failure policy made explicit.

:class:`ScanEngine` wraps :func:`drillhall.llm.guard.api.run_scanners` (scanners run in order,
each on the text the ones before it left; a flagged verdict applies the scanner's ``action``:
``block`` refuses the text, ``redact`` passes the masked text on, ``log`` only records) and
stops at the first block. What the proxy adds: each verdict keeps its direction and action
for the audit log, and a scanner that raised while the guard fails closed is a
:class:`ScannerFailure` (answered 503 "the guard fails closed"), not an ordinary block.
:meth:`ScanEngine.scan_tool_arguments` runs the output scanners that opt in
(``scans_tool_arguments``) on the arguments of a tool call; their verdicts carry the
``location`` in the answer and the ``tool``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from drillhall.llm.guard.api import run_scanners
from drillhall.llm.guard.scanners.base import Action, Direction, ScanContext, Scanner, Verdict
from drillhall.llm.guard.scanners.common import action_of

__all__ = ["Applied", "ScanEngine", "ScanOutcome", "ScannerFailure", "engine_from_config"]


class ScannerFailure(Exception):
    """A scanner raised and the guard fails closed; ``str()`` names the scanner, not the
    text."""

    def __init__(self, scanner: str) -> None:
        super().__init__(f"the guard's {scanner!r} scanner failed")
        self.scanner = scanner


@dataclass(frozen=True, slots=True)
class Applied:
    """A verdict with the direction it was given in and the action configured for it;
    ``location`` and ``tool`` when the text was a tool call's arguments (e.g.
    ``choices[0].message.tool_calls[1].function.arguments`` and ``fetch_url``)."""

    verdict: Verdict
    direction: Direction
    action: Action
    error: str | None = None
    location: str | None = None
    tool: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The redacted form kept in the audit log (reasons never carry the value found)."""
        v = self.verdict
        out: dict[str, Any] = {"scanner": v.scanner, "direction": self.direction,
                               "flagged": v.flagged, "score": round(v.score, 4),
                               "action": self.action.value,
                               "latency_ms": round(v.latency_ms, 3)}
        if v.kinds:
            out["kinds"] = list(v.kinds)
        if v.flagged and v.reason:
            out["reason"] = v.reason
        if self.error:
            out["error"] = self.error
        if self.location is not None:
            out["location"] = self.location
            out["tool"] = self.tool
        return out


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    """What the scanners made of one text: the text to pass on (masked where redacted), the
    verdicts, the blocking scanner if any, and the guard's time in milliseconds."""

    text: str
    applied: tuple[Applied, ...] = ()
    blocked_by: str | None = None
    latency_ms: float = 0.0

    @property
    def allowed(self) -> bool:
        return self.blocked_by is None

    @property
    def changed(self) -> bool:
        return any(a.verdict.flagged and a.action is Action.REDACT for a in self.applied)


@dataclass(slots=True)
class ScanEngine:
    """The input and output scanners of a guard and its failure policy (see the module
    docstring). Each scanner carries its ``action``; one without an action blocks."""

    input_scanners: Sequence[Scanner] = ()
    output_scanners: Sequence[Scanner] = ()
    fail_closed: bool = True
    argument_scanners: tuple[Scanner, ...] = field(init=False, default=())
    """The output scanners that also scan tool-call arguments, in their order."""
    _actions: dict[str, dict[str, Action]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.input_scanners = tuple(self.input_scanners)
        self.output_scanners = tuple(self.output_scanners)
        self.argument_scanners = tuple(s for s in self.output_scanners
                                       if getattr(s, "scans_tool_arguments", False) is True)
        self._actions = {"input": {s.name: action_of(s) for s in self.input_scanners},
                         "output": {s.name: action_of(s) for s in self.output_scanners}}

    def names(self, direction: Direction) -> tuple[str, ...]:
        """The names of the scanners run on ``direction``."""
        return tuple(self._actions[direction])

    def scan(self, text: str, direction: Direction, context: ScanContext) -> ScanOutcome:
        """Run the scanners of ``direction`` on ``text``; :class:`ScannerFailure` when one
        raised and the guard fails closed."""
        scanners = self.input_scanners if direction == "input" else self.output_scanners
        return self._run(scanners, text, direction, context)

    def scan_tool_arguments(self, text: str, context: ScanContext, *, tool: str,
                            location: str) -> ScanOutcome:
        """Run :attr:`argument_scanners` on the arguments of a call to ``tool`` (``""``
        when unnamed) found at ``location`` in the answer; the verdicts say where."""
        return self._run(self.argument_scanners, text, "output",
                         replace(context, tool_call=tool), location=location, tool=tool)

    def _run(self, scanners: Sequence[Scanner], text: str, direction: Direction,
             context: ScanContext, *, location: str | None = None,
             tool: str | None = None) -> ScanOutcome:
        result = run_scanners(scanners, text, direction, context,
                              fail_closed=self.fail_closed, stop_on_block=True)
        actions = self._actions[direction]
        applied = tuple(
            Applied(v, direction, Action.BLOCK if _failed(v) else actions.get(v.scanner,
                                                                             Action.BLOCK),
                    error="scanner failed" if _failed(v) else None, location=location,
                    tool=tool)
            for v in result.verdicts)
        if result.blocked_by is not None and any(
                a.error and a.verdict.scanner == result.blocked_by for a in applied):
            raise ScannerFailure(result.blocked_by)
        return ScanOutcome(result.text, applied, result.blocked_by, result.latency_ms)


def _failed(verdict: Verdict) -> bool:
    return "error" in verdict.kinds and verdict.reason.startswith(
        f"scanner {verdict.scanner} failed")


def engine_from_config(config: Any, scanners: tuple[Iterable[Scanner], Iterable[Scanner]]
                       ) -> ScanEngine:
    """A :class:`ScanEngine` over ``scanners`` (input, output, as
    :func:`~drillhall.llm.guard.config.build_scanners` makes them) with the failure policy of
    ``config`` (a :class:`~drillhall.llm.guard.config.GuardConfig`)."""
    inputs, outputs = scanners
    return ScanEngine(list(inputs), list(outputs),
                      fail_closed=bool(getattr(config, "fail_closed", True)))
