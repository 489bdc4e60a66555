"""The reports API: every format has a renderer; reports are written atomically."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from drillhall.core.model import Run, Verdict
from drillhall.errors import ReportError
from drillhall.reports import Format, ReportContext, render, write_report

T = datetime(2026, 1, 1, tzinfo=UTC)


def test_format_members() -> None:
    assert [f.value for f in Format] == ["table", "json", "sarif", "junit", "markdown", "html"]


@pytest.mark.parametrize("fmt", list(Format), ids=[f.value for f in Format])
def test_every_format_has_a_renderer_that_shows_the_verdict(fmt: Format, run: Run) -> None:
    text = render(run, fmt, ReportContext())
    assert isinstance(text, str) and text.endswith("\n")
    assert "max-severity" in text  # every report carries the violations
    assert "llm.attack_success_rate" in text


@pytest.mark.parametrize("fmt", list(Format), ids=[f.value for f in Format])
def test_every_format_renders_an_empty_run(fmt: Format) -> None:
    run = Run(id="empty", service="svc", started=T, finished=T, results=(),
              verdict=Verdict.PASSED)
    assert render(run, fmt)


def test_render_rejects_an_unknown_format(run: Run) -> None:
    with pytest.raises(AssertionError):
        render(run, "pdf")  # type: ignore[arg-type]


def test_write_report_creates_and_replaces(tmp_path: Path) -> None:
    out = tmp_path / "report.md"
    write_report("first\n", out)
    assert out.read_text("utf-8") == "first\n"
    out.chmod(0o600)
    write_report("second ✓\n", out)
    assert out.read_text("utf-8") == "second ✓\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_write_report_new_file_is_readable(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    write_report("{}", out)
    assert stat.S_IMODE(out.stat().st_mode) & 0o044 == 0o044


def test_write_report_relative_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_report("x", Path("plain.txt"))
    assert (tmp_path / "plain.txt").read_text() == "x"


def test_write_report_missing_directory_is_one_sentence(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "report.html"
    with pytest.raises(ReportError) as info:
        write_report("x", out)
    message = info.value.diagnostics()
    assert str(out) in message and "\n" not in message


def test_write_report_onto_a_directory_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "adir"
    target.mkdir()
    with pytest.raises(ReportError, match="cannot write the report to"):
        write_report("x", target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_write_report_read_only_directory(tmp_path: Path) -> None:
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(ReportError):
            write_report("x", tmp_path / "r.txt")
    finally:
        tmp_path.chmod(0o700)


def test_write_report_follows_symlinks_and_writes_devices(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_report("new", link)
    assert link.is_symlink() and target.read_text() == "new"
    write_report("to the void", Path("/dev/null"))
    assert Path("/dev/null").is_char_device()
