"""disk-fill: the percentage arithmetic against a mocked ``shutil.disk_usage``, and a real
small ballast file created in a directory and removed by the revert."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from drillhall.chaos.faults.base import run_revert
from drillhall.chaos.faults.disk import MB, DiskFill, plan_fill
from drillhall.chaos.faults.registry import build_fault
from drillhall.errors import ConfigError, FaultError
from tests.chaos.faults.conftest import revert_in_fresh_process


def _usage(monkeypatch: pytest.MonkeyPatch, used_mb: int, free_mb: int) -> None:
    fake = shutil._ntuple_diskusage(  # type: ignore[attr-defined]
        (used_mb + free_mb) * MB, used_mb * MB, free_mb * MB)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: fake)


def _ballasts(path: Path) -> list[Path]:
    return sorted(path.glob(".drillhall-ballast-*"))


def test_fill_to_a_percentage_writes_the_difference(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _usage(monkeypatch, used_mb=495, free_mb=505)  # 49.5% of 1000 MB
    fault = build_fault("disk-fill", {"path": str(tmp_path), "percent": 50, "min_free_mb": 10})
    revert = fault.prepare()
    assert not _ballasts(tmp_path)  # prepare touches nothing

    out = fault.inject(threading.Event())

    [ballast] = _ballasts(tmp_path)
    assert str(ballast) == revert.params["ballast"]
    assert ballast.stat().st_size == 5 * MB
    assert "49.5% -> 50.0%" in out
    assert run_revert(revert).startswith("deleted ballast")
    assert not _ballasts(tmp_path)
    assert "already gone" in run_revert(revert)


def test_fill_never_passes_the_safety_margin(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _usage(monkeypatch, used_mb=900, free_mb=106)
    fault = build_fault("disk-fill", {"path": str(tmp_path), "percent": 99.9,
                                      "min_free_mb": 100})
    revert = fault.prepare()
    out = fault.inject(threading.Event())
    assert "capped to keep 100 MB available" in out
    assert _ballasts(tmp_path)[0].stat().st_size == 6 * MB
    run_revert(revert)


def test_fill_with_no_room_left_is_a_fault_error(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _usage(monkeypatch, used_mb=950, free_mb=50)
    fault = build_fault("disk-fill", {"path": str(tmp_path), "size_mb": 10})
    fault.prepare()
    with pytest.raises(FaultError, match="safety margin"):
        fault.inject(threading.Event())
    assert not _ballasts(tmp_path)


def test_already_fuller_than_asked_writes_nothing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _usage(monkeypatch, used_mb=800, free_mb=200)
    fault = build_fault("disk-fill", {"path": str(tmp_path), "percent": 60})
    revert = fault.prepare()
    assert "already 80.0% full" in fault.inject(threading.Event())
    assert not _ballasts(tmp_path)
    assert "already gone" in run_revert(revert)


def test_real_ballast_by_size_removed_from_a_fresh_process(tmp_path: Path) -> None:
    fault = build_fault("disk-fill", {"path": str(tmp_path), "size_mb": 5})
    revert = fault.prepare()
    fault.inject(threading.Event())
    [ballast] = _ballasts(tmp_path)
    assert ballast.stat().st_size == 5 * MB
    assert ballast.stat().st_blocks * 512 >= 5 * MB  # really allocated, not sparse
    done = revert_in_fresh_process(revert)
    assert done.returncode == 0, done.stderr
    assert "deleted ballast" in done.stdout
    assert not ballast.exists()


def test_cancelled_fill_leaves_no_ballast(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fallocate(*args: Any) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr("os.posix_fallocate", no_fallocate)
    fault = build_fault("disk-fill", {"path": str(tmp_path), "size_mb": 8})
    fault.prepare()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(FaultError, match="cancelled"):
        fault.inject(cancel)
    assert not _ballasts(tmp_path)


def test_chunked_fallback_writes_the_full_size(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fallocate(*args: Any) -> None:
        raise OSError(95, "Operation not supported")

    monkeypatch.setattr("os.posix_fallocate", no_fallocate)
    fault = build_fault("disk-fill", {"path": str(tmp_path), "size_mb": 6})
    revert = fault.prepare()
    fault.inject(threading.Event())
    assert _ballasts(tmp_path)[0].stat().st_size == 6 * MB
    run_revert(revert)


def test_plan_fill_arithmetic() -> None:
    plan = plan_fill(1000 * MB, 250 * MB, 750 * MB, percent=75, min_free_mb=0)
    assert plan.ballast_bytes == 500 * MB and not plan.capped
    assert (round(plan.before_percent), round(plan.after_percent)) == (25, 75)
    # root-reserved blocks (total > used + free) are not counted as room, like df
    plan = plan_fill(1100 * MB, 500 * MB, 500 * MB, percent=60, min_free_mb=0)
    assert plan.ballast_bytes == 100 * MB


def test_root_is_refused_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        build_fault("disk-fill", {"path": "/", "percent": 90}, where="exp.json: method[0]")
    assert err.value.diagnostics() == (
        "exp.json: method[0]: fault 'disk-fill': key 'path': refusing to fill '/' (the root "
        "directory); set allow_root: true to allow it.")
    fault = build_fault("disk-fill", {"path": "/", "percent": 90, "allow_root": True})
    assert isinstance(fault, DiskFill)  # built, never injected here


@pytest.mark.parametrize(("args", "expected"), [
    ({"path": "/tmp"}, "give exactly one of percent or size_mb"),
    ({"path": "/tmp", "percent": 100}, "key 'percent': Input should be less than 100"),
    ({"path": "/tmp", "size_mb": -1}, "key 'size_mb'"),
    ({"percent": 50}, "missing required key 'path'"),
    ({"path": "/tmp", "size_mb": 1, "sise": 2}, "unknown key 'sise'"),
])
def test_bad_arguments(args: dict[str, Any], expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        build_fault("disk-fill", args, where="exp.yaml: method[2]")
    assert err.value.diagnostics().startswith("exp.yaml: method[2]: fault 'disk-fill': ")
    assert expected in err.value.diagnostics()


def test_missing_directory_fails_in_prepare(tmp_path: Path) -> None:
    fault = build_fault("disk-fill", {"path": str(tmp_path / "nope"), "size_mb": 1})
    with pytest.raises(FaultError, match="not an existing directory"):
        fault.prepare()


def test_revert_refuses_a_foreign_file(tmp_path: Path) -> None:
    victim = tmp_path / "important.db"
    victim.write_text("data")
    from drillhall.chaos.faults.base import Revert

    with pytest.raises(FaultError, match="not a drillhall ballast"):
        run_revert(Revert("disk.remove-ballast", {"ballast": str(victim)}))
    assert victim.exists()
