"""Telling documented example values and placeholders from real secrets, and measuring entropy.

A value is a placeholder when it is a documented example (AWS's own example key pair), spells
out that it is one (``EXAMPLE``, ``your_api_key_here``, ``<token>``, ``${VAR}``, runs of
``xxxx``), or is too regular to be random (one repeated character, a sequential run such as
``1234567890`` or ``abcdef…``).
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from itertools import pairwise

# AWS's documented example credentials (they appear throughout AWS documentation and SDKs).
AWS_EXAMPLE_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_EXAMPLE_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"  # noqa: S105

_KNOWN_EXAMPLES = frozenset({AWS_EXAMPLE_ACCESS_KEY_ID, AWS_EXAMPLE_SECRET_ACCESS_KEY})

KNOWN_EXAMPLE_SHA256: frozenset[str] = frozenset()
"""SHA-256 digests of further publicly documented example values, compared without storing
the values themselves."""

_MARKERS = re.compile(
    r"(?i)example|x{4,}|\*{3,}|\.{3,}|<[^>]{0,40}>|\$\{|\{\{|%\(|\$\(|^\$[A-Z_]|process\.env"
    r"|os\.environ|getenv"
)
# Words that mark a placeholder; only looked for in short values, where a random token is
# unlikely to spell them by chance.
_WORDS = re.compile(
    r"(?i)your[_\-\s]?|placeholder|redacted|dummy|sample|changeme|change[_\-]me|replace[_\-]?me"
    r"|insert[_\-]|_here\b|here$|fake|todo|fixme|lorem|ipsum"
)
WORD_LIMIT = 100

_WEAK_PASSWORDS = frozenset({
    "password", "passw0rd", "password1", "password123", "secret", "secret123", "changeit",
    "admin", "admin123", "root", "toor", "letmein", "qwerty", "123456", "12345678",
    "postgres", "mysql", "guest", "test", "testing", "user", "pass", "pwd", "default",
    "tiger", "scott", "foo", "bar", "baz", "foobar", "abc", "abc123", "1234", "12345",
    "test123", "mypassword", "mysecretpassword", "pw", "passwd", "s3cr3t", "hunter2", "xyz",
})


def shannon_entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def _longest_sequential_run(value: str) -> int:
    """Length of the longest run of consecutive characters stepping by +1 or by -1 in one
    direction (``123456``, ``fedcba``); a zigzag such as ``787676`` is not a run."""
    best = run = 1
    step = 0
    for a, b in pairwise(value):
        delta = ord(b) - ord(a)
        if abs(delta) == 1 and a.isalnum() and b.isalnum():
            run = run + 1 if delta == step else 2
            step = delta
            best = max(best, run)
        else:
            run, step = 1, 0
    return best if value else 0


def is_weak_password(value: str) -> bool:
    """True for the handful of default passwords people put in examples."""
    return value.lower() in _WEAK_PASSWORDS


def is_placeholder(value: str, *, body: str | None = None) -> bool:
    """True when ``value`` is a documented example or placeholder rather than a secret.

    ``body`` is the random part of a prefixed token (``ghp_…`` without ``ghp_``), used for the
    regularity checks; it defaults to the whole value.
    """
    if value in _KNOWN_EXAMPLES:
        return True
    if _MARKERS.search(value) or (len(value) <= WORD_LIMIT and _WORDS.search(value)):
        return True
    part = value if body is None else body
    if len(part) >= 6:
        if len(set(part)) < min(6, max(2, len(part) // 8)):
            return True
        if _longest_sequential_run(part) >= 6:
            return True
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest() in (
        KNOWN_EXAMPLE_SHA256)
