"""`drillhall patch audit` end to end, offline: a project, an OSV snapshot, a Dockerfile."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from drillhall.core.drill import DrillContext
from drillhall.patch import drill as patch_drill


def _record(osv_id: str, aliases: list[str], package: str, introduced: str, fixed: str,
            vector: str | None = None) -> dict[str, object]:
    rec: dict[str, object] = {
        "id": osv_id, "modified": "2024-01-01T00:00:00Z", "published": "2021-06-01T00:00:00Z",
        "aliases": aliases, "summary": f"{package} flaw",
        "affected": [{"package": {"ecosystem": "PyPI", "name": package},
                      "ranges": [{"type": "ECOSYSTEM",
                                  "events": [{"introduced": introduced}, {"fixed": fixed}]}]}],
    }
    if vector:
        rec["severity"] = [{"type": "CVSS_V3", "score": vector}]
    return rec


def project(tmp_path: Path) -> tuple[Path, Path]:
    app = tmp_path / "app"
    app.mkdir()
    (app / "requirements.txt").write_text(
        "# service deps\nrequests==2.25.0\nflask>=2\nurllib3==1.26.18\n")
    (app / "Dockerfile").write_text("FROM python:3.8-slim\nRUN pip install -r requirements.txt\n")
    snap = tmp_path / "osv"
    snap.mkdir()
    high = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"
    # two records of one flaw (GHSA and PYSEC twins) and one that does not affect the pin
    (snap / "GHSA-aaaa.json").write_text(json.dumps(
        _record("GHSA-aaaa-bbbb-cccc", ["CVE-2023-0001"], "requests", "2.3.0", "2.31.0", high)))
    (snap / "PYSEC-1.json").write_text(json.dumps(
        _record("PYSEC-2023-1", ["CVE-2023-0001"], "requests", "2.3.0", "2.31.0")))
    (snap / "GHSA-old.json").write_text(json.dumps(
        _record("GHSA-dddd-eeee-ffff", [], "urllib3", "0", "1.26.5")))
    return app, snap


def test_audit_offline_findings_and_metrics(tmp_path: Path) -> None:
    _app, snap = project(tmp_path)
    drill = patch_drill.from_config({"paths": ["app"], "advisories": str(snap),
                                     "offline": True}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    vulns = [f for f in result.findings if f.rule_id == "DH-PATCH-VULNERABLE"]
    assert len(vulns) == 1  # twins merged, the patched urllib3 not reported
    (v,) = vulns
    assert v.location.path == "requirements.txt" and v.location.line == 2
    assert v.location.symbol == "requests==2.25.0"
    assert {"GHSA-aaaa-bbbb-cccc", "PYSEC-2023-1", "CVE-2023-0001"} <= set(v.tags)
    assert "fixed in 2.31.0" in v.evidence and v.severity.value == "high"
    eol = [f for f in result.findings if f.rule_id == "DH-PATCH-EOL-RUNTIME"]
    assert [f.location.path for f in eol] == ["Dockerfile"]
    assert result.metric("patch.vulnerable") == 1
    assert (result.metric("patch.oldest_unpatched_days") or 0) > 365


def test_cli_offline_json(tmp_path: Path) -> None:
    app, snap = project(tmp_path)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DRILLHALL_DATABASE_URL", None)
    r = subprocess.run([sys.executable, "-m", "drillhall", "patch", "audit", str(app),
                        "--advisories", str(snap), "--offline", "-f", "json", "--no-store"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 1, r.stderr
    findings = json.loads(r.stdout)["results"][0]["findings"]
    assert {f["rule_id"] for f in findings} >= {"DH-PATCH-VULNERABLE", "DH-PATCH-EOL-RUNTIME"}
    bad = tmp_path / "broken"
    bad.mkdir()
    (bad / "pyproject.toml").write_text("[project\nname = 'x'\n")
    r = subprocess.run([sys.executable, "-m", "drillhall", "patch", "audit", str(bad),
                        "--advisories", str(snap), "--offline", "--no-store"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                       check=False)
    assert r.returncode == 2 and "pyproject.toml" in r.stderr and "Traceback" not in r.stderr


def test_audit_freshness_from_a_local_index(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from drillhall.testing.pypi import FakeIndex, FakeIndexServer, FakePackage, FakeRelease

    _app, snap = project(tmp_path)
    index = FakeIndex([
        FakePackage("requests", [FakeRelease("2.25.0", datetime(2020, 11, 11, tzinfo=UTC)),
                                 FakeRelease("2.31.0", datetime(2023, 5, 22, tzinfo=UTC))]),
        FakePackage("urllib3", [FakeRelease("1.26.18", datetime(2023, 10, 17, tzinfo=UTC))]),
    ])
    with FakeIndexServer(index) as server:
        drill = patch_drill.from_config(
            {"paths": ["app"], "advisories": str(snap), "index_url": server.simple_url,
             "cache_dir": str(tmp_path / "cache")}, tmp_path)
        result = drill.run(DrillContext(root=tmp_path))
    assert result.metric("patch.outdated") == 1
    assert 2.4 < (result.metric("patch.libyears") or 0) < 2.6


def test_python_version_markers_and_empty_projects(tmp_path: Path) -> None:
    import pytest

    from drillhall.errors import InputError

    app, snap = project(tmp_path)
    (app / "requirements.txt").write_text(
        'requests==2.25.0; python_version < "3.0"\nurllib3==1.26.18\n')
    drill = patch_drill.from_config({"paths": ["app"], "advisories": str(snap),
                                     "offline": True, "python": "3.11"}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    assert not [f for f in result.findings if f.rule_id == "DH-PATCH-VULNERABLE"]
    assert any("markers exclude Python 3.11" in e.detail for e in result.journal)
    nothing = tmp_path / "nothing"
    nothing.mkdir()
    (nothing / "README.md").write_text("no dependencies here\n")
    empty = patch_drill.from_config({"paths": ["nothing"], "advisories": str(snap),
                                     "offline": True}, tmp_path)
    with pytest.raises(InputError, match="no requirements"):
        empty.run(DrillContext(root=tmp_path))


def test_includes_outside_path_are_shown_relative(tmp_path: Path) -> None:
    _app, snap = project(tmp_path)
    sub = tmp_path / "app" / "sub"
    sub.mkdir()
    (sub / "base.txt").write_text("-r ../requirements.txt\n")
    drill = patch_drill.from_config({"paths": ["app/sub/base.txt"], "advisories": str(snap),
                                     "offline": True}, tmp_path)
    result = drill.run(DrillContext(root=tmp_path))
    paths = {f.location.path for f in result.findings if f.rule_id == "DH-PATCH-VULNERABLE"}
    assert paths == {"../requirements.txt"}
