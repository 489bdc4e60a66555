"""The FORMATS table: complete, distinct, and free of heavy or executing imports."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile

from drillhall.ml.artifacts.base import AnalyzeContext
from drillhall.ml.artifacts.formats import FORMATS

EXPECTED = {"gguf", "safetensors", "keras-h5", "keras-v3", "tf-savedmodel", "onnx"}


def test_every_format_is_listed_once_with_a_way_to_recognise_it() -> None:
    names = [spec.name for spec in FORMATS]
    assert sorted(names) == sorted(EXPECTED)
    for spec in FORMATS:
        assert spec.sniff or spec.sniff_zip or spec.sniff_dir, spec.name
        assert callable(spec.analyze)


def test_importing_the_formats_loads_no_ml_framework() -> None:
    code = ("import sys, drillhall.ml.artifacts.formats as f; "
            "heavy = {'tensorflow', 'keras', 'torch', 'onnx', 'h5py', 'gguf', 'safetensors'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_no_byte_sniffer_claims_plain_files() -> None:
    samples = [b"", b"hello world\n", b"\x80\x04\x95" + bytes(30), b"PK\x03\x04" + bytes(40),
               b'{"config": 1}', bytes(4096), b"\x08\x01"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("data.pkl", b"\x80\x04.")
    samples.append(buffer.getvalue())
    for spec in FORMATS:
        if spec.sniff is not None:
            assert not any(spec.sniff(sample) for sample in samples), spec.name


def test_garbage_claimed_by_a_format_never_comes_back_clean() -> None:
    """Fail closed: the magic alone followed by junk yields at least one issue."""
    heads = {"gguf": b"GGUF\x03\0\0\0", "safetensors": b"\x40\0\0\0\0\0\0\0{\"",
             "keras-h5": b"\x89HDF\r\n\x1a\n", "keras-v3": b"PK\x03\x04",
             "tf-savedmodel": b"\x08\x01\x12\x7f\x0a", "onnx": b"\x08\x09\x3a\x7f"}
    for spec in FORMATS:
        data = heads[spec.name] + b"\xff\x01junk" * 7
        issues = spec.analyze(io.BytesIO(data), len(data), AnalyzeContext(display="junk"))
        assert issues, spec.name
