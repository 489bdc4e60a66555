"""Masking what a red-team run reports: known secrets, planted canaries, credentials found by
drillhall's secrets engine, and personal data found by its personal-data engine.

Every text that leaves the runner (a grade's reason, an excerpt, a transcript, a checkpoint
line) goes through :meth:`Redactor.text` first.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import replace
from urllib.parse import quote

from drillhall.core.redact import mask, scrub
from drillhall.llm.types import Message
from drillhall.pii.engine import KINDS
from drillhall.pii.text import redact_text

MAX_MESSAGE_CHARS = 4000
"""Transcripts keep at most this many characters of each message (huge answers are cut)."""

EXCERPT_CHARS = 240



class Redactor:
    """Masks ``secrets`` (the API key, canaries) wherever they appear, then credentials and
    personal values that drillhall's engines recognise."""

    def __init__(self, secrets: Iterable[str] = (), *, pii: bool = True) -> None:
        self._secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        self._pii = pii
        self._forms = [(form, mask(secret)) for secret in self._secrets
                       for form in _encodings(secret) if form != secret]

    def text(self, value: str, *, limit: int | None = None) -> str:
        """``value`` with every sensitive part masked, cut to ``limit`` characters first."""
        if limit is not None and len(value) > limit:
            value = value[:limit] + f" … [{len(value) - limit} more characters]"
        value = scrub(value, self._secrets)
        for form, masked in self._forms:
            if form in value:
                value = value.replace(form, f"{masked} [encoded]")
        # credentials, and (unless turned off) personal values of every kind the engine knows
        return redact_text(value, kinds=KINDS if self._pii else ())

    def excerpt(self, value: str, around: Sequence[str] = ()) -> str:
        """A short redacted excerpt of ``value``: centred on the first of ``around`` found in
        it (e.g. a leaked canary, shown masked), else its beginning."""
        red = self.text(value, limit=MAX_MESSAGE_CHARS)
        start = 0
        for needle in around:
            if not needle:
                continue
            at = max(red.find(needle), red.find(mask(needle)))
            if at >= 0:
                start = max(0, at - EXCERPT_CHARS // 3)
                break
        end = start + EXCERPT_CHARS
        text = " ".join(red[start:end].split())
        return ("…" if start else "") + text + ("…" if end < len(red) else "")

    def message(self, message: Message) -> Message:
        """A redacted copy of one chat message (content and tool-call arguments)."""
        calls = tuple(replace(c, arguments=self.text(c.arguments, limit=MAX_MESSAGE_CHARS))
                      for c in message.tool_calls)
        return replace(message, content=self.text(message.content, limit=MAX_MESSAGE_CHARS),
                       tool_calls=calls)

    def transcript(self, messages: Sequence[Message]) -> tuple[Message, ...]:
        return tuple(self.message(m) for m in messages)


def _encodings(secret: str) -> set[str]:
    """Forms a model may give a secret in when asked to hide it: reversed, base64 (plain and
    URL-safe, with and without padding), hex, URL-encoded."""
    raw = secret.encode("utf-8")
    forms = {secret[::-1], quote(secret, safe=""), raw.hex(), raw.hex().upper()}
    for encoded in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
        forms |= {encoded, encoded.rstrip("=")}
    return {f for f in forms if len(f) >= 6}


