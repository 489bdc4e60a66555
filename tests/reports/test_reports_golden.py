"""Golden files: the table, JSON, SARIF, JUnit and Markdown reports of a fixed run.

Run with ``DRILLHALL_UPDATE_GOLDEN=1`` to rewrite them after an intended change, then review
the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drillhall.core.model import Run, Severity
from drillhall.core.rules import RuleInfo
from drillhall.reports import Format, ReportContext, render

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "reports"

FILES = {
    Format.TABLE: "table.txt",
    Format.JSON: "report.json",
    Format.SARIF: "report.sarif",
    Format.JUNIT: "junit.xml",
    Format.MARKDOWN: "summary.md",
}


def golden_context(rules: dict[str, RuleInfo]) -> ReportContext:
    return ReportContext(rules=rules, fail_on=Severity.HIGH, root="/srv/docs-assistant")


@pytest.mark.parametrize("fmt", list(FILES), ids=[f.value for f in FILES])
def test_golden(fmt: Format, run: Run, rules: dict[str, RuleInfo]) -> None:
    text = render(run, fmt, golden_context(rules))
    path = GOLDEN / FILES[fmt]
    if os.environ.get("DRILLHALL_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with DRILLHALL_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), (
        f"{fmt.value} report differs from {path.name}; if the change is intended, "
        "rerun with DRILLHALL_UPDATE_GOLDEN=1 and review the diff"
    )


def test_golden_files_hold_no_clear_secret() -> None:
    # The sample keys are assembled at run time; the golden files only ever hold masks.
    key = "AKIA" + "IOSFODNN7" + "EXAMPLE"
    for name in FILES.values():
        text = (GOLDEN / name).read_text(encoding="utf-8")
        assert key not in text
        assert "sk-" + "proj-Zq3" not in text
        assert "jane.doe" + "@" not in text


def test_rendering_is_deterministic(run: Run, rules: dict[str, RuleInfo]) -> None:
    ctx = golden_context(rules)
    for fmt in Format:
        assert render(run, fmt, ctx) == render(run, fmt, ctx)
