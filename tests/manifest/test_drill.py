from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import Confidence, DrillResult, Severity, Status
from drillhall.errors import ConfigError, InputError
from drillhall.ml.manifest import manifest as manifest_mod
from drillhall.ml.manifest.drill import ManifestDrill, ManifestOptions, from_config
from drillhall.ml.manifest.rules import RULES
from tests.manifest.helpers import Signed, keypair, signed_tree


def _run(s: Signed, root: Path | None = None, **options: object) -> DrillResult:
    base = root or s.root.parent
    opts: dict[str, object] = {"path": "bundle", "public_key": str(s.public), **options}
    return from_config(opts, base).run(DrillContext(root=base))


def _metrics(result: DrillResult) -> dict[str, float]:
    return {m.name: m.value for m in result.metrics}


def test_clean_directory_passes(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    result = _run(s)
    assert result.status is Status.PASSED and result.findings == ()
    assert _metrics(result) == {"manifest.files": 4, "manifest.changed": 0,
                                "manifest.added": 0, "manifest.removed": 0,
                                "manifest.signature_valid": 1}


def test_tampered_copy_reports_each_difference(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    copy = tmp_path / "elsewhere" / "bundle"
    shutil.copytree(s.root, copy)
    (copy / "data" / "train.csv").write_text("text,label\nprinter broken,billing\n")
    (copy / "models" / "planted.pkl").write_bytes(b"\x80\x04N.")
    (copy / "data" / "notes.txt").unlink()
    result = _run(s, root=copy.parent)
    assert result.status is Status.FAILED
    by_rule = {f.rule_id: f for f in result.findings}
    assert set(by_rule) == {"DH-MANIFEST-FILE-CHANGED", "DH-MANIFEST-FILE-ADDED",
                            "DH-MANIFEST-FILE-REMOVED"}
    changed = by_rule["DH-MANIFEST-FILE-CHANGED"]
    assert changed.location.path == "data/train.csv" and changed.severity is Severity.HIGH
    assert "→" in changed.evidence and "size 35 → 34 bytes" in changed.evidence
    old12, new12 = changed.evidence.split(",")[0].removeprefix("sha256 ").split(" → ")
    assert len(old12) == 12 and len(new12) == 12 and old12 != new12
    assert by_rule["DH-MANIFEST-FILE-ADDED"].severity is Severity.MEDIUM
    assert by_rule["DH-MANIFEST-FILE-REMOVED"].location.path == "data/notes.txt"
    assert _metrics(result) == {"manifest.files": 4, "manifest.changed": 1,
                                "manifest.added": 1, "manifest.removed": 1,
                                "manifest.signature_valid": 1}


def test_wrong_key_and_bad_signature_are_critical(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    _, other = keypair(tmp_path / "other")
    result = _run(s, public_key=str(other))
    assert [f.rule_id for f in result.findings] == ["DH-MANIFEST-WRONG-KEY"]
    assert result.findings[0].severity is Severity.CRITICAL
    assert result.findings[0].location.path == "drillhall-manifest.json"
    assert _metrics(result)["manifest.signature_valid"] == 0

    doc = json.loads(s.manifest.read_text())
    doc["manifest"]["files"][0]["size"] += 1
    s.manifest.write_text(json.dumps(doc))
    result = _run(s)
    rules = [f.rule_id for f in result.findings]
    assert rules == ["DH-MANIFEST-BAD-SIGNATURE", "DH-MANIFEST-FILE-CHANGED"]
    untrusted = result.findings[1]
    assert "manifest:untrusted" in untrusted.tags and untrusted.confidence is Confidence.MEDIUM
    assert "not trusted" in untrusted.evidence


def test_unreadable_manifest_is_a_bad_signature_finding(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    s.manifest.write_text("{ not json")
    result = _run(s)
    (finding,) = result.findings
    assert finding.rule_id == "DH-MANIFEST-BAD-SIGNATURE"
    assert "not valid JSON (line 1" in finding.evidence


def test_missing_manifest(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    s.manifest.unlink()
    result = _run(s)
    assert result.status is Status.FAILED
    assert [f.rule_id for f in result.findings] == ["DH-MANIFEST-MISSING"]
    assert result.findings[0].severity is Severity.HIGH
    assert _metrics(result)["manifest.files"] == 0


def test_unreadable_file_is_reported_as_changed(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    s = signed_tree(tmp_path)
    real = manifest_mod.hash_file

    def flaky(path: Path) -> tuple[str, int]:
        if path.name == "train.csv":
            raise InputError(f"{path}: cannot be read (Permission denied)")
        return real(path)

    monkeypatch.setattr(manifest_mod, "hash_file", flaky)
    result = _run(s)
    (finding,) = result.findings
    assert finding.rule_id == "DH-MANIFEST-FILE-CHANGED"
    assert "cannot be read to check it" in finding.evidence


def test_manifest_option_and_exclude(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    moved = s.root / "meta" / "signed.json"
    moved.parent.mkdir()
    s.manifest.rename(moved)
    (s.root / "data" / "scratch.tmp").write_text("x")
    result = _run(s, manifest="meta/signed.json", exclude=["*.tmp"])
    assert result.status is Status.PASSED, result.findings


def test_preflight_and_options(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    with pytest.raises(ConfigError, match=r"\[drills.manifest\] missing required key "
                                          r"'public_key'"):
        from_config({"path": "bundle"}, tmp_path)
    with pytest.raises(ConfigError, match="unknown key 'colour'"):
        from_config({"public_key": str(s.public), "colour": 1}, tmp_path)
    with pytest.raises(InputError, match="nope: no such directory"):
        from_config({"path": "nope", "public_key": str(s.public)}, tmp_path)
    with pytest.raises(InputError, match=r"absent\.pub: no such public key file"):
        from_config({"path": "bundle", "public_key": "absent.pub"}, tmp_path)
    with pytest.raises(ConfigError, match="not a PEM public key"):
        from_config({"path": "bundle", "public_key": str(s.private)}, tmp_path)


def test_dry_run_reads_but_does_not_verify(tmp_path: Path) -> None:
    s = signed_tree(tmp_path)
    drill = ManifestDrill(ManifestOptions(path="bundle", public_key=str(s.public)), tmp_path)
    result = drill.run(DrillContext(root=tmp_path, dry_run=True))
    assert result.status is Status.SKIPPED and result.reason == "dry run"
    assert any("4 entries" in e.detail for e in result.journal)


def test_rules_are_documented_and_unique() -> None:
    ids = [r.rule_id for r in RULES]
    assert len(ids) == len(set(ids)) == 6
    assert all(i.startswith("DH-MANIFEST-") for i in ids)
    severities = {r.rule_id: r.severity for r in RULES}
    assert severities["DH-MANIFEST-BAD-SIGNATURE"] is Severity.CRITICAL
    assert severities["DH-MANIFEST-WRONG-KEY"] is Severity.CRITICAL
    assert severities["DH-MANIFEST-FILE-ADDED"] is Severity.MEDIUM
