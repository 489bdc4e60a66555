"""Prediction request bodies: the body template and the synthetic inputs put into it.

A body template is JSON with a placeholder string: ``"{text}"`` for text models (the default
template is ``{"text": "{text}"}``), ``"{x}"`` for a whole feature vector or ``"{x0}"``,
``"{x1}"``, … for single features of numeric models. Placeholders are replaced in the parsed
JSON, never by string pasting, so inputs are always correctly escaped.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from drillhall.errors import ConfigError

DEFAULT_TEMPLATE = '{"text": "{text}"}'
_FEATURE = re.compile(r"^\{x(\d+)\}$")

# A small, domain-neutral vocabulary: everyday words from support, operations, commerce,
# health, travel and sentiment, so that varied inputs reach many kinds of text classifiers.
VOCABULARY: tuple[str, ...] = (
    "account", "access", "admin", "alert", "app", "approve", "bank", "bill", "billing", "blocked",
    "booking", "broken", "bug", "build", "card", "cancel", "charge", "charged", "cluster", "code",
    "company", "computer", "contract", "crash", "customer", "dashboard", "data", "database",
    "delivery", "deploy", "desk", "device", "doctor", "email", "error", "expense", "failed", "fee",
    "file", "fix", "flight", "great", "happy", "hardware", "headset", "help", "holiday", "hotel",
    "invoice", "issue", "keyboard", "key", "laptop", "late", "leave", "license", "login", "lost",
    "love", "manager", "meeting", "monitor", "network", "new", "office", "order", "outage", "page",
    "paid", "password", "payment", "permission", "phone", "please", "policy", "printer", "problem",
    "question", "refund", "refused", "reset", "review", "role", "room", "salary", "screen",
    "security", "server", "service", "shipping", "slow", "software", "staging", "terrible",
    "thanks", "ticket", "train", "travel", "trip", "update", "upgrade", "urgent", "user", "vpn",
    "wiki", "wrong", "cannot", "not", "never", "always", "today", "yesterday", "week", "month",
    "again", "still", "old",
)


@dataclass(frozen=True, slots=True)
class BodyTemplate:
    """A parsed body template; ``kind`` is ``"text"`` or ``"vector"``."""

    data: Any
    kind: str
    features: int

    @classmethod
    def parse(cls, text: str | None, *, features: int = 4) -> BodyTemplate:
        """Parse and check a template; raises :class:`ConfigError` naming what is wrong."""
        source = text if text is not None else DEFAULT_TEMPLATE
        try:
            data = json.loads(source)
        except ValueError as exc:
            raise ConfigError(f"body_template is not valid JSON: {exc}") from None
        strings = list(_strings(data))
        has_text = any("{text}" in s for s in strings)
        indexed = [int(m.group(1)) for s in strings if (m := _FEATURE.match(s))]
        has_vector = "{x}" in strings
        if has_text and (indexed or has_vector):
            raise ConfigError("body_template mixes {text} with {x} placeholders; use one kind")
        if has_text:
            return cls(data, "text", 0)
        if has_vector:
            return cls(data, "vector", features)
        if indexed:
            return cls(data, "vector", max(indexed) + 1)
        raise ConfigError('body_template has no placeholder; put "{text}" or "{x}" (or "{x0}", '
                          '"{x1}", …) where the input goes')

    def render(self, value: str | Sequence[float]) -> bytes:
        """The request body for one input (a text, or a feature vector)."""
        return json.dumps(_fill(self.data, value)).encode("utf-8")

    def render_wrong_type(self) -> bytes:
        """A body with the placeholder replaced by a value of the wrong type."""
        return json.dumps(_fill(self.data, None, wrong=True)).encode("utf-8")


def _strings(node: Any) -> Iterable[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _fill(node: Any, value: str | Sequence[float] | None, *, wrong: bool = False) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, value, wrong=wrong) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, value, wrong=wrong) for v in node]
    if not isinstance(node, str):
        return node
    if wrong and ("{text}" in node or node == "{x}" or _FEATURE.match(node)):
        return {"drillhall": ["wrong", "type"]} if "{text}" in node else "not-a-number"
    if isinstance(value, str):
        return node.replace("{text}", value)
    if value is None:
        return node
    if node == "{x}":
        return [round(v, 6) for v in value]
    match = _FEATURE.match(node)
    if match and int(match.group(1)) < len(value):
        return round(value[int(match.group(1))], 6)
    return node


class InputGenerator:
    """Varied synthetic inputs from a seeded random generator (reproducible runs)."""

    def __init__(self, template: BodyTemplate, *, seed: int = 1,
                 extra_words: Iterable[str] = ()) -> None:
        self.template = template
        self._random = random.Random(seed)  # noqa: S311 - reproducible test inputs, not secrets
        extra = [w for word in extra_words for w in re.split(r"[\W_]+", word.lower()) if w]
        self.words = tuple(dict.fromkeys((*extra, *VOCABULARY)))
        self._extra = tuple(dict.fromkeys(extra))

    def add_words(self, words: Iterable[str]) -> None:
        """Mix label-related words (e.g. the endpoint's class names) into later inputs."""
        extra = [w for word in words for w in re.split(r"[\W_]+", word.lower()) if w]
        self._extra = tuple(dict.fromkeys((*self._extra, *extra)))
        self.words = tuple(dict.fromkeys((*self._extra, *VOCABULARY)))

    def text(self) -> str:
        """A short sentence-like text of 3 to 12 words, often with a label-related word."""
        rnd = self._random
        words = [rnd.choice(self.words) for _ in range(rnd.randint(3, 12))]
        if self._extra and rnd.random() < 0.5:
            words.insert(rnd.randrange(len(words) + 1), rnd.choice(self._extra))
        return " ".join(words)

    def vector(self) -> list[float]:
        """A feature vector drawn from a standard normal distribution."""
        return [self._random.gauss(0.0, 1.0) for _ in range(self.template.features)]

    def next(self) -> str | list[float]:
        return self.text() if self.template.kind == "text" else self.vector()
