"""Stage 1: n-gram features and a logistic-regression head, scored in pure Python.

The weights file (``weights/lexical.json.gz``) maps each kept feature (see
:mod:`drillhall.llm.guard.detector.features`) to its coefficient. A text's vector marks each
kept feature it contains with 1 (presence, not counts), L2-normalised, exactly as the training
script builds it with scikit-learn; the score is ``sigmoid(w·x + b)``, which for binary
features is ``sum(w over present features) / sqrt(number present) + b``. ``set``, ``map``
and ``filter`` keep the whole scoring loop in C: about 1 ms for 1,000 characters.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillhall.errors import InputError
from drillhall.llm.guard.detector.features import VERSION, features

#: v3: the feature scheme of :data:`~drillhall.llm.guard.detector.features.VERSION` 3. Files
#: of another version were trained on other features (v1: cross-word character n-grams; v2:
#: no look-alike folding nor leetspeak words) and would score wrongly, so they are refused.
FORMAT = f"drillhall/guard-lexical/v{VERSION}"


def sigmoid(z: float) -> float:
    """The logistic function, without overflow for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True, slots=True)
class LexicalModel:
    """A trained lexical head: ``weights`` by feature and the intercept ``bias``."""

    weights: dict[str, float]
    bias: float

    @classmethod
    def read(cls, path: Path) -> LexicalModel:
        """Load a weights file written by ``scripts/guard/train.py``."""
        try:
            data: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read the lexical weights ({exc})") from exc
        if data.get("format") != FORMAT:
            raise InputError(f"{path}: not a lexical weights file (format {data.get('format')!r})")
        return cls({k: float(v) for k, v in data["weights"].items()}, float(data["bias"]))

    def write(self, path: Path) -> None:
        """Write the weights (gzip JSON, sorted keys, so the file is reproducible)."""
        data = {"format": FORMAT, "bias": self.bias, "weights": self.weights}
        text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))

    def decision(self, text: str) -> float:
        """The raw score ``w·x + b`` of ``text``."""
        found = list(map(self.weights.get, set(features(text))))
        present = len(found) - found.count(None)
        if not present:
            return self.bias
        # fsum is exact, so the result does not depend on the set's (hash-seeded) order
        return math.fsum(filter(None, found)) / math.sqrt(present) + self.bias

    def probability(self, text: str) -> float:
        """Probability that ``text`` is an injection or a jailbreak."""
        return sigmoid(self.decision(text))
