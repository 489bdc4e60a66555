"""Helpers shared by the format tests."""

from __future__ import annotations

import io
from pathlib import Path

from drillhall.core.model import Severity
from drillhall.ml.artifacts.base import Analyze, AnalyzeContext, ArtifactLimits, Issue


def run(analyze: Analyze, data: bytes, path: Path | None = None,
        limits: ArtifactLimits | None = None, ctx: AnalyzeContext | None = None) -> list[Issue]:
    """Analyze ``data`` as a file (written at ``path`` first when given)."""
    if path is not None:
        path.write_bytes(data)
    context = ctx or AnalyzeContext(display=path.name if path else "model", path=path,
                                    limits=limits or ArtifactLimits())
    return analyze(io.BytesIO(data), len(data), context)


def run_file(analyze: Analyze, path: Path) -> list[Issue]:
    """Analyze a file already on disk, through a real file object."""
    with path.open("rb") as handle:
        return analyze(handle, path.stat().st_size, AnalyzeContext(display=path.name, path=path))


def rules(issues: list[Issue]) -> set[str]:
    return {issue.rule_id for issue in issues}


def above_low(issues: list[Issue]) -> list[Issue]:
    return [issue for issue in issues if issue.severity.rank > Severity.LOW.rank]


def only(issues: list[Issue], rule_id: str) -> list[Issue]:
    return [issue for issue in issues if issue.rule_id == rule_id]
