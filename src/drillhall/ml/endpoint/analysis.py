"""Reading what an endpoint gave away: pure functions over parsed JSON, headers and text.

JSON is parsed with floats as :class:`~decimal.Decimal` (see
:meth:`~drillhall.ml.endpoint.client.Exchange.json`) so that the precision the server sent can
be measured from the digits, not guessed from a binary float.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

_SCORE_KEYS = frozenset({"probabilities", "probability", "probs", "proba", "scores",
                         "confidences", "class_probabilities", "predict_proba", "softmax"})
_LOGIT_KEYS = frozenset({"logits", "logit", "raw_scores", "decision_function", "margins"})
_SINGLE_SCORE_KEYS = frozenset({"score", "confidence", "probability", "prob", "proba"})
_LABEL_KEYS = ("label", "predicted_label", "prediction", "predicted_class", "class",
               "category", "intent", "output_label", "result")


@dataclass(frozen=True, slots=True)
class ScoreLeak:
    """Where in a response scores were found, what kind, how many and how precise."""

    pointer: str
    kind: str  # "probabilities", "logits" or "score"
    size: int
    digits: int
    labels: tuple[str, ...] = ()


def _digits(value: Decimal) -> int:
    """Significant digits the server sent for a number."""
    if not value.is_finite():
        return 0
    return len(value.as_tuple().digits) if value else 1


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return None


def _walk(node: Any, pointer: str = "") -> Iterator[tuple[str, str, Any]]:
    """``(pointer, key, value)`` for every value under ``node`` (depth-first, JSON pointer)."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{pointer}/{key}"
            yield here, str(key), value
            yield from _walk(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node[:1000]):
            here = f"{pointer}/{index}"
            yield here, "", value
            yield from _walk(value, here)


def find_scores(body: Any) -> list[ScoreLeak]:
    """Probability vectors, logits and single confidence scores in a JSON body.

    A vector is a list of two or more numbers, or an object mapping two or more labels to
    numbers: it counts as probabilities when every value is in [0, 1] and they sum to about 1
    (or it sits under a key such as ``probabilities``), and as logits under a key such as
    ``logits``. A lone number under ``score`` or ``confidence`` is a single score.
    """
    leaks: list[ScoreLeak] = []
    covered: list[str] = []
    for pointer, key, value in _walk(body):
        if any(pointer.startswith(c + "/") for c in covered):
            continue
        name = key.lower()
        labels: tuple[str, ...] = ()
        if isinstance(value, list):
            numbers = [_number(v) for v in value]
        elif isinstance(value, Mapping):
            numbers = [_number(v) for v in value.values()]
            labels = tuple(str(k) for k in value)
        else:
            single = _number(value)
            if single is not None and name in _SINGLE_SCORE_KEYS and 0 <= single <= 1:
                leaks.append(ScoreLeak(pointer, "score", 1, _digits(single)))
            continue
        if len(numbers) < 2 or any(n is None for n in numbers):
            continue
        values = [n for n in numbers if n is not None]
        digits = max(_digits(n) for n in values)
        in_unit = all(0 <= n <= 1 for n in values)
        sums_to_one = in_unit and abs(float(sum(values)) - 1.0) < 0.02
        if name in _LOGIT_KEYS:
            kind = "logits"
        elif sums_to_one or (name in _SCORE_KEYS and in_unit):
            kind = "probabilities"
        else:
            continue
        leaks.append(ScoreLeak(pointer, kind, len(values), digits, labels))
        covered.append(pointer)
    return leaks


