"""The format analyzers reached through the scanner's content detection, end to end."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.scan import Scanner

from .test_savedmodel import benign as benign_savedmodel
from .test_savedmodel import malicious as malicious_savedmodel

h5py = pytest.importorskip("h5py")
gguf = pytest.importorskip("gguf")
onnx = pytest.importorskip("onnx")


def _write_fixtures(root: Path) -> None:
    lam = {"class_name": "Lambda", "config": {"name": "l", "function": ["YWJj", None, None],
                                              "function_type": "lambda"}}
    with h5py.File(root / "evil_weights.bin", "w") as handle:   # name says nothing
        handle.attrs["model_config"] = json.dumps({"class_name": "Sequential",
                                                   "config": {"layers": [lam]}})
    with h5py.File(root / "good.h5", "w") as handle:
        handle.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {
            "layers": [{"class_name": "Dense", "config": {"units": 1}}]}})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("config.json", json.dumps({"module": "keras", "class_name": "Sequential",
                                               "config": {"layers": [lam]}}))
        zf.writestr("metadata.json", "{}")
        zf.writestr("assets/x.pkl", b"\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x02os"
                    b"\x94\x8c\x06system\x94\x93\x94.")
    (root / "model.keras").write_bytes(buffer.getvalue())
    (root / "sm").mkdir()
    (root / "sm" / "saved_model.pb").write_bytes(malicious_savedmodel())
    (root / "ok_sm").mkdir()
    (root / "ok_sm" / "saved_model.pb").write_bytes(benign_savedmodel())
    (root / "txt_sm").mkdir()
    (root / "txt_sm" / "saved_model.pbtxt").write_text(
        'saved_model_schema_version: 1\nmeta_graphs { graph_def { node { name: "r" '
        'op: "ReadFile" } } }\n')
    helper = onnx.helper
    tensor = helper.make_tensor("a", onnx.TensorProto.FLOAT, [1], [0.0])
    tensor.data_location = onnx.TensorProto.EXTERNAL
    entry = tensor.external_data.add()
    entry.key, entry.value = "location", "../../etc/passwd"
    graph = helper.make_graph([helper.make_node("Add", ["a", "a"], ["c"])], "g", [], [],
                              initializer=[tensor])
    (root / "m.onnx").write_bytes(helper.make_model(graph).SerializeToString())
    header = json.dumps({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 8]}}).encode()
    (root / "bad.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + bytes(8))
    writer = gguf.GGUFWriter(root / "m.gguf", "llama")
    writer.add_chat_template("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    (root / "notes.txt").write_text("nothing to see")


def test_scanner_dispatches_every_format(tmp_path: Path) -> None:
    _write_fixtures(tmp_path)
    report = Scanner().scan_path(tmp_path)
    found = {(loc.path.split("!/")[0], loc.issue.rule_id) for loc in report.issues
             if loc.issue.severity.at_least(Severity.HIGH)}
    expected = {
        ("evil_weights.bin", "DH-MODEL-KERAS-LAMBDA"),
        ("model.keras", "DH-MODEL-KERAS-LAMBDA"),
        ("sm/saved_model.pb", "DH-MODEL-TF-DANGEROUS-OP"),
        ("txt_sm", "DH-MODEL-TF-DANGEROUS-OP"),
        ("m.onnx", "DH-MODEL-ONNX-EXTERNAL-DATA-ESCAPE"),
        ("bad.safetensors", "DH-MODEL-SAFETENSORS-INVALID"),
        ("m.gguf", "DH-MODEL-GGUF-TEMPLATE-INJECTION"),
    }
    assert expected <= found, found
    assert any(p == "model.keras" and r.startswith("DH-MODEL-PICKLE") for p, r in found)
    unsafe = report.unsafe_files()
    assert not unsafe & {"good.h5", "ok_sm/saved_model.pb", "notes.txt"}


@pytest.mark.parametrize("header_len", [0x9C78, 0x0178, 0x5E78, 0xDA78, 0x2E0380])
def test_safetensors_header_lengths_that_look_like_zlib_or_pickle(tmp_path: Path,
                                                                   header_len: int) -> None:
    """A safetensors header length whose bytes read like a zlib or pickle signature still
    reaches the safetensors analyzer: an invalid file is reported as such, not skipped."""
    import struct

    from drillhall.ml.artifacts.scan import Scanner

    body = b'{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}'
    target = tmp_path / "weights.bin"
    target.write_bytes(struct.pack("<Q", header_len) + body.ljust(64, b" "))
    report = Scanner().scan_path(target)
    rules = {loc.issue.rule_id for loc in report.issues}
    assert rules & {"DH-MODEL-SAFETENSORS-INVALID", "DH-MODEL-MALFORMED"}, rules
    assert "DH-MODEL-PICKLE-DANGEROUS-IMPORT" not in rules
