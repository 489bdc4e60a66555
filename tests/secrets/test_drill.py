from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Status
from drillhall.errors import ConfigError, InputError
from drillhall.ml.secrets import scan as scan_mod
from drillhall.ml.secrets.allowlist import load_allowlist
from drillhall.ml.secrets.baseline import load_baseline, write_baseline
from drillhall.ml.secrets.containers import Skip
from drillhall.ml.secrets.drill import SecretsDrill, SecretsOptions, from_config
from drillhall.ml.secrets.scan import ScanOptions, is_fixture, scan
from drillhall.testing.fakekeys import fake_secret
from tests.secrets.helpers import planted


def _tree(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "settings.py").write_text(planted("DH-SECRET-OPENAI-API-KEY", 1))
    (root / "app" / "clean.py").write_text("def f():\n    return 1\n")
    (root / ".env").write_text(planted("DH-SECRET-DATABASE-URL", 2))
    (root / "tests" / "fixtures").mkdir(parents=True)
    (root / "tests" / "fixtures" / "keys.txt").write_text(planted("DH-SECRET-GITHUB-PAT", 3))
    return root


def _run(root: Path, **options: object) -> DrillResult:
    drill = from_config(options, root)
    return drill.run(DrillContext(root=root))


def test_drill_reports_and_measures(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    result = _run(root, paths=["."], workers=1)
    assert result.status is Status.FAILED
    assert sorted(str(f.location.path) for f in result.findings) == [".env", "app/settings.py"]
    assert result.metric("secrets.findings") == 2
    assert result.metric("secrets.files_scanned") == 3
    assert result.metric("secrets.fixture_files_skipped") == 1
    assert (result.metric("secrets.bytes_scanned") or 0) > 0
    assert result.metric("secrets.throughput_mb_s") is not None
    assert any(e.event == "engine" for e in result.journal)
    with_fixtures = _run(root, include_fixtures=True, workers=1)
    assert with_fixtures.metric("secrets.findings") == 3


def test_clean_tree_passes_and_paths_are_relative_to_the_scanned_path(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    assert _run(root, paths=["app/clean.py"]).status is Status.PASSED
    result = _run(root, paths=["app"])
    assert [f.location.path for f in result.findings] == ["settings.py"]
    result = _run(root, paths=["app", ".env"])
    assert sorted(str(f.location.path) for f in result.findings) == [".env", "app/settings.py"]


def test_missing_path_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nope: no such file or directory"):
        _run(tmp_path, paths=["nope"])
    with pytest.raises(ConfigError, match=r"\[drills.secrets\] unknown key 'colour'"):
        from_config({"colour": "red"}, tmp_path)
    with pytest.raises(ConfigError, match="workers"):
        from_config({"workers": 0}, tmp_path)


def test_dry_run_lists_without_scanning(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    drill = SecretsDrill(SecretsOptions(), root)
    result = drill.run(DrillContext(root=root, dry_run=True))
    assert result.status is Status.SKIPPED and result.reason == "dry run"
    assert result.findings == ()
    assert any("app/settings.py" in e.detail for e in result.journal)


def test_cancelled_scan_is_interrupted(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    cancel = threading.Event()
    cancel.set()
    result = from_config({"workers": 1}, root).run(DrillContext(root=root, cancel=cancel))
    assert result.status is Status.INTERRUPTED


def test_parallel_equals_serial(tmp_path: Path) -> None:
    for i in range(150):
        d = tmp_path / f"pkg{i % 5}"
        d.mkdir(exist_ok=True)
        kind = ["DH-SECRET-SLACK-TOKEN", "DH-SECRET-GENERIC", "DH-SECRET-JWT"][i % 3]
        (d / f"m{i}.py").write_text(planted(kind, i) if i % 4 == 0 else f"x = {i}\n")
    serial = scan([(tmp_path, "")], ScanOptions(workers=1, use_hyperscan=False))
    parallel = scan([(tmp_path, "")], ScanOptions(workers=2, use_hyperscan=False))
    assert parallel.workers == 2
    assert [h.finding for h in parallel.hits] == [h.finding for h in serial.hits]
    assert parallel.files_scanned == serial.files_scanned == 150
    assert len(serial.hits) == 38


def test_allowlist_rule_path_and_value(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    value = fake_secret("DH-SECRET-OPENAI-API-KEY", 1)
    digest = hashlib.sha256(value.encode()).hexdigest()
    allow = root / "allow.toml"
    allow.write_text(f'[[allow]]\nvalue_sha256 = "{digest}"\nreason = "revoked demo key"\n'
                     '[[allow]]\nrule = "DH-SECRET-DATABASE-*"\npath = ".env"\nreason = "local"\n')
    result = _run(root, allowlist="allow.toml", workers=1)
    assert result.status is Status.PASSED
    assert result.metric("secrets.allowlisted") == 2


@pytest.mark.parametrize(("text", "message"), [
    ('[[allow]]\nrule = "X"\n', r"allow\.0\.reason"),
    ('[[allow]]\nreason = "r"\n', "needs at least one of"),
    ('[[allow]]\nrule = "X"\nreason = "r"\ncolour = 1\n', r"unknown key 'allow\.0\.colour'"),
    ('[[allow]]\nvalue_sha256 = "abc"\nreason = "r"\n', "value_sha256"),
    ("[[allow]\n", "invalid TOML"),
])
def test_bad_allowlist(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "allow.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as err:
        load_allowlist(path)
    assert str(path) in str(err.value)


def test_baseline_round_trip(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    first = _run(root, workers=1)
    write_baseline(first.findings, root / "baseline.json")
    doc = json.loads((root / "baseline.json").read_text())
    assert doc["schema"] == "drillhall/secrets-baseline/v1" and len(doc["findings"]) == 2
    assert load_baseline(root / "baseline.json") == {f.fingerprint for f in first.findings}
    again = _run(root, baseline="baseline.json", workers=1)
    assert again.status is Status.PASSED and again.metric("secrets.baselined") == 2
    (root / "app" / "new.py").write_text(planted("DH-SECRET-HUGGINGFACE-TOKEN", 4))
    assert _run(root, baseline="baseline.json", workers=1).metric("secrets.findings") == 1


def test_bad_baseline(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text('{"schema": "drillhall/secrets-baseline/v1",\n "findings": [,]}')
    with pytest.raises(ConfigError, match=r"b\.json: invalid JSON at line 2"):
        load_baseline(path)
    path.write_text('{"schema": "other"}')
    with pytest.raises(ConfigError, match="not a secrets baseline"):
        load_baseline(path)


def test_hostile_skip_fails_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bomb.zip").write_bytes(b"PK")

    def fake_expand(path: Path, display: str, limits: object) -> object:
        yield Skip(display, "zip bomb: 2 GB declared exceeds the 512 MB limit", hostile=True)

    monkeypatch.setattr(scan_mod, "expand", fake_expand)
    result = _run(tmp_path, workers=1)
    assert [f.rule_id for f in result.findings] == ["DH-SECRET-UNSCANNABLE"]
    assert result.findings[0].evidence.startswith("could not be fully scanned: zip bomb")
    assert result.status is Status.FAILED and result.metric("secrets.skipped") == 1


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/fixtures/a.env", True), ("test/fixtures/x/y.txt", True), ("pkg/testdata/k", True),
    ("web/__fixtures__/a.json", True), ("tests/unit/fixtures/k.pem", True),
    ("src/fixtures/k.py", False), ("app/settings.py", False),
])
def test_fixture_paths(path: str, expected: bool) -> None:
    assert is_fixture(path) is expected


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_finds_removed_secret(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    git("config", "user.email", "t@example.invalid")
    git("config", "user.name", "t")
    (tmp_path / "conf.py").write_text(planted("DH-SECRET-STRIPE-SECRET-KEY", 1))
    git("add", ".")
    git("commit", "-qm", "add")
    (tmp_path / "conf.py").write_text("KEY = load()\n")
    git("commit", "-qam", "remove")
    now = _run(tmp_path, workers=1)
    assert now.status is Status.PASSED
    past = _run(tmp_path, history=True, workers=1)
    assert [f.rule_id for f in past.findings] == ["DH-SECRET-STRIPE-SECRET-KEY"]
    assert (past.findings[0].location.symbol or "").startswith("commit ")
    assert past.findings[0].location.path == "conf.py"