def _first_scalar(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return str(value)
    return None


def extract_label(body: Any) -> str | None:
    """The predicted label of a response, as text: a label-like key, else the first of a
    ``predictions``/``outputs`` list, else the arg-max of a probability vector."""
    if isinstance(body, list) and len(body) == 1:
        body = body[0]
    if not isinstance(body, Mapping):
        return _first_scalar(body)
    for key in _LABEL_KEYS:
        label = _first_scalar(body.get(key))
        if label is not None:
            return label
    for key in ("predictions", "outputs", "labels", "data"):
        items = body.get(key)
        if isinstance(items, list) and items:
            label = extract_label(items[0]) if not isinstance(items[0], list) else None
            if label is not None:
                return label
    for leak in find_scores(body):
        if leak.kind != "score":
            return _argmax(body, leak.pointer)
    return None


def _resolve(body: Any, pointer: str) -> Any:
    node = body
    for part in pointer.strip("/").split("/"):
        if part:
            node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def score_vector(body: Any) -> tuple[str, tuple[str, ...], list[float]] | None:
    """The first probability vector or logits in a body: ``(kind, keys, values)``; keys are
    the labels of an object, or ``"0"``, ``"1"``, … of a list."""
    for leak in find_scores(body):
        if leak.kind == "score":
            continue
        node = _resolve(body, leak.pointer)
        if isinstance(node, Mapping):
            return leak.kind, tuple(str(k) for k in node), [float(v) for v in node.values()]
        return leak.kind, tuple(str(i) for i in range(len(node))), [float(v) for v in node]
    return None


def _argmax(body: Any, pointer: str) -> str | None:
    node = _resolve(body, pointer)
    if isinstance(node, Mapping):
        pairs = [(k, _number(v)) for k, v in node.items()]
    else:
        pairs = [(str(i), _number(v)) for i, v in enumerate(node)]
    valid = [(k, v) for k, v in pairs if v is not None]
    return max(valid, key=lambda p: p[1])[0] if valid else None


_MODEL_KEYS = frozenset({"model", "model_name", "model_id", "model_version", "modelversion",
                         "model_version_status", "framework", "backend", "platform",
                         "runtime", "model_platform", "served_model", "served_model_name",
                         "modelname", "engine", "classifier"})
_FRAMEWORKS = re.compile(
    r"\b(torchserve|triton|tensorflow|tfserving|tf-serving|pytorch|torch|onnx(?:runtime)?|"
    r"scikit-learn|sklearn|xgboost|lightgbm|bentoml|mlflow|ray serve|seldon|kserve|"
    r"transformers|vllm|keras|naive[ _-]?bayes)\b", re.IGNORECASE)
_MODEL_HEADERS = re.compile(r"^(x-)?(model|inference|served)[-_]", re.IGNORECASE)


def find_model_info(body: Any) -> list[str]:
    """``key=value`` descriptions of model names, versions and frameworks in a JSON body."""
    found: list[str] = []
    for pointer, key, value in _walk(body):
        if len(found) >= 5:
            break
        text = _first_scalar(value)
        if text is None:
            continue
        lowered = key.lower().replace("-", "_")
        named = lowered in _MODEL_KEYS or (lowered in ("version", "name")
                                           and "model" in pointer.lower())
        framework = lowered in ("version", "server", "platform") and bool(
            _FRAMEWORKS.search(text))
        if named or framework:
            found.append(f"{pointer.lstrip('/')}={_short(text)}")
    return found


def find_model_headers(headers: httpx.Headers) -> list[str]:
    """Headers that name the model or an ML serving framework (``X-Model-Version``,
    ``Server: TorchServe``)."""
    found = []
    for name, value in headers.items():
        if _MODEL_HEADERS.match(name) or (
                name.lower() in ("server", "x-powered-by") and _FRAMEWORKS.search(value)):
            found.append(f"{name}: {_short(value)}")
    return found


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_ERROR_PATTERNS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("stack trace", "high", re.compile(r"Traceback \(most recent call last\)|"
                                       r"\bat [\w$.]+\([\w$]+\.(?:java|kt|scala):\d+\)|"
                                       r"Exception in thread|panic: .*\ngoroutine \d+")),
    ("source file path", "medium", re.compile(r"File \"[^\"]+\.py\", line \d+|"
                                              r"(?:/usr/lib|/usr/local/lib|/opt|/home|/app|/srv|"
                                              r"[A-Z]:\\)[\w./\\-]*\.(?:py|java|go|rb|js|php)\b|"
                                              r"site-packages/")),
    ("SQL error", "high", re.compile(r"SQLSTATE|syntax error at or near|"
                                     r"sqlite3\.\w+Error|psycopg2?\.\w+|ORA-\d{5}|"
                                     r"You have an error in your SQL syntax", re.IGNORECASE)),
    ("framework internals", "low", re.compile(r"errors\.pydantic\.dev/[\d.]+|werkzeug|"
                                              r"django\.\w+|starlette\.\w+|"
                                              r"torch\.\w+Error|RuntimeError: |"
                                              r"ValueError: |KeyError: |TypeError: ")),
)


def find_error_details(text: str) -> list[tuple[str, str, str]]:
    """``(what, severity, excerpt)`` for internals found in an error body."""
    found = []
    for what, severity, pattern in _ERROR_PATTERNS:
        match = pattern.search(text)
        if match:
            found.append((what, severity, _short(match.group(0), 80)))
    return found


_RATE_HEADERS = re.compile(r"^(x-)?ratelimit(-|$)|^retry-after$|^x-rate-limit", re.IGNORECASE)


def rate_limit_signals(exchange_status: int, headers: httpx.Headers) -> list[str]:
    """What in one answer shows a rate limit: a 429, Retry-After or RateLimit headers."""
    signals = [f"{name}: {_short(value, 40)}" for name, value in headers.items()
               if _RATE_HEADERS.match(name)]
    if exchange_status == 429:
        signals.insert(0, "status 429")
    return signals
