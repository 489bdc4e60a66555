"""The two-stage cascade and its result type.

Rule (stages ``("lexical", "embedding")``, the default): the lexical stage scores every text.
Below the low edge of its calibrated *uncertain band* the text is benign, at or above the high
edge it is an injection, and either way the lexical score is the result. Inside the band the
embedding stage scores the text too; the result is the weighted mean of the two
probabilities, ``(1 - w) * lexical + w * embedding`` with the calibrated ``embedding_weight``
``w`` (0.5 when the calibration names none), judged against the calibrated cascade threshold
(a calibration without one, as written before the mean rule, lets the embedding score and
threshold decide alone). The shipped calibration's band reaches 1.0: every text the lexical
stage finds suspicious is confirmed or overruled by the embedding stage. With
``("lexical",)`` or ``("embedding",)`` that one stage decides alone with its threshold.

A ``threshold`` given to :meth:`Detector.load` replaces the calibrated threshold of whichever
stage produced the score (the band is unchanged): the label is always ``score >= threshold``.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

from drillhall.errors import ConfigError, InputError
from drillhall.llm.guard.detector.embedding import EmbeddingHead, EmbeddingStage
from drillhall.llm.guard.detector.lexical import LexicalModel

Stage = Literal["lexical", "embedding"]
Label = Literal["injection", "benign"]
STAGES: tuple[Stage, ...] = ("lexical", "embedding")
CONFIG_FORMAT = "drillhall/guard-detector/v1"


@dataclass(frozen=True, slots=True)
class DetectorResult:
    """One verdict: ``score`` in [0, 1] (probability of an injection from the stage that
    decided), ``label``, which ``stage`` decided, and the wall time it took."""

    score: float
    label: Label
    stage: Stage
    latency_ms: float

    @property
    def flagged(self) -> bool:
        """True when the text is labelled an injection."""
        return self.label == "injection"


@dataclass(frozen=True, slots=True)
class Calibration:
    """The thresholds chosen on the validation split by ``scripts/guard/train.py``."""

    lexical_threshold: float
    band: tuple[float, float]
    embedding_threshold: float | None
    #: a head inline in ``detector.json`` (a logistic regression, weights before version 3)
    embedding_head: EmbeddingHead | None
    #: threshold on the mean of both stages' scores inside the band (``None``: embedding alone)
    cascade_threshold: float | None = None
    #: the embedding score's weight in that mean
    embedding_weight: float = 0.5
    #: the head's own file beside ``detector.json`` (read only when the stage is loaded)
    embedding_head_file: Path | None = None

    def head(self) -> EmbeddingHead | None:
        """The embedding stage's head: read from its file, or the inline one, or ``None``."""
        if self.embedding_head_file is not None:
            return EmbeddingHead.read(self.embedding_head_file)
        return self.embedding_head

    @classmethod
    def read(cls, path: Path) -> Calibration:
        """Read ``detector.json``."""
        try:
            data: dict[str, Any] = json.loads(path.read_text("utf-8"))
            if data.get("format") != CONFIG_FORMAT:
                raise ValueError(f"format {data.get('format')!r}")
            lex = data["lexical"]
            emb = data.get("embedding")
            cascade = data.get("cascade")
            if cascade is not None and cascade.get("rule") != "mean":
                raise ValueError(f"cascade rule {cascade.get('rule')!r}")
            if cascade is not None and not 0.0 <= cascade.get("embedding_weight", 0.5) <= 1.0:
                raise ValueError(f"cascade weight {cascade.get('embedding_weight')!r}")
            # a perceptron head lives in its own file beside detector.json
            name = emb.get("head") if emb else None
            if name is not None and (not isinstance(name, str) or Path(name).name != name):
                raise ValueError(f"embedding head {name!r} is not a file name")
            inline = EmbeddingHead.from_json(emb) if emb and name is None else None
            return cls(
                float(lex["threshold"]),
                (float(lex["band"][0]), float(lex["band"][1])),
                float(emb["threshold"]) if emb else None,
                inline,
                float(cascade["threshold"]) if cascade else None,
                float(cascade.get("embedding_weight", 0.5)) if cascade else 0.5,
                path.parent / name if name else None,
            )
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise InputError(f"{path}: not a usable detector calibration ({exc})") from exc


def weights_dir() -> Path:
    """The directory of the shipped weights (package data)."""
    return Path(str(resources.files("drillhall.llm.guard.detector") / "weights"))


class Detector:
    """The prompt-injection detector. Build it with :meth:`load`; it is safe to share between
    threads only when the embedding stage is off (onnxruntime sessions are, the tokenizer is
    not guaranteed to be)."""

    def __init__(
        self,
        stages: tuple[Stage, ...],
        lexical: LexicalModel | None,
        embedding: EmbeddingStage | None,
        calibration: Calibration,
        threshold: float | None,
    ) -> None:
        self.stages = stages
        self._lexical = lexical
        self._embedding = embedding
        self.calibration = calibration
        self.threshold = threshold

    @classmethod
    def load(
        cls,
        stages: Sequence[str] = STAGES,
        *,
        threshold: float | None = None,
        weights: Path | None = None,
        threads: int | None = None,
    ) -> Detector:
        """Load the shipped (or ``weights``) model. ``stages`` is any non-empty subset of
        ``("lexical", "embedding")``; the embedding stage needs the ``llm-embed`` extra and
        raises :class:`~drillhall.errors.DependencyMissing` without it. ``threads`` is the
        embedding encoder's intra-op thread count: by default two where the machine has two
        cores or more (a 1,000-character prompt: about 24 ms on one core, 15 ms on two),
        else one."""
        bad = [s for s in stages if s not in STAGES]
        chosen = cast(tuple[Stage, ...], tuple(s for s in STAGES if s in stages))
        if bad or not chosen:
            raise ConfigError(
                f"detector stages {list(stages)!r} are not a non-empty subset of {list(STAGES)}"
            )
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise ConfigError(f"detector threshold {threshold!r} is not between 0 and 1")
        root = weights or weights_dir()
        calibration = Calibration.read(root / "detector.json")
        lexical = LexicalModel.read(root / "lexical.json.gz") if "lexical" in chosen else None
        embedding = None
        if "embedding" in chosen:
            head = calibration.head()
            if head is None:
                raise InputError(f"{root / 'detector.json'}: has no trained embedding head")
            count = threads if threads is not None else min(2, os.cpu_count() or 1)
            embedding = EmbeddingStage(head, threads=count)
        return cls(chosen, lexical, embedding, calibration, threshold)

    def _result(
        self, score: float, stage: Stage, calibrated: float, start: float
    ) -> DetectorResult:
        limit = calibrated if self.threshold is None else self.threshold
        label: Label = "injection" if score >= limit else "benign"
        return DetectorResult(score, label, stage, (time.perf_counter() - start) * 1000.0)

    def score(self, text: str) -> DetectorResult:
        """Score one text (deterministic: the same text always gets the same score)."""
        start = time.perf_counter()
        cal = self.calibration
        if self._lexical is not None:
            p = self._lexical.probability(text)
            low, high = cal.band
            if self._embedding is None or p < low or p >= high:
                return self._result(p, "lexical", cal.lexical_threshold, start)
        assert self._embedding is not None and cal.embedding_threshold is not None
        q = self._embedding.probability(text)
        if self._lexical is not None and cal.cascade_threshold is not None:
            w = cal.embedding_weight
            return self._result((1.0 - w) * p + w * q, "embedding", cal.cascade_threshold, start)
        return self._result(q, "embedding", cal.embedding_threshold, start)
