"""The guard's tool-call policy: which tools an answer may ask the application to call.

With ``allowed_tools`` set in the proxy's settings, an answer (or a streamed chunk) that
calls any other tool is blocked as the ``tool-policy`` scanner: a prompt-injected model
cannot make the application delete a user or send money through a tool nobody allowed
(OWASP LLM06, excessive agency). Without it, tool calls pass as the model made them. What
the calls pass is scanned by :mod:`.arguments`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

SCANNER = "tool-policy"


def _names(holder: Any) -> Iterator[str]:
    if not isinstance(holder, dict):
        return
    for call in holder.get("tool_calls") or []:
        function = call.get("function") if isinstance(call, dict) else None
        name = function.get("name") if isinstance(function, dict) else None
        if isinstance(name, str) and name:
            yield name
    legacy = holder.get("function_call")
    if isinstance(legacy, dict) and isinstance(legacy.get("name"), str) and legacy["name"]:
        yield legacy["name"]


def called_tools(choices: Any) -> list[str]:
    """The tool names the choices of an answer or stream chunk call (``message`` or
    ``delta``; streamed calls name their tool in their first chunk)."""
    if not isinstance(choices, list):
        return []
    out: list[str] = []
    for choice in choices:
        if isinstance(choice, dict):
            out += _names(choice.get("message"))
            out += _names(choice.get("delta"))
    return out


def disallowed(choices: Any, allowed: Collection[str] | None) -> list[str]:
    """The called tools not in ``allowed`` (nothing when there is no policy)."""
    if allowed is None:
        return []
    return [name for name in called_tools(choices) if name not in allowed]
