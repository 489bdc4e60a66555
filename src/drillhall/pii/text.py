"""Masking secrets and personal values in free text: log lines, notes, model output.

:func:`redact_text` masks every credential the secrets rules recognise, every personal value
of the chosen kinds, and any value the caller knows to be sensitive (e.g. a planted canary),
each with :func:`drillhall.core.redact.mask`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from drillhall.core.redact import mask, scrub

STRUCTURED_KINDS: frozenset[str] = frozenset(
    {"email", "phone", "card", "iban", "ssn", "nino", "nhs", "dob"})
"""Personal-data kinds masked by default: the ones recognised with high precision in free
text. Person names, postal addresses and IP addresses are opt-in (``kinds=``), since an
operations log is full of host names, addresses and role names that are not personal data."""


def redact_text(text: str, *, known: Iterable[str] = (),
                kinds: Collection[str] = STRUCTURED_KINDS, secrets: bool = True) -> str:
    """``text`` with secrets, personal values of ``kinds`` and the ``known`` values masked."""
    if not text:
        return text
    spans: list[tuple[int, int]] = []
    if secrets:
        from drillhall.ml.secrets.engine import get_engine

        spans.extend(get_engine().spans(text))
    if kinds:
        from drillhall.pii.engine import detect

        spans.extend((m.start, m.end) for m in detect(text, kinds=kinds))
    out: list[str] = []
    pos = 0
    for start, end in sorted(spans):
        if start < pos:  # overlapping spans: the earlier one already covers it
            continue
        out.append(text[pos:start])
        out.append(mask(text[start:end]))
        pos = end
    out.append(text[pos:])
    return scrub("".join(out), known)
