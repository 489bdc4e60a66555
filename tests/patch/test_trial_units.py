"""Unit tests of the patch trial pieces: planning, pin rewriting, test command detection and
output parsing, bisection, atomic apply and options."""

from __future__ import annotations

import json
import os
import stat
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from drillhall.errors import ConfigError, InputError
from drillhall.patch.advisories import OfflineDB
from drillhall.patch.model import Dependency, Inventory, PackageInfo, Release
from drillhall.patch.sources import collect
from drillhall.patch.trial.apply import apply_upgrades
from drillhall.patch.trial.drill import from_config
from drillhall.patch.trial.env import copy_project, run_command
from drillhall.patch.trial.pins import PinError, rewrite_requirement, rewritten_files
from drillhall.patch.trial.plan import Candidate, group_candidates, plan_upgrades
from drillhall.patch.trial.runner import PYTEST, detect_command, failing_tests
from drillhall.patch.trial.session import Trial, drill_groups

TODAY = datetime(2026, 6, 1, tzinfo=UTC)


def info(name: str, *versions: tuple[str, datetime | None]) -> PackageInfo:
    return PackageInfo(name, tuple(Release(v, when, files=1) for v, when in versions))


def dep(name: str, version: str, source: Path, line: int = 1, spec: str | None = None
        ) -> Dependency:
    return Dependency(name, version, spec if spec is not None else f"=={version}", source, line)


OLD = datetime(2025, 1, 1, tzinfo=UTC)
RELEASES = info("lib", ("1.0.0", OLD), ("1.0.1", OLD), ("1.0.2", OLD), ("1.1.0", OLD),
                ("2.0.0", OLD), ("2.1.0", TODAY - timedelta(days=1)))


@pytest.mark.parametrize(("group", "target"), [
    ("single", "2.0.0"), ("all", "2.0.0"), ("minor", "1.1.0"), ("patch", "1.0.2")])
def test_plan_respects_group_bound_and_cooldown(tmp_path: Path, group: str, target: str
                                               ) -> None:
    inventory = Inventory((dep("lib", "1.0.0", tmp_path / "requirements.txt"),))
    planned = plan_upgrades(inventory, {"lib": RELEASES}, group=group,  # type: ignore[arg-type]
                            today=TODAY)
    assert [c.target for c in planned] == [target]  # 2.1.0 is younger than 3 days


def test_plan_cooldown_can_be_shortened(tmp_path: Path) -> None:
    inventory = Inventory((dep("lib", "1.0.0", tmp_path / "requirements.txt"),))
    planned = plan_upgrades(inventory, {"lib": RELEASES}, min_age=timedelta(0), today=TODAY)
    assert planned[0].target == "2.1.0"


def test_plan_skips_unpinned_transitive_and_up_to_date(tmp_path: Path) -> None:
    src = tmp_path / "requirements.txt"
    inventory = Inventory((
        Dependency("lib", None, ">=1", src, 1),
        Dependency("other", "1.0.0", "==1.0.0", tmp_path / "uv.lock", None, direct=False),
        dep("fresh", "2.0.0", src, 3),
    ))
    infos = {"lib": RELEASES, "other": RELEASES, "fresh": info("fresh", ("2.0.0", OLD))}
    assert plan_upgrades(inventory, infos, today=TODAY) == []


def test_plan_puts_security_fixes_first_with_the_smallest_fix(tmp_path: Path) -> None:
    osv = tmp_path / "osv"
    osv.mkdir()
    (osv / "zz.json").write_text(json.dumps({
        "id": "PYSEC-2025-1", "summary": "bad", "affected": [{
            "package": {"ecosystem": "PyPI", "name": "zlib"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"},
                                                        {"fixed": "1.0.1"}]}]}]}))
    src = tmp_path / "requirements.txt"
    inventory = Inventory((dep("alib", "1.0.0", src, 1), dep("zlib", "1.0.0", src, 2)))
    infos = {"alib": RELEASES, "zlib": RELEASES}
    planned = plan_upgrades(inventory, infos, OfflineDB(osv), group="minor", today=TODAY)
    assert [(c.name, c.target, c.advisories) for c in planned] == [
        ("zlib", "1.0.1", ("PYSEC-2025-1",)), ("alib", "1.1.0", ())]
    assert planned[0].security


