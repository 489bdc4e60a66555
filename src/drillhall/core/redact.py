"""Masking of secrets and personal values.

Every drill and reporter shows a sensitive value only through :func:`mask`: a few characters
at each end (enough for a person to recognise which key it is), stars in between, and a short
SHA-256 so two findings of the same value can be matched without revealing it::

    >>> mask("AKIAIOSFODNN7EXAMPLE")
    'AKIA************MPLE (sha256:1a5d44a2)'

Short values show fewer characters, and values under eight characters show none.
:func:`scrub` removes known values from free text (log lines, error messages, model output).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

HASH_CHARS = 8


def short_hash(value: str) -> str:
    """The first :data:`HASH_CHARS` hex digits of the value's SHA-256."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_CHARS]


def _visible(length: int) -> int:
    """How many characters may be shown at each end of a value of this length."""
    if length >= 20:
        return 4
    if length >= 12:
        return 2
    if length >= 8:
        return 1
    return 0


def mask(value: str, *, keep: int | None = None) -> str:
    """Mask ``value`` for display: ``AKIA************MPLE (sha256:…)``.

    ``keep`` overrides how many characters stay visible at each end (never more than a
    quarter of the value, so most of it is always hidden).
    """
    value = value.strip("\r\n")
    n = len(value)
    shown = _visible(n) if keep is None else max(0, min(keep, n // 4))
    stars = "*" * min(max(n - 2 * shown, 4), 32)
    head, tail = value[:shown], value[n - shown:] if shown else ""
    return f"{head}{stars}{tail} (sha256:{short_hash(value)})"


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret in ``text`` by its mask. Longest first, so a
    secret that contains another is masked whole."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text
