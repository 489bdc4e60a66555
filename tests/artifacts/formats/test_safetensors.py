"""safetensors: header validation; benign files are clean, every inconsistency is reported."""

from __future__ import annotations

import json
import struct

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import ArtifactLimits
from drillhall.ml.artifacts.formats import gguf_file, safetensors_file

from ._util import rules, run

INVALID = "DH-MODEL-SAFETENSORS-INVALID"
MALFORMED = "DH-MODEL-MALFORMED"


def build(header: dict[str, object], data: bytes, raw_header: bytes | None = None,
          pad: bool = True) -> bytes:
    text = raw_header if raw_header is not None else json.dumps(header).encode()
    if pad and raw_header is None:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def valid_header() -> dict[str, object]:
    return {
        "__metadata__": {"format": "pt", "source": "unit test"},
        "weight": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
        "bias": {"dtype": "BF16", "shape": [2], "data_offsets": [16, 20]},
        "empty": {"dtype": "I64", "shape": [0, 3], "data_offsets": [20, 20]},
    }


VALID = build(valid_header(), bytes(20))


def test_sniff() -> None:
    assert safetensors_file.sniff(VALID)
    assert not safetensors_file.sniff(b"GGUF" + bytes(20))
    assert not safetensors_file.sniff(struct.pack("<Q", 10) + b"[1,2,3]   ")
    assert not gguf_file.sniff(VALID)


def test_valid_file_has_no_issue() -> None:
    assert run(safetensors_file.analyze, VALID) == []
    assert run(safetensors_file.analyze, build({}, b"")) == []


def tensor(name: str, **changes: object) -> dict[str, object]:
    header = valid_header()
    entry = dict(header[name])  # type: ignore[call-overload]
    entry.update(changes)
    header[name] = entry
    return header


@pytest.mark.parametrize(("header", "data", "fragment"), [
    (tensor("bias", data_offsets=[12, 20]), bytes(20), "overlaps"),
    (tensor("bias", data_offsets=[16, 64]), bytes(20), "outside"),
    (tensor("bias", data_offsets=[18, 20], shape=[1]), bytes(20), "belong to no tensor"),
    (valid_header(), bytes(20) + b"#!/bin/sh payload", "hidden trailing data"),
    (tensor("weight", dtype="F128"), bytes(20), "unknown dtype"),
    (tensor("weight", shape=[2, -2]), bytes(20), "non-negative"),
    (tensor("weight", shape=[3, 3]), bytes(20), "expected 36"),
    (tensor("weight", data_offsets=[0]), bytes(20), "is not [begin, end]"),
    (tensor("weight", data_offsets=[16, 0]), bytes(20), "outside"),
    (tensor("weight", code="x"), bytes(20), "unexpected keys"),
    ({**valid_header(), "__metadata__": {"n": 3}}, bytes(20), "non-string"),
    ({**valid_header(), "__metadata__": ["x"]}, bytes(20), "not a JSON object"),
])
def test_invalid_headers(header: dict[str, object], data: bytes, fragment: str) -> None:
    issues = run(safetensors_file.analyze, build(header, data))
    assert issues and rules(issues) == {INVALID}
    assert all(issue.severity is Severity.HIGH for issue in issues)
    assert any(fragment in issue.message for issue in issues), [i.message for i in issues]


def test_absurd_header_length() -> None:
    data = struct.pack("<Q", 2**62) + b"{}"
    [issue] = run(safetensors_file.analyze, data)
    assert issue.rule_id == INVALID and "header length" in issue.message
    limited = run(safetensors_file.analyze, VALID, limits=ArtifactLimits(max_metadata_bytes=16))
    assert rules(limited) == {INVALID}


@pytest.mark.parametrize("data", [
    b"", b"\x05\0\0", build({}, b"", raw_header=b"{not json"),
    build({}, b"", raw_header=b"[1, 2]"), build({}, b"", raw_header=b'{"a": "\xff\xfe"}'),
    VALID[:30],
])
def test_unparseable_input_fails_closed(data: bytes) -> None:
    issues = run(safetensors_file.analyze, data)
    assert issues and rules(issues) <= {MALFORMED, INVALID}
    assert all(issue.severity is Severity.HIGH for issue in issues)


def test_issue_count_is_bounded() -> None:
    header: dict[str, object] = {f"t{i}": {"dtype": "NOPE", "shape": [1], "data_offsets": [0, 1]}
              for i in range(500)}
    issues = run(safetensors_file.analyze, build(header, b"\0"))
    assert len(issues) == 51 and "more problems" in issues[-1].message


def test_duplicate_tensor_names_are_invalid() -> None:
    raw = (b'{"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}, '
           b'"a": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}')
    [issue] = run(safetensors_file.analyze, build({}, b"\0", raw_header=raw))
    assert issue.rule_id == INVALID and "twice" in issue.message