def test_group_candidates(tmp_path: Path) -> None:
    a = Candidate("a", "1", "2", ())
    b = Candidate("b", "1", "2", ())
    assert group_candidates([a, b], "single") == [(a,), (b,)]
    assert group_candidates([a, b], "patch") == [(a, b)]
    assert group_candidates([], "all") == []


@pytest.mark.parametrize(("line", "expected"), [
    ("lib==1.0.0", "lib==2.0.0"),
    ("Lib_Name[extra] == 1.0.0 ; python_version>'3' # note",
     "Lib_Name[extra] == 2.0.0 ; python_version>'3' # note"),
    ("lib>=1.0,<3", "lib>=2.0.0,<3"),
    ("lib~=1.0", "lib~=2.0.0"),
    ("lib==1.0.0 --hash=sha256:abc", "lib==2.0.0 --hash=sha256:abc"),
])
def test_rewrite_requirement_keeps_style(line: str, expected: str) -> None:
    name = "lib-name" if line.lower().startswith("lib_name") else "lib"
    assert rewrite_requirement(line, name, "2.0.0") == expected


def test_rewrite_requirement_refuses_a_range_that_excludes_the_target() -> None:
    with pytest.raises(PinError, match="would not admit"):
        rewrite_requirement("lib>=1.0,<2", "lib", "2.0.0")
    assert rewrite_requirement("library==1.0", "lib", "2.0") is None


