"""The file / archive / directory scanner and the model drill."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path
from typing import BinaryIO

import joblib  # type: ignore[import-untyped]
import numpy as np
import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Severity, Status
from drillhall.errors import ConfigError, InputError
from drillhall.ml.artifacts.drill import from_config
from drillhall.ml.artifacts.rules import (
    DANGEROUS_IMPORT,
    MALFORMED,
    NUMPY_OBJECT_ARRAY,
    RULES,
    UNSCANNABLE,
)
from drillhall.ml.artifacts.scan import Scanner, ScanReport
from tests.artifacts._corpus import (
    Reducer,
    call0,
    call4,
    glob0,
    os_system_ref,
    tar_of,
    torch_state_pickle,
    torch_zip,
    zip_of,
)

PAYLOAD = call0("os", "system", "echo pwned")


def _scan(root: Path) -> ScanReport:
    return Scanner().scan_path(root)


def _paths(report: ScanReport, severity: Severity = Severity.HIGH) -> set[str]:
    return {loc.path for loc in report.issues if loc.issue.severity.at_least(severity)}


def _npy(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=True)
    return buf.getvalue()


def _npz(**arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]
    return buf.getvalue()


def test_renamed_payloads_are_found_by_content(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(PAYLOAD)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "weights.txt").write_bytes(call4("subprocess", "Popen", "id"))
    (tmp_path / "README.md").write_text("# a model\n")
    (tmp_path / "tickets.csv").write_text("ticket_id,text\n1,hello\n")
    report = _scan(tmp_path)
    assert _paths(report) == {"model.bin", "sub/weights.txt"}
    assert set(report.model_files) == {"model.bin", "sub/weights.txt"}


def test_benign_repository_is_quiet(tmp_path: Path) -> None:
    model = {"w": np.ones((4, 4)), "labels": ["a", "b"]}
    joblib.dump(model, tmp_path / "model.joblib")
    joblib.dump(model, tmp_path / "model-z.joblib", compress=3)
    (tmp_path / "arr.npy").write_bytes(_npy(np.arange(10.0)))
    (tmp_path / "arrs.npz").write_bytes(_npz(a=np.arange(3), b=np.eye(2)))
    (tmp_path / "pytorch_model.bin").write_bytes(torch_zip(torch_state_pickle()))
    (tmp_path / "noise.bin").write_bytes(os.urandom(4096))
    report = _scan(tmp_path)
    assert _paths(report, Severity.MEDIUM) == set(), report.issues
    assert {"model.joblib", "model-z.joblib", "arr.npy", "pytorch_model.bin"} <= set(
        report.model_files)


def test_payload_in_compressed_joblib(tmp_path: Path) -> None:
    joblib.dump({"w": np.ones(3), "p": Reducer(os_system_ref(), "id")}, tmp_path / "m.pkl",
                compress=3)
    assert _paths(_scan(tmp_path)) == {"m.pkl"}


@pytest.mark.parametrize("wrap", ["zip", "tar", "tar.gz", "tar.xz", "gz", "zip-in-zip"])
def test_payload_inside_wrappers(tmp_path: Path, wrap: str) -> None:
    import gzip

    members = {"model/weights.bin": PAYLOAD, "model/config.json": b"{}"}
    data = {
        "zip": lambda: zip_of(members),
        "tar": lambda: tar_of(members),
        "tar.gz": lambda: tar_of(members, "w:gz"),
        "tar.xz": lambda: tar_of(members, "w:xz"),
        "gz": lambda: gzip.compress(PAYLOAD),
        "zip-in-zip": lambda: zip_of({"inner.zip": zip_of(members)}),
    }[wrap]()
    (tmp_path / "bundle.dat").write_bytes(data)
    paths = _paths(_scan(tmp_path))
    assert len(paths) == 1
    (path,) = paths
    assert path.startswith("bundle.dat!/")


def test_member_paths_in_zip(tmp_path: Path) -> None:
    (tmp_path / "model.zip").write_bytes(zip_of({"data.pkl": PAYLOAD}))
    assert _paths(_scan(tmp_path)) == {"model.zip!/data.pkl"}


def test_torch_zip_with_malicious_data_pkl(tmp_path: Path) -> None:
    bad = torch_state_pickle(extra=glob0("os", "system") + b"0")
    (tmp_path / "model.pt").write_bytes(torch_zip(bad))
    report = _scan(tmp_path)
    assert _paths(report) == {"model.pt!/archive/data.pkl"}
    assert report.model_files["model.pt"] == "pytorch"


def test_torch_zip_storages_are_not_sniffed(tmp_path: Path) -> None:
    # raw tensor bytes that start like a pickle must not be read as one
    (tmp_path / "model.pt").write_bytes(torch_zip(torch_state_pickle(),
                                                  storage=b"\x80\x04\xff\x00" * 64))
    assert _scan(tmp_path).issues == []


def test_torch_zip_truncated_data_pkl_fails_closed(tmp_path: Path) -> None:
    (tmp_path / "model.pt").write_bytes(torch_zip(torch_state_pickle()[:-20]))
    issues = _scan(tmp_path).issues
    assert any(loc.issue.rule_id == MALFORMED for loc in issues)


def test_numpy_object_arrays(tmp_path: Path) -> None:
    (tmp_path / "ok.npy").write_bytes(_npy(np.array([1, "a", None], dtype=object)))
    (tmp_path / "bad.npy").write_bytes(_npy(np.array([Reducer(os_system_ref(), "id")],
                                                     dtype=object)))
    (tmp_path / "bad.npz").write_bytes(_npz(x=np.arange(3), y=np.array(
        [Reducer(os_system_ref(), "id")], dtype=object)))
    report = _scan(tmp_path)
    assert _paths(report) == {"bad.npy", "bad.npz!/y.npy"}
    ok = [loc.issue for loc in report.issues if loc.path == "ok.npy"]
    assert [i.rule_id for i in ok] == [NUMPY_OBJECT_ARRAY]
    assert ok[0].severity is Severity.INFO


def test_npy_with_a_bad_header_is_malformed(tmp_path: Path) -> None:
    (tmp_path / "x.npy").write_bytes(b"\x93NUMPY\x01\x00\x10\x00{'descr': __import__}")
    assert any(loc.issue.rule_id == MALFORMED for loc in _scan(tmp_path).issues)


def test_seven_zip_is_unscannable(tmp_path: Path) -> None:
    (tmp_path / "m.7z").write_bytes(b"7z\xbc\xaf\x27\x1c\x00\x04" + b"\x00" * 40)
    issues = _scan(tmp_path).issues
    assert [loc.issue.rule_id for loc in issues] == [UNSCANNABLE]


def test_zip_bomb_and_corrupt_zip_fail_closed(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.pkl", b"\x00" * (80 * 1024 * 1024))
    (tmp_path / "bomb.zip").write_bytes(buf.getvalue())
    (tmp_path / "broken.zip").write_bytes(zip_of({"data.pkl": PAYLOAD})[:-30])
    report = _scan(tmp_path)
    rules = {(loc.path.split("!/")[0], loc.issue.rule_id) for loc in report.issues}
    assert ("bomb.zip", MALFORMED) in rules
    assert ("broken.zip", MALFORMED) in rules


def test_sparse_gigabyte_file_is_scanned_in_bounded_time(tmp_path: Path) -> None:
    # a BINBYTES8 payload spanning 1 GiB of holes, then os.system: skipped by seek
    path = tmp_path / "huge.bin"
    size = 1 << 30
    header = b"\x80\x04\x8e" + size.to_bytes(8, "little")
    with path.open("wb") as fh:
        fh.write(header)
        fh.seek(len(header) + size)
        fh.write(b"0" + PAYLOAD)
    zeros = tmp_path / "zeros.bin"
    with zeros.open("wb") as fh:
        fh.truncate(size)
    started = time.perf_counter()
    report = _scan(tmp_path)
    assert time.perf_counter() - started < 5
    assert _paths(report) == {"huge.bin"}


# -- the drill --------------------------------------------------------------------------------


def test_drill_reports_findings_and_metrics(tmp_path: Path) -> None:
    (tmp_path / "bad.pkl").write_bytes(PAYLOAD)
    (tmp_path / "good.pkl").write_bytes(b"\x80\x04N.")
    (tmp_path / "arch.zip").write_bytes(zip_of({"inner/data.pkl": PAYLOAD}))
    drill = from_config({"paths": ["."]}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert result.status is Status.FAILED
    paths = {f.location.path for f in result.findings}
    assert paths == {"bad.pkl", "arch.zip!/inner/data.pkl"}
    finding = next(f for f in result.findings if f.location.path == "bad.pkl")
    assert finding.rule_id == DANGEROUS_IMPORT
    assert finding.evidence == "os.system"
    assert finding.location.symbol == "byte 0"
    assert "CWE-502" in finding.tags
    assert result.metric("model.files_scanned") == 3
    assert result.metric("model.unsafe_files") == 2
    assert result.metric("model.findings") == 2


def test_drill_passes_on_benign_files(tmp_path: Path) -> None:
    joblib.dump({"w": np.ones(3)}, tmp_path / "m.joblib")
    result = from_config({"paths": ["m.joblib"]}, tmp_path).run(DrillContext(root=tmp_path))
    assert result.status is Status.PASSED
    assert result.findings == ()


def test_drill_preflight_and_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="missing"):
        from_config({"paths": ["missing"]}, tmp_path)
    with pytest.raises(ConfigError, match="unknown key"):
        from_config({"bogus": 1}, tmp_path)


def test_drill_strict_makes_unknown_imports_high(tmp_path: Path) -> None:
    (tmp_path / "m.pkl").write_bytes(call4("acme.models", "Head", "x"))
    lax = from_config({}, tmp_path).run(DrillContext(root=tmp_path))
    strict = from_config({"strict": True}, tmp_path).run(DrillContext(root=tmp_path))
    assert lax.max_severity() is Severity.MEDIUM
    assert strict.max_severity() is Severity.HIGH
    assert strict.metric("model.unsafe_files") == 1


def test_rule_ids_are_unique_and_documented() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith("DH-MODEL-") for i in ids)
    for needed in ("DH-MODEL-KERAS-LAMBDA", "DH-MODEL-KERAS-CUSTOM-OBJECT",
                   "DH-MODEL-TF-DANGEROUS-OP", "DH-MODEL-ONNX-CUSTOM-DOMAIN",
                   "DH-MODEL-ONNX-EXTERNAL-DATA-ESCAPE", "DH-MODEL-SAFETENSORS-INVALID",
                   "DH-MODEL-GGUF-TEMPLATE-INJECTION"):
        assert needed in ids


def test_demo_models(tmp_path: Path) -> None:
    from drillhall.demo.build_model import build

    build(tmp_path)
    report = _scan(tmp_path)
    assert _paths(report) == {"ticket-router-v2.joblib"}
    assert _paths(report, Severity.LOW) == {"ticket-router-v2.joblib"}
    assert all(p.stat().st_size < 200_000 for p in tmp_path.iterdir())


def test_directory_formats_get_the_directory(tmp_path: Path) -> None:
    from drillhall.ml.artifacts.base import AnalyzeContext, FormatSpec, Issue

    seen: list[Path | None] = []

    def analyze(stream: BinaryIO, size: int, ctx: AnalyzeContext) -> list[Issue]:
        seen.append(ctx.path)
        return [Issue("DH-MODEL-TF-DANGEROUS-OP", Severity.HIGH, "ReadFile op", "graph")]

    spec = FormatSpec("dirfmt", analyze, sniff_dir=lambda p: (p / "marker.pb").is_file())
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "marker.pb").write_bytes(b"\x08\x01")
    report = Scanner(formats=[spec]).scan_path(tmp_path)
    assert seen == [tmp_path / "export"]
    assert [(loc.path, loc.issue.rule_id) for loc in report.issues] == [
        ("export", "DH-MODEL-TF-DANGEROUS-OP")]
