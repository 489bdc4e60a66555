"""ONNX: custom domains and external-data paths, read without the onnx package."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.formats import onnx_model, safetensors_file, tf_savedmodel

from . import _proto as pb
from ._util import only, rules, run

onnx = pytest.importorskip("onnx")
helper = onnx.helper
TensorProto = onnx.TensorProto

CUSTOM = "DH-MODEL-ONNX-CUSTOM-DOMAIN"
ESCAPE = "DH-MODEL-ONNX-EXTERNAL-DATA-ESCAPE"
MALFORMED = "DH-MODEL-MALFORMED"


def external(name: str, location: str) -> object:
    tensor = helper.make_tensor(name, TensorProto.FLOAT, [2], [0.0, 0.0])
    tensor.ClearField("float_data")
    tensor.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", "8")):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    return tensor


def build(nodes: list[object] | None = None, initializers: list[object] = (),  # type: ignore[assignment]
          opsets: list[object] | None = None, functions: list[object] = ()) -> bytes:  # type: ignore[assignment]
    graph = helper.make_graph(
        nodes or [helper.make_node("Add", ["a", "b"], ["c"], name="add")], "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [2]),
         helper.make_tensor_value_info("b", TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [2])],
        initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=opsets or [helper.make_opsetid("", 17)],
                              producer_name="drillhall-test", functions=list(functions))
    return bytes(model.SerializeToString())


def test_sniff_accepts_onnx_and_rejects_others() -> None:
    data = build()
    assert onnx_model.sniff(data[:65536])
    for other in (b"", b"\x08", b"\x08\x00\x12\x01a", b"{\"a\": 1}", b"\x08\x07" + b"\xff" * 40,
                  json.dumps({"x": 1}).encode()):
        assert not onnx_model.sniff(other)
    assert not safetensors_file.sniff(data[:65536])
    assert not tf_savedmodel.sniff(data[:65536])


def test_sniff_accepts_a_graph_larger_than_the_head() -> None:
    big = helper.make_tensor("w", TensorProto.FLOAT, [40_000], [0.5] * 40_000)
    data = build(initializers=[big])
    assert len(data) > 65536 and onnx_model.sniff(data[:65536])


def test_benign_add_graph_has_no_issue(tmp_path: Path) -> None:
    assert run(onnx_model.analyze, build()) == []
    data = build(initializers=[external("a", "weights/a.bin")],
                 opsets=[helper.make_opsetid("", 17), helper.make_opsetid("ai.onnx.ml", 3)])
    assert run(onnx_model.analyze, data, path=tmp_path / "model.onnx") == []


def test_custom_domain_node_is_medium() -> None:
    nodes = [helper.make_node("Shell", ["a", "b"], ["c"], name="custom", domain="evil.ops"),
             helper.make_node("FusedGelu", ["c"], ["d"], name="ms", domain="com.microsoft")]
    issues = run(onnx_model.analyze, build(nodes, opsets=[
        helper.make_opsetid("", 17), helper.make_opsetid("evil.ops", 1),
        helper.make_opsetid("com.microsoft", 1)]))
    assert rules(issues) == {CUSTOM}
    assert all(i.severity is Severity.MEDIUM for i in issues)
    assert sorted(i.where for i in issues) == ["node 'custom'", "node 'ms'"]
    assert any("Shell" in i.message for i in issues)


def test_declared_custom_opset_without_nodes_is_reported() -> None:
    [issue] = run(onnx_model.analyze, build(opsets=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("x.custom", 1)]))
    assert (issue.rule_id, issue.where) == (CUSTOM, "opset_import")


def test_local_function_domain_is_not_custom() -> None:
    body = [helper.make_node("Add", ["x", "y"], ["z"])]
    function = helper.make_function("local.fns", "MyAdd", ["x", "y"], ["z"], body,
                                    [helper.make_opsetid("", 17)])
    nodes = [helper.make_node("MyAdd", ["a", "b"], ["c"], domain="local.fns")]
    data = build(nodes, opsets=[helper.make_opsetid("", 17), helper.make_opsetid("local.fns", 1)],
                 functions=[function])
    assert run(onnx_model.analyze, data) == []


def test_custom_op_inside_subgraph_is_found() -> None:
    then_graph = helper.make_graph([helper.make_node("Evil", [], ["t"], domain="x.y")], "then",
                                   [], [helper.make_tensor_value_info("t", TensorProto.FLOAT, [2])])
    value = helper.make_tensor("v", TensorProto.FLOAT, [2], [1.0, 2.0])
    else_graph = helper.make_graph([helper.make_node("Constant", [], ["e"], value=value)], "else",
                                   [], [helper.make_tensor_value_info("e", TensorProto.FLOAT, [2])])
    node = helper.make_node("If", ["a"], ["c"], then_branch=then_graph, else_branch=else_graph)
    issues = run(onnx_model.analyze, build([node]))
    assert rules(issues) == {CUSTOM}


@pytest.mark.parametrize("location", ["../../etc/passwd", "/etc/passwd", "..\\..\\boot.ini",
                                      "C:\\Windows\\win.ini", "file:///etc/passwd"])
def test_escaping_external_data_is_high(tmp_path: Path, location: str) -> None:
    issues = run(onnx_model.analyze, build(initializers=[external("a", location)]),
                 path=tmp_path / "model.onnx")
    [issue] = only(issues, ESCAPE)
    assert issue.severity is Severity.HIGH and issue.where == "tensor 'a'"


def test_escape_is_found_inside_attributes_without_a_path() -> None:
    const = helper.make_node("Constant", [], ["k"], value=external("k", "../secret.bin"))
    assert rules(run(onnx_model.analyze, build([const]))) == {ESCAPE}


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_out_of_the_model_directory_is_high(tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    outside = tmp_path / "outside.bin"
    outside.write_bytes(b"\0" * 8)
    (model_dir / "weights.bin").symlink_to(outside)
    issues = run(onnx_model.analyze, build(initializers=[external("a", "weights.bin")]),
                 path=model_dir / "model.onnx")
    assert rules(issues) == {ESCAPE} and "symlink" in issues[0].message


def test_truncated_and_graphless_models_fail_closed() -> None:
    data = build(initializers=[helper.make_tensor("w", TensorProto.FLOAT, [64], [1.0] * 64)])
    assert rules(run(onnx_model.analyze, data[:-10])) == {MALFORMED}
    assert rules(run(onnx_model.analyze, b"\x08\x07\x42\x02\x0a\x00")) == {MALFORMED}
    assert rules(run(onnx_model.analyze, b"\x08\x07")) == {MALFORMED}


def test_external_tensor_without_location_fails_closed() -> None:
    tensor = helper.make_tensor("w", TensorProto.FLOAT, [1], [0.0])
    tensor.data_location = TensorProto.EXTERNAL
    assert rules(run(onnx_model.analyze, build(initializers=[tensor]))) == {MALFORMED}


def test_deeply_nested_subgraphs_fail_closed() -> None:
    """Built by hand: the protobuf library itself refuses to build this deep."""
    graph = pb.field_bytes(1, pb.field_bytes(4, "Identity"))
    for _level in range(40):
        attribute = pb.field_bytes(1, "then_branch") + pb.field_bytes(6, graph)
        graph = pb.field_bytes(1, pb.field_bytes(4, "If") + pb.field_bytes(5, attribute))
    data = pb.field_varint(1, 9) + pb.field_bytes(7, graph) + pb.field_bytes(
        8, pb.field_varint(2, 17))
    assert onnx_model.sniff(data)
    assert rules(run(onnx_model.analyze, data)) == {MALFORMED}
