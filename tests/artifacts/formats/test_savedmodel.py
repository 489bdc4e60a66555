"""TensorFlow SavedModel: dangerous ops found with the project's own protobuf reader."""

from __future__ import annotations

import json
import time
from pathlib import Path

from drillhall.core.model import Severity
from drillhall.ml.artifacts.formats import onnx_model, tf_savedmodel

from . import _proto as pb
from ._util import rules, run

DANGEROUS = "DH-MODEL-TF-DANGEROUS-OP"
MALFORMED = "DH-MODEL-MALFORMED"


def benign() -> bytes:
    nodes = [
        pb.node("x", "Placeholder"), pb.node("w", "Const"),
        pb.node("mm", "MatMul", "x", "w"), pb.node("out", "Add", "mm", "w"),
        pb.node("save/Const", "Const"), pb.node("save/SaveV2", "SaveV2", "save/Const"),
        pb.node("save/RestoreV2", "RestoreV2", "save/Const"),
        pb.node("show", "PrintV2", "out", attrs=pb.attr_string("output_stream", "stderr")),
    ]
    saver = pb.function("__inference__traced_save_123",
                        pb.node("ShardedFilename", "ShardedFilename"),
                        pb.node("SaveV2", "SaveV2"),
                        pb.node("MergeV2Checkpoints", "MergeV2Checkpoints"))
    restore = pb.function("__inference__traced_restore_124", pb.node("RestoreV2", "RestoreV2"))
    serve = pb.function("__inference_serve_55", pb.node("relu", "Relu"))
    return pb.saved_model(pb.graph(nodes, (saver, restore, serve)))


def malicious() -> bytes:
    nodes = [
        pb.node("path", "Const"), pb.node("steal", "ReadFile", "path"),
        pb.node("drop", "WriteFile", "path", "steal"),
        pb.node("dump", "PrintV2", "steal",
                attrs=pb.attr_string("output_stream", "file:///tmp/loot")),
        pb.node("ckpt", "SaveV2", "path"),
    ]
    callback = pb.function("__inference_call_7", pb.node("cb", "PyFunc"),
                           pb.node("ls", "MatchingFiles"))
    return pb.saved_model(pb.graph(nodes, (callback,)))


def test_sniffs() -> None:
    assert tf_savedmodel.sniff(benign()[:65536])
    assert not onnx_model.sniff(benign()[:65536])
    assert not tf_savedmodel.sniff(b"\x08\x07\x12\x04test")
    assert not tf_savedmodel.sniff(b"GGUF\x03\0\0\0")


def test_sniff_dir(tmp_path: Path) -> None:
    assert not tf_savedmodel.sniff_dir(tmp_path)
    (tmp_path / "saved_model.pb").write_bytes(benign())
    assert tf_savedmodel.sniff_dir(tmp_path)


def test_benign_graph_with_saver_has_no_issue() -> None:
    assert run(tf_savedmodel.analyze, benign()) == []


def test_dangerous_ops_are_reported_with_node_names() -> None:
    issues = run(tf_savedmodel.analyze, malicious())
    assert rules(issues) == {DANGEROUS}
    found = {issue.where: issue for issue in issues}
    assert set(found) == {
        "node 'steal'", "node 'drop'", "node 'dump'", "node 'ckpt'",
        "function '__inference_call_7' node 'cb'", "function '__inference_call_7' node 'ls'"}
    assert found["node 'steal'"].severity is Severity.HIGH
    assert "ReadFile" in found["node 'steal'"].message
    assert found["function '__inference_call_7' node 'cb'"].severity is Severity.HIGH
    assert found["function '__inference_call_7' node 'ls'"].severity is Severity.MEDIUM


def test_text_savedmodel() -> None:
    text = b"""saved_model_schema_version: 1
meta_graphs {
  graph_def {
    node { name: "x" op: "Placeholder" }
    node { name: "steal" op: "ReadFile" input: "x" }
    library {
      function {
        signature { name: "__inference__traced_save_9" }
        node_def { name: "SaveV2" op: "SaveV2" }
      }
    }
  }
}
"""
    [issue] = run(tf_savedmodel.analyze, text)
    assert issue.where == "node 'steal'" and issue.severity is Severity.HIGH


def test_keras_metadata_beside_is_checked(tmp_path: Path) -> None:
    layer = {"class_name": "Lambda", "name": "lam", "config": {
        "name": "lam", "function": ["YWJj", None, None], "function_type": "lambda"}}
    saved_object = pb.field_varint(2, 1) + pb.field_bytes(3, "root.layer-1") + \
        pb.field_bytes(4, "_tf_keras_layer") + pb.field_bytes(5, json.dumps(layer))
    (tmp_path / "keras_metadata.pb").write_bytes(pb.field_bytes(1, saved_object))
    issues = run(tf_savedmodel.analyze, benign(), path=tmp_path / "saved_model.pb")
    assert rules(issues) == {"DH-MODEL-KERAS-LAMBDA"}


def test_truncated_and_garbage_fail_closed() -> None:
    data = malicious()
    for broken in (data[:-3], data[:40], b"", b"\x08\x01\x12\xff\xff\xff\xff\x0f\x0a"):
        assert rules(run(tf_savedmodel.analyze, broken)) == {MALFORMED}, broken


def test_huge_graph_is_bounded() -> None:
    nodes = [pb.node(f"n{i}", "ReadFile") for i in range(20_000)]
    started = time.perf_counter()
    issues = run(tf_savedmodel.analyze, pb.saved_model(pb.graph(nodes)))
    assert time.perf_counter() - started < 5
    assert len(issues) == 101 and "19900 more" in issues[-1].message
