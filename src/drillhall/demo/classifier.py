"""The demo service's ticket-triage classifier: multinomial naive Bayes in pure Python.

It is trained at start-up from ``assets/data/tickets.csv`` (columns ``ticket_id``, ``text``,
``label``) and predicts a label with the full probability vector over every label — the
prediction metadata an exposed model endpoint should not hand out.
"""

from __future__ import annotations

import csv
import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drillhall.demo import DemoServiceError
from drillhall.errors import InputError

_WORD = re.compile(r"[a-z0-9']+")
REQUIRED_COLUMNS = ("text", "label")


def words(text: str) -> list[str]:
    """Lower-case word tokens (unigrams) of a ticket."""
    return _WORD.findall(text.lower())


@dataclass(frozen=True, slots=True)
class Prediction:
    """A predicted label and the probability of every label (they sum to 1)."""

    label: str
    probabilities: dict[str, float]


class NaiveBayesClassifier:
    """Multinomial naive Bayes with Laplace smoothing over word counts."""

    def __init__(self, examples: Iterable[tuple[str, str]], *, alpha: float = 1.0,
                 version: str = "") -> None:
        """Train on ``(text, label)`` pairs. ``version`` names the model in responses."""
        self.alpha = alpha
        self.version = version
        counts: dict[str, Counter[str]] = {}
        documents: Counter[str] = Counter()
        for text, label in examples:
            counts.setdefault(label, Counter()).update(words(text))
            documents[label] += 1
        if not documents:
            raise DemoServiceError("the ticket classifier got no training examples")
        self.labels: tuple[str, ...] = tuple(sorted(documents))
        self.vocabulary = frozenset(word for c in counts.values() for word in c)
        total = sum(documents.values())
        self._log_prior = {label: math.log(documents[label] / total) for label in self.labels}
        size = len(self.vocabulary)
        self._log_likelihood: dict[str, dict[str, float]] = {}
        self._log_unseen: dict[str, float] = {}
        for label in self.labels:
            denominator = sum(counts[label].values()) + alpha * size
            self._log_likelihood[label] = {
                word: math.log((n + alpha) / denominator) for word, n in counts[label].items()
            }
            self._log_unseen[label] = math.log(alpha / denominator)
        self.training_size = total

    @classmethod
    def from_csv(cls, path: Path) -> NaiveBayesClassifier:
        """Train on a CSV with ``text`` and ``label`` columns; the version hashes the file."""
        try:
            raw = path.read_bytes()
            rows = list(csv.DictReader(raw.decode("utf-8").splitlines()))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise InputError(f"cannot read the training data {path}: {exc}") from exc
        header = rows[0].keys() if rows else ()
        missing = [column for column in REQUIRED_COLUMNS if column not in header]
        if missing:
            raise InputError(f"the training data {path} has no {missing[0]!r} column or no rows")
        examples = [(row["text"] or "", row["label"] or "") for row in rows]
        version = "ticket-triage-nb-" + hashlib.sha256(raw).hexdigest()[:12]
        return cls(examples, version=version)

    def predict(self, text: str) -> Prediction:
        """The most probable label and the normalised probability of every label."""
        tokens = [word for word in words(text) if word in self.vocabulary]
        scores = {
            label: self._log_prior[label] + sum(
                self._log_likelihood[label].get(word, self._log_unseen[label]) for word in tokens
            )
            for label in self.labels
        }
        top = max(scores.values())
        exp = {label: math.exp(score - top) for label, score in scores.items()}
        total = sum(exp.values())
        probabilities = {label: value / total for label, value in exp.items()}
        best = max(self.labels, key=lambda label: (probabilities[label], label))
        return Prediction(best, probabilities)
