"""GGUF: bounded metadata walk and chat-template injection."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

from drillhall.core.model import Severity
from drillhall.ml.artifacts.formats import gguf_file

from ._util import rules, run, run_file

gguf = pytest.importorskip("gguf")
np = pytest.importorskip("numpy")

INJECTION = "DH-MODEL-GGUF-TEMPLATE-INJECTION"
MALFORMED = "DH-MODEL-MALFORMED"

BENIGN_TEMPLATE = (
    "{%- set ns = namespace(found=false) -%}{{ bos_token }}"
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'system' -%}{%- set ns.found = true -%}{%- endif -%}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] | trim }}<|im_end|>\n"
    "{%- endfor -%}{%- if add_generation_prompt %}<|im_start|>assistant\n{% endif -%}"
)
PAYLOAD = ("{{ ''.__class__.__mro__[1].__subclasses__()[140].__init__.__globals__"
           "['popen']('id').read() }}" + BENIGN_TEMPLATE)


def write(path: Path, template: str | None = BENIGN_TEMPLATE,
          endian: object = None, extra: dict[str, str] | None = None) -> Path:
    kwargs = {"endianess": endian} if endian is not None else {}
    writer = gguf.GGUFWriter(path, "llama", **kwargs)
    writer.add_name("tiny")
    writer.add_context_length(128)
    if template is not None:
        writer.add_chat_template(template)
    for key, value in (extra or {}).items():
        writer.add_string(key, value)
    writer.add_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(300)])
    writer.add_array("tokenizer.ggml.scores", [0.5] * 300)
    writer.add_tensor("w", np.zeros((4, 4), dtype=np.float32))
    writer.add_tensor("b", np.ones((4,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def test_sniff() -> None:
    assert gguf_file.sniff(b"GGUF\x03\0\0\0")
    assert not gguf_file.sniff(b"GGML")


def test_benign_model_has_no_issue(tmp_path: Path) -> None:
    assert run_file(gguf_file.analyze, write(tmp_path / "m.gguf")) == []
    assert run_file(gguf_file.analyze, write(tmp_path / "n.gguf", template=None)) == []


def test_big_endian_file_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path / "be.gguf", PAYLOAD, endian=gguf.GGUFEndian.BIG)
    assert rules(run_file(gguf_file.analyze, path)) == {INJECTION}


def test_ssti_payload_is_high(tmp_path: Path) -> None:
    [issue] = run_file(gguf_file.analyze, write(tmp_path / "m.gguf", PAYLOAD))
    assert (issue.rule_id, issue.severity) == (INJECTION, Severity.HIGH)
    assert issue.where == "metadata 'tokenizer.chat_template'"
    assert "dunder attribute" in issue.message and "popen" in issue.message


def test_named_template_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path / "m.gguf", extra={
        "tokenizer.chat_template.tool_use": "{{ lipsum.__globals__.os.popen('id').read() }}"})
    [issue] = run_file(gguf_file.analyze, path)
    assert issue.where == "metadata 'tokenizer.chat_template.tool_use'"


def test_suspicious_template_is_medium(tmp_path: Path) -> None:
    template = "{{ message | attr(name) }}" + BENIGN_TEMPLATE
    [issue] = run_file(gguf_file.analyze, write(tmp_path / "m.gguf", template))
    assert (issue.rule_id, issue.severity) == (INJECTION, Severity.MEDIUM)


def test_truncated_file_fails_closed(tmp_path: Path) -> None:
    data = write(tmp_path / "m.gguf", PAYLOAD).read_bytes()
    for cut in (6, 20, 60, len(data) // 2, len(data) - 100):
        issues = run(gguf_file.analyze, data[:cut])
        assert rules(issues) == {MALFORMED}, cut


def header(version: int, tensors: int, kvs: int) -> bytes:
    return b"GGUF" + struct.pack("<IQQ", version, tensors, kvs)


def kv_string(key: str, value: bytes, length: int | None = None) -> bytes:
    return (struct.pack("<Q", len(key)) + key.encode() + struct.pack("<I", 8)
            + struct.pack("<Q", len(value) if length is None else length) + value)


@pytest.mark.parametrize("data", [
    header(3, 0, 2**60),
    header(3, 2**40, 0),
    header(9, 0, 0),
    header(3, 0, 1) + kv_string("general.name", b"x", length=2**62),
    header(3, 0, 1) + struct.pack("<Q", 2**40) + b"k",
    header(3, 0, 1) + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 77) + bytes(16),
    header(3, 0, 1) + struct.pack("<Q", 1) + b"k" + struct.pack("<IIQ", 9, 4, 2**61),
    header(3, 1, 0) + struct.pack("<Q", 1) + b"w" + struct.pack("<I", 99) + bytes(40),
])
def test_absurd_counts_fail_closed_quickly(data: bytes) -> None:
    started = time.perf_counter()
    issues = run(gguf_file.analyze, data + bytes(64))
    assert time.perf_counter() - started < 1
    assert rules(issues) == {MALFORMED}


def test_hand_built_v1_file(tmp_path: Path) -> None:
    """GGUF v1 uses 32-bit counts and string lengths."""
    template = b"{{ cycler.__init__.__globals__.os.popen('id').read() }}"
    key = b"tokenizer.chat_template"
    body = (b"GGUF" + struct.pack("<III", 1, 0, 1) + struct.pack("<I", len(key)) + key
            + struct.pack("<II", 8, len(template)) + template)
    [issue] = run(gguf_file.analyze, body + bytes(32 - len(body) % 32))
    assert (issue.rule_id, issue.severity) == (INJECTION, Severity.HIGH)