def test_rewrite_pyproject_keeps_range_style(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[project]\nname = "x"\ndependencies = [\n  "lib>=1.0.0",\n'
                    "  'other==1.0',\n]\n")
    inventory = collect(path)
    by_name = {d.name: d for d in inventory.dependencies}
    texts = rewritten_files([(by_name["lib"], "2.0.0"), (by_name["other"], "1.1")])
    assert texts[path] == ('[project]\nname = "x"\ndependencies = [\n  "lib>=2.0.0",\n'
                           "  'other==1.1',\n]\n")


def test_apply_is_atomic_and_keeps_permissions(tmp_path: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("a==1.0\r\nb==1.0\r\n")
    req.chmod(0o640)
    (tmp_path / "uv.lock").write_text("version = 1\n")
    candidate = Candidate("b", "1.0", "1.2", (dep("b", "1.0", req, 2),))
    report = apply_upgrades(tmp_path, [candidate], uv=None)
    assert req.read_bytes() == b"a==1.0\r\nb==1.2\r\n"
    assert stat.S_IMODE(req.stat().st_mode) == 0o640
    assert report.files == [req]
    assert "uv is not installed" in report.notes[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.txt", "uv.lock"]


def test_apply_checks_every_file_before_writing(tmp_path: Path) -> None:
    good, bad = tmp_path / "requirements.txt", tmp_path / "requirements-dev.txt"
    good.write_text("a==1.0\n")
    bad.write_text("a>=1.0,<1.1\n")
    upgrades = [Candidate("a", "1.0", "1.5", (dep("a", "1.0", good), dep("a", "1.0", bad)))]
    with pytest.raises(PinError):
        apply_upgrades(tmp_path, upgrades)
    assert good.read_text() == "a==1.0\n"


def test_failing_tests_from_pytest_and_unittest() -> None:
    pytest_out = ("tests/test_a.py F\n=== short test summary info ===\n"
                  "FAILED tests/test_a.py::test_one - AssertionError: x\n"
                  "FAILED tests/test_a.py::TestK::test_two[param]\n"
                  "ERROR tests/test_b.py - ImportError\n1 failed\n")
    assert failing_tests(pytest_out) == ("tests/test_a.py::test_one",
                                         "tests/test_a.py::TestK::test_two[param]",
                                         "tests/test_b.py")
    unittest_out = ("FAIL: test_answer (test_app.AppTest.test_answer)\n-----\n"
                    "ERROR: test_x (test_app.AppTest)\n")
    assert failing_tests(unittest_out) == ("test_app.AppTest.test_answer",
                                           "test_app.AppTest.test_x")


def test_detect_command(tmp_path: Path) -> None:
    assert detect_command(tmp_path) is None
    (tmp_path / "Makefile").write_text("all:\n\ttrue\ntest: all\n\tpytest\n")
    assert detect_command(tmp_path) == ("make", "test")
    (tmp_path / "noxfile.py").write_text("")
    assert detect_command(tmp_path) == ("nox",)
    (tmp_path / "tox.ini").write_text("[tox]\n")
    assert detect_command(tmp_path) == ("tox",)
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    assert detect_command(tmp_path) == PYTEST


def test_copy_project_leaves_out_vcs_venvs_and_caches(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for part in (".git", ".venv", "node_modules", ".drillhall", "pkg/__pycache__", "env"):
        (src / part).mkdir(parents=True)
    (src / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (src / "pkg" / "mod.py").write_text("x = 1\n")
    copy_project(src, tmp_path / "dst")
    found = sorted(p.relative_to(tmp_path / "dst").as_posix()
                   for p in (tmp_path / "dst").rglob("*"))
    assert found == ["pkg", "pkg/mod.py"]


def test_run_command_timeout_and_cancel(tmp_path: Path) -> None:
    sleeper = ["python3", "-c", "import time; time.sleep(30)"]
    slow = run_command(sleeper, cwd=tmp_path, timeout=0.3)
    assert slow.timed_out and slow.returncode is None and slow.duration < 5
    cancel = threading.Event()
    cancel.set()
    stopped = run_command(sleeper, cwd=tmp_path, timeout=30, cancel=cancel)
    assert stopped.cancelled and not stopped.ok


def _fake_trials(culprits: set[str]) -> tuple[list[tuple[str, ...]], object]:
    seen: list[tuple[str, ...]] = []

    def trial(group: Sequence[Candidate]) -> Trial:
        names = tuple(c.name for c in group)
        seen.append(names)
        return Trial(tuple(group), not (culprits & set(names)), "tests", 0.0)

    return seen, trial


def test_bisection_finds_every_culprit() -> None:
    cands = [Candidate(n, "1", "2", ()) for n in "abcdefgh"]
    seen, trial = _fake_trials({"c", "g"})
    outcome = drill_groups([cands], trial, max_trials=50,  # type: ignore[arg-type]
                           cancel=threading.Event())
    assert sorted(c.name for c, _ in outcome.failed) == ["c", "g"]
    assert sorted(c.name for c in outcome.passed) == ["a", "b", "d", "e", "f", "h"]
    assert len(seen) == 11 and not outcome.untried  # 1 + 2·(1 + 2·2)


def test_bisection_is_bounded() -> None:
    cands = [Candidate(n, "1", "2", ()) for n in "abcd"]
    seen, trial = _fake_trials({"d"})
    outcome = drill_groups([cands], trial, max_trials=2,  # type: ignore[arg-type]
                           cancel=threading.Event())
    assert len(seen) == 2
    assert [c.name for c in outcome.passed] == ["a", "b"]
    assert [c.name for c in outcome.untried] == ["c", "d"]
    assert not outcome.failed


def test_options_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        from_config({"group": "huge"}, tmp_path)
    with pytest.raises(ConfigError):
        from_config({"unknown": 1}, tmp_path)
    with pytest.raises(ConfigError):
        from_config({"test_command": "'unbalanced"}, tmp_path)
    with pytest.raises(InputError):
        from_config({"paths": ["missing"]}, tmp_path)
    drill = from_config({"min_age_days": 0, "max_trials": 3}, tmp_path)
    assert drill.name == "patch-drill"
    assert os.fspath(drill.project) == os.fspath(tmp_path.resolve())
