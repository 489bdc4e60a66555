"""Embedding similarity between an answer and the reference answer of a golden item.

Two backends, both giving a cosine similarity in [-1, 1] (clipped to [0, 1] as a score):

* ``minilm`` — all-MiniLM-L6-v2 sentence embeddings, computed by the guard detector's encoder
  (:class:`drillhall.llm.guard.detector.embedding.Encoder`, onnxruntime on CPU). Needs the
  ``llm-embed`` extra. Texts are read up to the model's 256 word pieces.
* ``tfidf`` — pure Python: TF-IDF vectors of words and word pairs (sub-linear term frequency,
  smoothed inverse document frequency fitted on the golden set's questions and references),
  compared by cosine. It sees shared wording, not meaning, so it wants a lower threshold.

:func:`open_similarity` with ``"auto"`` uses MiniLM when the extra is installed and falls back
to TF-IDF otherwise; the backend's name goes into every result (``similarity:minilm`` or
``similarity:tfidf``) so a report says which one scored it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Literal, Protocol

from drillhall.errors import ConfigError, DependencyMissing
from drillhall.llm.evals.scoring import Score

__all__ = ["DEFAULT_THRESHOLDS", "MiniLmSimilarity", "Similarity", "SimilarityMode",
           "TfidfSimilarity", "open_similarity", "score_similarity"]

SimilarityMode = Literal["auto", "minilm", "tfidf"]

DEFAULT_THRESHOLDS: dict[str, float] = {"minilm": 0.75, "tfidf": 0.5}
"""Cosine similarity at or above which an answer passes, per backend (override with
``similarity_threshold``)."""

_WORD = re.compile(r"[a-z0-9]+")


class Similarity(Protocol):
    """A similarity backend."""

    name: str

    def similarity(self, a: str, b: str) -> float:
        """Cosine similarity of two texts."""
        ...


class TfidfSimilarity:
    """TF-IDF cosine over words and adjacent word pairs (see the module docstring)."""

    name = "tfidf"

    def __init__(self, corpus: Iterable[str] = ()) -> None:
        docs = [set(_terms(text)) for text in corpus]
        df: Counter[str] = Counter()
        for terms in docs:
            df.update(terms)
        self._n = len(docs)
        self._idf = {t: math.log((1 + self._n) / (1 + d)) + 1.0 for t, d in df.items()}
        self._unseen = math.log(1 + self._n) + 1.0

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(_terms(text))
        vec = {t: (1.0 + math.log(c)) * self._idf.get(t, self._unseen)
               for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {t: v / norm for t, v in vec.items()} if norm else {}

    def similarity(self, a: str, b: str) -> float:
        va, vb = self.vector(a), self.vector(b)
        if len(va) > len(vb):
            va, vb = vb, va
        return sum(v * vb.get(t, 0.0) for t, v in va.items())


def _terms(text: str) -> list[str]:
    words = _WORD.findall(text.lower())
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


class MiniLmSimilarity:
    """Cosine of all-MiniLM-L6-v2 embeddings (needs the ``llm-embed`` extra; raises
    :class:`~drillhall.errors.DependencyMissing` naming it when absent)."""

    name = "minilm"

    def __init__(self, threads: int = 1) -> None:
        from drillhall.llm.guard.detector.embedding import Encoder

        self._encoder: Any = Encoder(threads=threads, quantize=False)

    def similarity(self, a: str, b: str) -> float:
        vectors = self._encoder.embed([a, b])
        return float(vectors[0] @ vectors[1])


def open_similarity(mode: SimilarityMode, corpus: Sequence[str] = ()) -> Similarity:
    """The backend for ``mode``; ``auto`` falls back from MiniLM to TF-IDF when the
    ``llm-embed`` extra is missing. ``corpus`` fits the TF-IDF weights."""
    if mode not in ("auto", "minilm", "tfidf"):
        raise ConfigError(f"similarity must be auto, minilm or tfidf, not {mode!r}")
    if mode in ("auto", "minilm"):
        try:
            return MiniLmSimilarity()
        except DependencyMissing:
            if mode == "minilm":
                raise
    return TfidfSimilarity(corpus)


def score_similarity(backend: Similarity, answer: str, reference: str,
                     threshold: float | None = None) -> Score:
    """The similarity of ``answer`` to ``reference`` as a score; passed at or above
    ``threshold`` (default: the backend's, :data:`DEFAULT_THRESHOLDS`)."""
    limit = DEFAULT_THRESHOLDS.get(backend.name, 0.75) if threshold is None else threshold
    value = max(0.0, min(1.0, backend.similarity(answer, reference))) if answer.strip() else 0.0
    passed = value >= limit
    return Score(round(value, 4), passed, f"similarity:{backend.name}",
                 f"Cosine similarity to the reference is {value:.2f} "
                 f"({'at or above' if passed else 'below'} {limit:.2f}, {backend.name}).")
