"""The two-stage cascade and its result type.

Rule (stages ``("lexical", "embedding")``, the default): the lexical stage scores every text.
Below the low edge of its calibrated *uncertain band* the text is benign, at or above the high
edge it is an injection, and either way the lexical score is the result. Inside the band the
embedding stage scores the text too; the result is the mean of the two probabilities, judged
against the calibrated cascade threshold (a calibration without one, as written before the
mean rule, lets the embedding score and threshold decide alone). With
``("lexical",)`` or ``("embedding",)`` that one stage decides alone with its threshold.

A ``threshold`` given to :meth:`Detector.load` replaces the calibrated threshold of whichever
stage produced the score (the band is unchanged): the label is always ``score >= threshold``.
"""

from __future__ import annotations

import json
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
    embedding_head: EmbeddingHead | None
    #: threshold on the mean of both stages' scores inside the band (``None``: embedding alone)
    cascade_threshold: float | None = None

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
            return cls(
                float(lex["threshold"]),
                (float(lex["band"][0]), float(lex["band"][1])),
                float(emb["threshold"]) if emb else None,
                EmbeddingHead.from_json(emb) if emb else None,
                float(cascade["threshold"]) if cascade else None,
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
        threads: int = 1,
    ) -> Detector:
        """Load the shipped (or ``weights``) model. ``stages`` is any non-empty subset of
        ``("lexical", "embedding")``; the embedding stage needs the ``llm-embed`` extra and
        raises :class:`~drillhall.errors.DependencyMissing` without it."""
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
            if calibration.embedding_head is None:
                raise InputError(f"{root / 'detector.json'}: has no trained embedding head")
            embedding = EmbeddingStage(calibration.embedding_head, threads=threads)
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
            return self._result((p + q) / 2.0, "embedding", cal.cascade_threshold, start)
        return self._result(q, "embedding", cal.embedding_threshold, start)
