"""End-to-end patch drills against a real package index on 127.0.0.1 serving real wheels.

``dhdemo`` 1.0.0 and 1.0.1 keep ``answer()`` an int; 2.0.0 makes it a string, which breaks the
fixture project's tests. ``dhother`` 1.0.0 → 1.1.0 is harmless. Installs go through
``python -m venv`` and pip with ``--index-url`` to the fake index only (``--isolated``,
``--no-cache-dir``), so nothing reaches the network.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drillhall.core.drill import DrillContext
from drillhall.core.model import DrillResult, Status
from drillhall.patch.trial import rules
from drillhall.patch.trial.drill import PatchTrialDrill, from_config
from drillhall.testing.pypi import (
    FakeIndex,
    FakeIndexServer,
    FakePackage,
    FakeRelease,
    build_module_wheel,
)

TEST_COMMAND = "python -m unittest discover -s tests -v"
OLD = datetime(2024, 1, 2, tzinfo=UTC)


make_wheel = build_module_wheel


@pytest.fixture(scope="module")
def index_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    wheels = tmp_path_factory.mktemp("wheels")
    builds = [
        ("dhdemo", "1.0.0", "def answer():\n    return 42\n"),
        ("dhdemo", "1.0.1", "def answer():\n    return 42  # faster\n"),
        ("dhdemo", "2.0.0", "def answer():\n    return '42'\n"),
        ("dhother", "1.0.0", "def ok():\n    return True\n"),
        ("dhother", "1.1.0", "def ok():\n    return 1 == 1\n"),
    ]
    index = FakeIndex()
    packages: dict[str, FakePackage] = {}
    for name, version, module in builds:
        wheel = make_wheel(wheels, name, version, module)
        index.add_file(wheel)
        packages.setdefault(name, FakePackage(name)).releases.append(
            FakeRelease(version, OLD, files=(wheel.name,)))
    for package in packages.values():
        index.add(package)
    with FakeIndexServer(index) as server:
        yield server.simple_url


APP_TESTS = '''import unittest

import dhdemo
import dhother


class AppTest(unittest.TestCase):
    def test_answer(self):
        self.assertEqual(dhdemo.answer() + 1, 43)

    def test_other(self):
        self.assertTrue(dhother.ok())
'''

REQUIREMENTS = "# runtime\ndhdemo==1.0.0  # the demo library\ndhother==1.0.0\n"


def make_project(root: Path, *, tests: str = APP_TESTS) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_app.py").write_text(tests)
    (root / "requirements.txt").write_text(REQUIREMENTS)
    (root / "app.py").write_text("print('hello')\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    return root


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    return {p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


def drill(project: Path, index_url: str, **options: object) -> PatchTrialDrill:
    settings: dict[str, object] = {"paths": [str(project)], "index_url": index_url,
                                   "test_command": TEST_COMMAND, "timeout_per_trial": 120}
    settings.update(options)
    return from_config(settings, project)


def run(d: PatchTrialDrill, root: Path, **kwargs: object) -> DrillResult:
    result = d.run(DrillContext(root=root, **kwargs))  # type: ignore[arg-type]
    assert isinstance(result, DrillResult)
    return result


def test_patch_group_upgrade_passes(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    before = snapshot(project)
    result = run(drill(project, index_url, group="patch"), project)
    assert result.status is Status.PASSED, result.journal
    ready = [f for f in result.findings if f.rule_id == rules.UPGRADE_READY]
    assert [f.location.symbol for f in ready] == ["dhdemo==1.0.1"]
    assert ready[0].location.path == "requirements.txt"
    assert result.metric("patch.upgrades_passed") == 1
    assert result.metric("patch.upgrades_failed") == 0
    assert (result.metric("patch.time_to_patch_seconds") or 0) > 0
    assert snapshot(project) == before  # not applied: the tree is untouched


def test_major_upgrade_fails_with_the_failing_test(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    result = run(drill(project, index_url), project)
    assert result.status is Status.FAILED
    breaks = [f for f in result.findings if f.rule_id == rules.UPGRADE_BREAKS]
    assert [f.location.symbol for f in breaks] == ["dhdemo==2.0.0"]
    assert "test_app.AppTest.test_answer" in breaks[0].evidence
    assert breaks[0].location.line == 2
    ready = {f.location.symbol for f in result.findings if f.rule_id == rules.UPGRADE_READY}
    assert ready == {"dhother==1.1.0"}
    assert result.metric("patch.upgrades_tried") == 2
    assert result.metric("patch.upgrades_failed") == 1


def test_group_is_bisected_to_the_culprit(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    result = run(drill(project, index_url, group="all"), project)
    assert result.status is Status.FAILED
    breaks = [f.location.symbol for f in result.findings if f.rule_id == rules.UPGRADE_BREAKS]
    assert breaks == ["dhdemo==2.0.0"]
    ready = [f.location.symbol for f in result.findings if f.rule_id == rules.UPGRADE_READY]
    assert ready == ["dhother==1.1.0"]
    assert result.metric("patch.trials") == 3  # the group, then each half


def test_apply_rewrites_only_the_pin(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    before = snapshot(project)
    result = run(drill(project, index_url, group="patch", apply=True), project)
    assert result.status is Status.PASSED
    assert not [f for f in result.findings if f.rule_id == rules.UPGRADE_READY]
    after = snapshot(project)
    assert (project / "requirements.txt").read_text() == REQUIREMENTS.replace(
        "dhdemo==1.0.0", "dhdemo==1.0.1")
    del before["requirements.txt"], after["requirements.txt"]
    assert after == before  # nothing else touched, no temporary file left behind
    assert any(e.event == "applied" and e.detail == "requirements.txt" for e in result.journal)


def test_cancel_mid_run_leaves_the_tree_unchanged(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    before = snapshot(project)
    cancel = threading.Event()

    def progress(message: str, fraction: float | None) -> None:
        if message.startswith("trying"):
            threading.Timer(0.2, cancel.set).start()

    d = drill(project, index_url, group="all", apply=True)
    result = d.run(DrillContext(root=project, cancel=cancel, progress=progress))
    assert result.status is Status.INTERRUPTED
    assert snapshot(project) == before


def test_baseline_failure_is_reported(tmp_path: Path, index_url: str) -> None:
    broken = APP_TESTS.replace("43)", "44)")
    project = make_project(tmp_path / "proj", tests=broken)
    result = run(drill(project, index_url), project)
    assert result.status is Status.ERROR
    assert result.diagnostics is not None
    assert "fail before any upgrade" in result.diagnostics
    assert "test_app.AppTest.test_answer" in result.diagnostics
    assert not result.findings


def test_dry_run_plans_only(tmp_path: Path, index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    result = run(drill(project, index_url), project, dry_run=True)
    assert result.status is Status.SKIPPED
    plan = [e.detail for e in result.journal if e.event == "plan"]
    assert plan == ["dhdemo 1.0.0 -> 2.0.0", "dhother 1.0.0 -> 1.1.0"]
    assert all(e.event != "trial" for e in result.journal)


def test_pyproject_range_is_tried_exactly_and_applied_in_its_style(tmp_path: Path,
                                                                   index_url: str) -> None:
    project = make_project(tmp_path / "proj")
    (project / "requirements.txt").unlink()
    pyproject = ('[project]\nname = "app"\nversion = "0.1"\n'
                 'dependencies = [\n    "dhdemo>=1.0.0",\n    "dhother==1.0.0",\n]\n')
    (project / "pyproject.toml").write_text(pyproject)
    # without the constraints file the baseline would install dhdemo 2.0.0 and fail
    result = run(drill(project, index_url, group="patch", apply=True), project)
    assert result.status is Status.PASSED, result.diagnostics
    assert result.metric("patch.upgrades_passed") == 1
    assert (project / "pyproject.toml").read_text() == pyproject.replace(
        '"dhdemo>=1.0.0"', '"dhdemo>=1.0.1"')


def test_cli_patch_drill_apply_and_bad_baseline(tmp_path: Path, index_url: str) -> None:
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DRILLHALL_DATABASE_URL", None)

    def cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "drillhall", "patch", "drill", str(project), "--index-url",
             index_url, "--test-command", TEST_COMMAND, "--min-age", "0d", "--no-store",
             "-f", "json", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)

    project = make_project(tmp_path / "p")
    r = cli(project, "--group", "patch", "--apply")
    assert r.returncode == 0, r.stderr
    assert "dhdemo==1.0.1" in (project / "requirements.txt").read_text()
    metrics = json.loads(r.stdout)["results"][0]["metrics"]
    assert metrics["patch.upgrades_passed"] == 1
    broken = make_project(tmp_path / "b", tests=APP_TESTS.replace("43", "44"))
    r = cli(broken)
    assert r.returncode == 2, r.stdout
    assert "fail before any upgrade" in r.stderr
