"""Spot Jinja template-injection payloads in a chat template without rendering it.

A chat template is rendered every time the model formats a prompt. In a sandboxed Jinja
environment dunder attributes are refused, but some runtimes render with a plain environment
(llama-cpp-python did, CVE-2024-34359), where ``''.__class__.__mro__[1].__subclasses__()``
or ``lipsum.__globals__`` reaches ``os``. Only the code inside ``{{ … }}`` and ``{% … %}`` is
judged, after undoing simple obfuscation (``\\x5f`` escapes, ``'__cla' ~ 'ss__'``). The
whole text is also searched for instructions planted in every prompt ("ignore previous
instructions"), which are reported as suspicious.
"""

from __future__ import annotations

import re

from drillhall.core.model import Confidence, Severity

MAX_TEMPLATE = 1024 * 1024

_BLOCK = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.DOTALL)
_OPEN = re.compile(r"\{\{|\{%")
_CONCAT = re.compile(r"""(['"])\s*[~+]\s*(['"])""")
_ESCAPES = re.compile(r"\\x5[fF]|\\u005[fF]|\\137|\\N\{LOW LINE\}")

_CERTAIN: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern)) for label, pattern in (
        ("dunder attribute", r"__[A-Za-z]\w*__"),
        ("mro walk", r"\.\s*mro\b"),
        ("lipsum globals", r"\blipsum\b"),
        ("Jinja global internals", r"\b(cycler|joiner|namespace|range|dict)\s*\.\s*_"),
        ("os module", r"\bos\s*\.\s*[A-Za-z_]"),
        ("popen", r"\bpopen\b"),
        ("subprocess", r"\bsubprocess\b"),
        ("system call", r"\bsystem\s*\("),
        ("eval/exec", r"\b(eval|exec)\s*\("),
        ("import", r"\b(import_module|__import__|importlib)\b"),
        ("Flask helpers", r"\b(get_flashed_messages|url_for)\b"),
        ("template context", r"_TemplateReference__context|\bself\s*\.\s*_"),
    )
)
_SUSPICIOUS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (label, re.compile(pattern)) for label, pattern in (
        ("attr filter", r"\|\s*attr\b|\battr\s*\("),
        ("getattr", r"\bgetattr\b"),
        ("escaped underscore", _ESCAPES.pattern),
        ("underscore-only string", r"""(['"])_+\1"""),
        ("request/config object", r"\b(request|config|self)\s*[.\[]"),
        ("huge range", r"\brange\s*\(\s*\d{7,}"),
        ("huge power", r"\*\*\s*\d{3,}"),
    )
)


_PLANTED = re.compile(
    r"\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(the\s+)?(previous|prior|above|earlier|"
    r"system)\s+(instructions|messages|rules|prompts?)\b"
    r"|\b(do\s+not|don't|never)\s+(tell|reveal|mention|inform)\s+(this\s+to\s+)?the\s+user\b"
    r"|\bexfiltrat",
    re.IGNORECASE,
)
"""Instructions planted in every prompt (text, not code): prompt injection by template."""


def _code(template: str) -> list[str]:
    """The code of every Jinja block; an unclosed block runs to the end."""
    pieces = [m.group(1) or m.group(2) or "" for m in _BLOCK.finditer(template)]
    last_end = 0
    for match in _BLOCK.finditer(template):
        last_end = match.end()
    tail = _OPEN.search(template, last_end)
    if tail is not None:
        pieces.append(template[tail.end():])
    return pieces


def _normalise(code: str) -> str:
    code = _ESCAPES.sub("_", code)
    return _CONCAT.sub("", code)


def judge(template: str) -> tuple[Severity, Confidence, list[str]] | None:
    """Severity, confidence and the indicators found, or ``None`` for a clean template."""
    code = "\n".join(_code(template[:MAX_TEMPLATE]))
    flat = _normalise(code)
    certain = sorted({label for label, rx in _CERTAIN if rx.search(flat)})
    suspicious = sorted({label for label, rx in _SUSPICIOUS if rx.search(code)})
    if certain:
        return Severity.HIGH, Confidence.HIGH, certain + suspicious
    if _PLANTED.search(template[:MAX_TEMPLATE]):
        suspicious.append("planted instructions")
    if suspicious:
        return Severity.MEDIUM, Confidence.MEDIUM, suspicious
    if len(template) > MAX_TEMPLATE:
        return Severity.MEDIUM, Confidence.LOW, [f"template longer than {MAX_TEMPLATE} bytes"]
    return None
